package org.cam.simulator;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.VncAuth;

/** A small blocking RFB client for tests: Raw, CopyRect and ZRLE in 32 bpp RGB888. */
final class TestRfbClient implements AutoCloseable {

    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    ServerInit init;
    int[] fb;
    final List<Integer> lastEncodings = new ArrayList<>();
    private final Inflater inflater = new Inflater();

    TestRfbClient(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Full 3.8 handshake; password null for None. */
    TestRfbClient handshake(String password, boolean shared) throws Exception {
        byte[] v = new byte[12];
        in.readFully(v);
        RfbVersion.decode(v, 0, 12);
        out.write(RfbVersion.V3_8.encode());
        int n = in.readUnsignedByte();
        if (n == 0) {
            throw new IOException("refused");
        }
        byte[] types = new byte[n];
        in.readFully(types);
        int type = types[0];
        out.write(type);
        if (type == SecurityType.VNC_AUTH) {
            byte[] challenge = new byte[16];
            in.readFully(challenge);
            out.write(VncAuth.response(challenge, password == null ? "" : password));
        }
        int result = in.readInt();
        if (result != Handshake.RESULT_OK) {
            int len = in.readInt();
            byte[] reason = new byte[len];
            in.readFully(reason);
            throw new SecurityException(new String(reason));
        }
        out.write(shared ? 1 : 0);
        byte[] head = new byte[24];
        in.readFully(head);
        int nameLen = ServerInit.length(head, 0, 24) - 24;
        byte[] all = new byte[24 + nameLen];
        System.arraycopy(head, 0, all, 0, 24);
        in.readFully(all, 24, nameLen);
        init = ServerInit.decode(all, 0, all.length);
        fb = new int[init.width() * init.height()];
        return this;
    }

    void send(ClientMessage m) throws IOException {
        out.write(m.encode());
        out.flush();
    }

    void encodings(Integer... e) throws IOException {
        send(new ClientMessage.SetEncodings(List.of(e)));
    }

    void request(boolean incremental) throws IOException {
        send(new ClientMessage.FramebufferUpdateRequest(incremental, 0, 0, init.width(), init.height()));
    }

    /** Reads one FramebufferUpdate (skipping other server messages) and applies it. Returns the rectangle count. */
    int readUpdate() throws Exception {
        int type = in.readUnsignedByte();
        if (type != 0) {
            throw new IOException("unexpected server message " + type);
        }
        in.readUnsignedByte();
        int rects = in.readUnsignedShort();
        lastEncodings.clear();
        for (int i = 0; i < rects; i++) {
            int x = in.readUnsignedShort();
            int y = in.readUnsignedShort();
            int w = in.readUnsignedShort();
            int h = in.readUnsignedShort();
            int enc = in.readInt();
            lastEncodings.add(enc);
            switch (enc) {
                case Encodings.RAW -> {
                    byte[] px = new byte[w * h * 4];
                    in.readFully(px);
                    for (int j = 0; j < w * h; j++) {
                        fb[(y + j / w) * init.width() + x + j % w] = (px[j * 4] & 0xff) | (px[j * 4 + 1] & 0xff) << 8
                                | (px[j * 4 + 2] & 0xff) << 16;
                    }
                }
                case Encodings.COPY_RECT -> {
                    int sx = in.readUnsignedShort();
                    int sy = in.readUnsignedShort();
                    int[] copy = new int[w * h];
                    for (int r = 0; r < h; r++) {
                        System.arraycopy(fb, (sy + r) * init.width() + sx, copy, r * w, w);
                    }
                    for (int r = 0; r < h; r++) {
                        System.arraycopy(copy, r * w, fb, (y + r) * init.width() + x, w);
                    }
                }
                case Encodings.ZRLE -> zrle(x, y, w, h);
                case Encodings.HEXTILE -> hextile(x, y, w, h);
                default -> throw new IOException("unexpected encoding " + enc);
            }
        }
        return rects;
    }

    /** Hextile, general enough for any server (background, foreground, coloured subrects, raw). */
    private void hextile(int x, int y, int w, int h) throws Exception {
        int bg = 0;
        int fg = 0;
        for (int ty = y; ty < y + h; ty += 16) {
            int th = Math.min(16, y + h - ty);
            for (int tx = x; tx < x + w; tx += 16) {
                int tw = Math.min(16, x + w - tx);
                int sub = in.readUnsignedByte();
                if ((sub & 1) != 0) {
                    for (int yy = ty; yy < ty + th; yy++) {
                        for (int xx = tx; xx < tx + tw; xx++) {
                            fb[yy * init.width() + xx] = pixel();
                        }
                    }
                    continue;
                }
                if ((sub & 2) != 0) {
                    bg = pixel();
                }
                if ((sub & 4) != 0) {
                    fg = pixel();
                }
                for (int yy = ty; yy < ty + th; yy++) {
                    for (int xx = tx; xx < tx + tw; xx++) {
                        fb[yy * init.width() + xx] = bg;
                    }
                }
                if ((sub & 8) != 0) {
                    int n = in.readUnsignedByte();
                    for (int i = 0; i < n; i++) {
                        int c = (sub & 16) != 0 ? pixel() : fg;
                        int xy = in.readUnsignedByte();
                        int wh = in.readUnsignedByte();
                        for (int yy = 0; yy <= (wh & 15); yy++) {
                            for (int xx = 0; xx <= (wh >> 4); xx++) {
                                fb[(ty + (xy & 15) + yy) * init.width() + tx + (xy >> 4) + xx] = c;
                            }
                        }
                    }
                }
            }
        }
    }

    private int pixel() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        int b2 = in.readUnsignedByte();
        in.readUnsignedByte();
        return b0 | b1 << 8 | b2 << 16;
    }

