package org.cam.protocol.recording;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cam.protocol.ByteReader;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.PixelFormat;

/**
 * Wire form of {@link Record}s inside a segment's (uncompressed) payload, big-endian:
 * {@code u8 type | u32 timeMillis | u32 length | payload[length]}.
 *
 * <ul>
 *   <li>HEADER: {@code u16 version | str sessionId | str targetId | str user | str mode | i64 startedAtEpochMillis |
 *       u16 width | u16 height | pixelFormat[16] | u32 n | serverInit[n]} where {@code str} is {@code u16 n | utf8[n]}</li>
 *   <li>DEVICE: the bytes; CLIENT_CONTROL: the client message's bytes</li>
 *   <li>KEY: {@code u8 down | u32 keysym}; POINTER: {@code u8 mask | u16 x | u16 y}</li>
 *   <li>CLIPBOARD, END: UTF-8 text; KEYFRAME: {@code i64 deviceOffset}</li>
 * </ul>
 * Unknown types are an error (a newer writer bumps {@link #VERSION}).
 */
public final class RecordCodec {

    /** Format version written in the header. */
    public static final int VERSION = 1;
    /** Bytes before a record's payload. */
    public static final int RECORD_HEADER = 9;
    /** The longest time a u32 of milliseconds holds (49 days; sessions end long before). */
    public static final long MAX_TIME = 0xFFFF_FFFFL;

    private RecordCodec() {
    }

    /** The 9 bytes that precede a payload of {@code length} bytes (a writer appends the payload itself). */
    public static byte[] recordHeader(int type, long timeMillis, int length) {
        byte[] b = new byte[RECORD_HEADER];
        b[0] = (byte) type;
        putU32(b, 1, Math.min(Math.max(timeMillis, 0), MAX_TIME));
        putU32(b, 5, length);
        return b;
    }

    /** One record's wire bytes. */
    public static byte[] encode(Record r) {
        byte[] payload = payload(r);
        byte[] out = new byte[RECORD_HEADER + payload.length];
        System.arraycopy(recordHeader(r.type(), r.timeMillis(), payload.length), 0, out, 0, RECORD_HEADER);
        System.arraycopy(payload, 0, out, RECORD_HEADER, payload.length);
        return out;
    }

    private static byte[] payload(Record r) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (r instanceof Record.Header h) {
            u16(o, h.version());
            str(o, h.sessionId());
            str(o, h.targetId());
            str(o, h.user());
            str(o, h.mode());
            i64(o, h.startedAtEpochMillis());
            u16(o, h.width());
            u16(o, h.height());
            o.writeBytes(h.pixelFormat().encode());
            byte[] si = h.serverInit();
            u32(o, si.length);
            o.writeBytes(si);
        } else if (r instanceof Record.Device d) {
            o.writeBytes(d.data());
        } else if (r instanceof Record.Key k) {
            o.write(k.down() ? 1 : 0);
            u32(o, k.keysym() & 0xFFFF_FFFFL);
        } else if (r instanceof Record.Pointer p) {
            o.write(p.buttonMask());
            u16(o, p.x());
            u16(o, p.y());
        } else if (r instanceof Record.Clipboard c) {
            o.writeBytes(c.text().getBytes(StandardCharsets.UTF_8));
        } else if (r instanceof Record.ClientControl c) {
            o.writeBytes(c.message());
        } else if (r instanceof Record.Keyframe k) {
            i64(o, k.deviceOffset());
        } else if (r instanceof Record.End e) {
            o.writeBytes(e.reason().getBytes(StandardCharsets.UTF_8));
        }
        return o.toByteArray();
    }

    /**
     * Decodes every record of a segment payload. Offsets in exceptions are relative to {@code off}.
     *
     * @throws ProtocolException for truncation, an unknown type or a malformed payload
     */
    public static List<Record> decodeAll(byte[] b, int off, int len) throws ProtocolException {
        ByteReader r = new ByteReader(b, off, len);
        List<Record> out = new ArrayList<>();
        while (r.remaining() > 0) {
            int at = r.position();
            int type = r.u8("record truncated");
            long time = r.u32("record truncated");
            long n = r.u32("record truncated");
            if (n > r.remaining()) {
                throw new ProtocolException(at, "record length " + n + " beyond the segment");
            }
            int start = off + r.position();
            r.skip((int) n, "record truncated");
            out.add(decodePayload(type, time, b, start, (int) n, at));
        }
        return out;
    }

    private static Record decodePayload(int type, long time, byte[] b, int off, int n, int at)
            throws ProtocolException {
        ByteReader p = new ByteReader(b, off, n);
        Record rec;
        switch (type) {
            case Record.HEADER -> {
                int version = p.u16("header truncated");
                if (version != VERSION) {
                    throw new ProtocolException(at, "unsupported recording version " + version);
                }
                String session = str(p);
                String target = str(p);
                String user = str(p);
                String mode = str(p);
                long started = p.i64("header truncated");
                int w = p.u16("header truncated");
                int h = p.u16("header truncated");
                byte[] pf = p.bytes(PixelFormat.LENGTH, "header truncated");
                PixelFormat format;
                try {
                    format = PixelFormat.decode(pf, 0, pf.length);
                } catch (ProtocolException e) {
                    throw new ProtocolException(at, "header pixel format: " + e.reason());
                }
                long siLen = p.u32("header truncated");
                if (siLen > p.remaining()) {
                    throw new ProtocolException(at, "header ServerInit truncated");
                }
                byte[] si = p.bytes((int) siLen, "header truncated");
                rec = new Record.Header(time, version, session, target, user, mode, started, w, h, format, si);
            }
            case Record.DEVICE -> rec = new Record.Device(time, p.bytes(n, "device truncated"));
            case Record.KEY -> rec = new Record.Key(time, p.u8("key truncated") != 0, p.i32("key truncated"));
            case Record.POINTER -> rec = new Record.Pointer(time, p.u8("pointer truncated"), p.u16("pointer truncated"),
                    p.u16("pointer truncated"));
            case Record.CLIPBOARD -> rec = new Record.Clipboard(time, p.utf8(n, "clipboard truncated",
                    "clipboard is not UTF-8 text"));
            case Record.CLIENT_CONTROL -> rec = new Record.ClientControl(time, p.bytes(n, "control truncated"));
            case Record.KEYFRAME -> rec = new Record.Keyframe(time, p.i64("keyframe truncated"));
            case Record.END -> rec = new Record.End(time, p.utf8(n, "end truncated", "end reason is not UTF-8 text"));
            default -> throw new ProtocolException(at, "unknown record type " + type);
        }
        if (p.remaining() != 0) {
            throw new ProtocolException(at, "record type " + type + " has " + p.remaining() + " extra bytes");
        }
        return rec;
    }

    private static String str(ByteReader p) throws ProtocolException {
        int n = p.u16("string truncated");
        return p.utf8(n, "string truncated", "string is not UTF-8 text");
    }

    private static void str(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 bytes");
        }
        u16(o, b.length);
        o.writeBytes(b);
    }

    private static void u16(ByteArrayOutputStream o, int v) {
        o.write(v >>> 8);
        o.write(v);
    }

    private static void u32(ByteArrayOutputStream o, long v) {
        o.write((int) (v >>> 24));
        o.write((int) (v >>> 16));
        o.write((int) (v >>> 8));
        o.write((int) v);
    }

    private static void i64(ByteArrayOutputStream o, long v) {
        u32(o, v >>> 32);
        u32(o, v & 0xFFFF_FFFFL);
    }

    static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
