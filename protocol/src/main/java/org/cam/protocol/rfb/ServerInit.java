package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import org.cam.protocol.ProtocolException;

/**
 * The ServerInit message (RFC 6143 section 7.3.2): framebuffer size, pixel format and desktop name.
 *
 * @param width       framebuffer width
 * @param height      framebuffer height
 * @param pixelFormat the server's natural pixel format
 * @param name        desktop name (UTF-8 on the wire)
 */
public record ServerInit(int width, int height, PixelFormat pixelFormat, String name) {

    /** Largest desktop name we accept from a server. */
    public static final int MAX_NAME = 4096;

    public ServerInit {
        if (width < 0 || width > 0xffff || height < 0 || height > 0xffff) {
            throw new IllegalArgumentException("framebuffer size out of range");
        }
    }

    /** The wire bytes. */
    public byte[] encode() {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[24 + n.length];
        WireReader.putU16(b, 0, width);
        WireReader.putU16(b, 2, height);
        pixelFormat.encodeTo(b, 4);
        WireReader.putS32(b, 20, n.length);
        System.arraycopy(n, 0, b, 24, n.length);
        return b;
    }

    /** Total length of the message at {@code off}, or {@code Integer.MAX_VALUE} while fewer than 24 bytes. */
    public static int length(byte[] b, int off, int len) throws ProtocolException {
        if (len < 24) {
            return Integer.MAX_VALUE;
        }
        int n = new WireReader(b, off + 20, 4).s32();
        if (n < 0 || n > MAX_NAME) {
            throw new ProtocolException(20, "desktop name length out of range: " + n);
        }
        return 24 + n;
    }

    /** Decodes exactly one ServerInit. */
    public static ServerInit decode(byte[] b, int off, int len) throws ProtocolException {
        int total = length(b, off, len);
        if (total > len) {
            throw new ProtocolException(len, "truncated server init");
        }
        WireReader r = new WireReader(b, off, total);
        int w = r.u16();
        int h = r.u16();
        PixelFormat pf = PixelFormat.decode(b, off + 4, len - 4);
        r.skip(PixelFormat.LENGTH);
        int n = r.s32();
        String name = new String(r.bytes(n), StandardCharsets.UTF_8);
        return new ServerInit(w, h, pf, name);
    }
}
