package org.cam.broker.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import org.cam.protocol.ProtocolException;

/**
 * Collects bytes during a handshake and hands out whole messages, one read at a time, so the handshake reads
 * as a sequence of futures. Not thread-safe: used on the connection's context only. Bounded: a peer that sends
 * more than {@code limit} bytes ahead of the handshake is a protocol error.
 */
final class StreamReader {

    /** Total length the next message needs given what is buffered, or {@code Integer.MAX_VALUE} when unknown yet. */
    @FunctionalInterface
    interface Length {
        int of(byte[] b, int off, int len) throws ProtocolException;
    }

    private final int limit;
    private Buffer buf = Buffer.buffer();
    private Promise<Buffer> pending;
    private Length need;
    private Throwable failure;

    StreamReader(int limit) {
        this.limit = limit;
    }

    void feed(Buffer b) {
        if (failure != null) {
            return;
        }
        buf.appendBuffer(b);
        if (buf.length() > limit) {
            fail(new ProtocolException(limit, "too many bytes during the handshake"));
            return;
        }
        poll();
    }

    Future<Buffer> read(int n) {
        return read((b, off, len) -> n);
    }

    Future<Buffer> read(Length length) {
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        if (pending != null) {
            throw new IllegalStateException("one read at a time");
        }
        pending = Promise.promise();
        need = length;
        Future<Buffer> f = pending.future();
        poll();
        return f;
    }

    /** Fails the pending and every later read (peer closed, timeout). */
    void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        Promise<Buffer> p = pending;
        pending = null;
        if (p != null) {
            p.tryFail(t);
        }
    }

    /** What arrived after the last message read: the first bytes of the relay phase. */
    Buffer rest() {
        Buffer r = buf;
        buf = Buffer.buffer();
        return r;
    }

    private void poll() {
        if (pending == null || buf.length() == 0) {
            return;
        }
        int n;
        try {
            byte[] bytes = buf.getBytes();
            n = need.of(bytes, 0, bytes.length);
        } catch (ProtocolException e) {
            fail(e);
            return;
        }
        if (n > buf.length()) {
            return;
        }
        Buffer out = buf.getBuffer(0, n);
        buf = buf.getBuffer(n, buf.length());
        Promise<Buffer> p = pending;
        pending = null;
        p.complete(out);
    }
}
