package org.cam.testsupport.rfb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLContext;

/** Plain TCP or TLS: blocking reads with a 15 s timeout. */
final class SocketTransport implements RfbTestClient.Transport {
    private final Socket s;
    private final InputStream in;
    private final OutputStream out;

    SocketTransport(Socket s) throws IOException {
        this.s = s;
        s.setSoTimeout(15_000);
        s.setTcpNoDelay(true);
        this.in = s.getInputStream();
        this.out = s.getOutputStream();
    }

    /** VeNCrypt: TLS over this connection from here on. */
    SocketTransport startTls(SSLContext ctx, String host, int port) throws IOException {
        return new SocketTransport(RfbTestClient.wrap(ctx, s, host, port));
    }

    @Override
    public void write(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    @Override
    public byte[] read(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("closed before " + n + " bytes");
        }
        return b;
    }

    @Override
    public boolean awaitClosed(long millis) throws IOException {
        s.setSoTimeout((int) millis);
        byte[] b = new byte[65536];
        try {
            while (true) {
                if (in.read(b) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset counts as closed
        }
    }

    @Override
    public void close() {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }
}