    private void zrle(int x, int y, int w, int h) throws Exception {
        int len = in.readInt();
        byte[] z = new byte[len];
        in.readFully(z);
        inflater.setInput(z);
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int n;
        while ((n = inflater.inflate(buf)) > 0) {
            o.write(buf, 0, n);
        }
        byte[] d = o.toByteArray();
        int[] p = {0};
        for (int ty = y; ty < y + h; ty += 64) {
            int th = Math.min(64, y + h - ty);
            for (int tx = x; tx < x + w; tx += 64) {
                int tw = Math.min(64, x + w - tx);
                int sub = d[p[0]++] & 0xff;
                if (sub == 0) {
                    for (int yy = ty; yy < ty + th; yy++) {
                        for (int xx = tx; xx < tx + tw; xx++) {
                            fb[yy * init.width() + xx] = cpixel(d, p);
                        }
                    }
                } else if (sub == 1) {
                    int c = cpixel(d, p);
                    for (int yy = ty; yy < ty + th; yy++) {
                        for (int xx = tx; xx < tx + tw; xx++) {
                            fb[yy * init.width() + xx] = c;
                        }
                    }
                } else if (sub <= 16) {
                    int[] pal = new int[sub];
                    for (int i = 0; i < sub; i++) {
                        pal[i] = cpixel(d, p);
                    }
                    int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
                    for (int yy = ty; yy < ty + th; yy++) {
                        int used = 8;
                        int cur = 0;
                        for (int xx = tx; xx < tx + tw; xx++) {
                            if (used == 8) {
                                cur = d[p[0]++] & 0xff;
                                used = 0;
                            }
                            int idx = (cur >> (8 - bits - used)) & ((1 << bits) - 1);
                            used += bits;
                            fb[yy * init.width() + xx] = pal[idx];
                        }
                    }
                } else {
                    throw new IOException("unexpected ZRLE subencoding " + sub);
                }
            }
        }
        if (p[0] != d.length) {
            throw new IOException("ZRLE data left over: " + (d.length - p[0]));
        }
    }

    private static int cpixel(byte[] d, int[] p) {
        int v = (d[p[0]] & 0xff) | (d[p[0] + 1] & 0xff) << 8 | (d[p[0] + 2] & 0xff) << 16;
        p[0] += 3;
        return v;
    }

    /** True when the server closed the connection (read returns EOF or reset). */
    boolean closedByServer() {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        socket.close();
    }

    static PixelFormat rgb888() {
        return PixelFormat.RGB888;
    }
}
