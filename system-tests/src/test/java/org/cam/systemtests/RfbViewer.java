package org.cam.systemtests;

import org.cam.protocol.rfb.VncAuth;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal RFB 3.8 client for the broker's plain port: VNC Authentication with the session's one-time password,
 * 32-bit true colour, Raw encoding only, and strictly request-then-read full updates (so the test always knows
 * which picture answers which request).
 */
final class RfbViewer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    final int width;
    final int height;
    final int[] fb;

    RfbViewer(String host, int port, String password) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setSoTimeout(60_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
        byte[] version = new byte[12];
        in.readFully(version);
        out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        int n = in.readUnsignedByte();
        if (n == 0) {
            throw new IOException("server refused: " + reason());
        }
        boolean vncAuth = false;
        for (int i = 0; i < n; i++) {
            vncAuth |= in.readUnsignedByte() == 2;
        }
        if (!vncAuth) {
            throw new IOException("no VNC Authentication offered");
        }
        out.writeByte(2);
        byte[] challenge = new byte[VncAuth.CHALLENGE_LENGTH];
        in.readFully(challenge);
        out.write(VncAuth.response(challenge, password));
        if (in.readInt() != 0) {
            throw new IOException("authentication failed: " + reason());
        }
        out.writeByte(1); // ClientInit shared
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        in.readFully(new byte[16]);
        in.readFully(new byte[in.readInt()]);
        fb = new int[width * height];
        // SetPixelFormat: 32 bpp, depth 24, little endian, true colour, 255/255/255, shifts 16/8/0.
        out.write(new byte[] {0, 0, 0, 0, 32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0});
        // SetEncodings: Raw.
        out.write(new byte[] {2, 0, 0, 1, 0, 0, 0, 0});
        out.flush();
    }

    private String reason() throws IOException {
        byte[] r = new byte[in.readInt()];
        in.readFully(r);
        return new String(r, StandardCharsets.UTF_8);
    }

    /** KeyEvent down and up. */
    void type(int keysym) throws IOException {
        for (int down = 1; down >= 0; down--) {
            out.writeByte(4);
            out.writeByte(down);
            out.writeShort(0);
            out.writeInt(keysym);
        }
        out.flush();
    }

    /** A non-incremental FramebufferUpdateRequest for the whole screen, and its answer read into {@link #fb}. */
    int[] refresh() throws IOException {
        out.writeByte(3);
        out.writeByte(0);
        out.writeShort(0);
        out.writeShort(0);
        out.writeShort(width);
        out.writeShort(height);
        out.flush();
        while (true) {
            int type = in.readUnsignedByte();
            switch (type) {
                case 0 -> {
                    in.readUnsignedByte();
                    int rects = in.readUnsignedShort();
                    for (int r = 0; r < rects; r++) {
                        int x = in.readUnsignedShort();
                        int y = in.readUnsignedShort();
                        int w = in.readUnsignedShort();
                        int h = in.readUnsignedShort();
                        int enc = in.readInt();
                        if (enc != 0) {
                            throw new IOException("unexpected encoding " + enc);
                        }
                        byte[] row = new byte[w * 4];
                        for (int j = 0; j < h; j++) {
                            in.readFully(row);
                            for (int i = 0; i < w; i++) {
                                int b = row[i * 4] & 0xff;
                                int g = row[i * 4 + 1] & 0xff;
                                int rr = row[i * 4 + 2] & 0xff;
                                fb[(y + j) * width + x + i] = rr << 16 | g << 8 | b;
                            }
                        }
                    }
                    return fb;
                }
                case 2 -> { } // Bell
                case 3 -> {
                    in.readFully(new byte[3]);
                    in.readFully(new byte[in.readInt()]);
                }
                default -> throw new IOException("unexpected server message " + type);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
