package org.cam.broker.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import org.cam.broker.management.Claim;
import org.cam.broker.management.EndReport;
import org.cam.broker.recording.SessionRecorder;
import org.cam.broker.relay.DeviceHandshake.DeviceException;
import org.cam.broker.session.EndReason;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.ClientMessageParser;
import org.cam.protocol.rfb.RelayEncodings;
import org.cam.protocol.rfb.ServerMessageFramer;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.VeNCrypt;
import org.cam.protocol.rfb.VncAuth;
import org.jboss.logging.Logger;

/**
 * One client connection from accept to close: the broker's RFB server handshake towards the client, the claim,
 * the device handshake, then the relay. Everything runs on the client connection's context (one event loop), so
 * no state here needs locks; other threads ask for an end through {@link #endAsync}.
 *
 * <p>Order: stock VNC clients authenticate first (VNC Authentication answered with the one-time password, inside
 * VeNCrypt's TLS on 9901, which
 * management-api resolves to a session through the challenge/response claim); browsers present a ticket, which is
 * verified offline and then claimed, before any RFB byte; they are offered security type None. The device is then
 * connected and authenticated, and only then does the client get its SecurityResult and the device's ServerInit,
 * so a client never sees a session the broker could not reach.
 */
public final class RelaySession {

    private static final Logger LOG = Logger.getLogger(RelaySession.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int HANDSHAKE_BUFFER_LIMIT = 64 * 1024;
    /** What a client hears when its address has used up its password guesses (here or in management-api). */
    private static final String THROTTLED = "too many password attempts from your address, try again later";

    private enum State { HANDSHAKE, RELAY, ENDED }

    private final SessionHost host;
    private final ClientLink client;
    private final Context context;
    private final Admission admission;
    private final StreamReader clientIn = new StreamReader(HANDSHAKE_BUFFER_LIMIT);
    private final long acceptedNanos = System.nanoTime();
    private final AtomicLong bytesFromClient = new AtomicLong();
    private final AtomicLong bytesFromDevice = new AtomicLong();

    private State state = State.HANDSHAKE;
    private long handshakeTimer = -1;
    private Claim claim;
    private DeviceLink device;
    private ClientMessageParser parser;
    private ServerMessageFramer framer;
    private RelayPolicy policy;
    /** The last client message forwarded was a fence with SyncNext (see ServerMessageFramer#pixelFormatAfterFence). */
    private boolean syncNextFence;
    private static final int FENCE_SYNC_NEXT = 1 << 2;
    /** Device bytes of a message not classified yet (the first bytes of a cut text): held until it is. */
    private Buffer held;
    private RfbVersion clientVersion;
    private volatile long lastInputNanos = System.nanoTime();
    private volatile long relayStartNanos;
    private volatile Instant startedAt;
    private volatile long droppedInputs;
    private volatile long droppedFromDevice;
    /** Fed while the session is recorded; null when it is not (or writing failed and the session went on). */
    private SessionRecorder recorder;
    private volatile CompletableFuture<EndReport.RecordingOutcome> recordingOutcome;
    private long segmentTimer = -1;
    private volatile boolean askedToResume;
    private long keyframeTimer = -1;

    public RelaySession(SessionHost host, ClientLink client, Context context, Admission admission) {
        this.host = host;
        this.client = client;
        this.context = context;
        this.admission = admission;
    }

    // ---- start ------------------------------------------------------------------------------------------

    /** A stock VNC client on 9900: RFB first, VNC Authentication, claim by challenge/response. */
    public void startRfb() {
        begin();
        client.write(Buffer.buffer(RfbVersion.V3_8.encode()));
        clientIn.read(RfbVersion.LENGTH)
                .compose(b -> clientVersion(b))
                .compose(v -> offerSecurity(SecurityType.VNC_AUTH))
                .compose(v -> {
                    admission.helloDone();
                    return vncAuthAndClaim();
                })
                .onFailure(this::handshakeFailed);
    }

    /**
     * A VeNCrypt client on 9901 (TigerVNC's viewer and others): RFB first, security type VeNCrypt 0.2 with the one
     * sub-type X509Vnc, TLS with the broker's certificate, then VNC Authentication with the one-time password inside
     * it. Anonymous TLS (TLSVnc) is not offered: the client could not tell the broker from a man in the middle.
     */
    public void startVeNCrypt() {
        begin();
        client.write(Buffer.buffer(RfbVersion.V3_8.encode()));
        clientIn.read(RfbVersion.LENGTH)
                .compose(b -> clientVersion(b))
                .compose(v -> {
                    if (!clientVersion.negotiatesSecurityTypes()) {
                        client.write(Buffer.buffer(Handshake.encodeSecurityFailure(clientVersion,
                                "this port speaks VeNCrypt (RFB 3.7 or later); use 9900 for RFB 3.3")));
                        return Future.failedFuture(new ProtocolException("RFB 3.3 client on the VeNCrypt port"));
                    }
                    return offerSecurity(SecurityType.VENCRYPT);
                })
                .compose(v -> {
                    client.write(Buffer.buffer(VeNCrypt.version()));
                    return clientIn.read(2);
                })
                .compose(ver -> {
                    if (ver.getByte(0) != VeNCrypt.MAJOR || ver.getByte(1) != VeNCrypt.MINOR) {
                        client.write(Buffer.buffer(new byte[] {1}));
                        return Future.failedFuture(new ProtocolException("VeNCrypt version " + ver.getByte(0) + "."
                                + ver.getByte(1)));
                    }
                    client.write(Buffer.buffer(new byte[] {0}));
                    client.write(Buffer.buffer(VeNCrypt.encodeSubtypes(List.of(VeNCrypt.X509_VNC))));
                    return clientIn.read(4);
                })
                .compose(st -> {
                    if (st.getInt(0) != VeNCrypt.X509_VNC) {
                        client.write(Buffer.buffer(new byte[] {0}));
                        return Future.failedFuture(new ProtocolException("VeNCrypt sub-type " + st.getInt(0)));
                    }
                    client.write(Buffer.buffer(new byte[] {1}));
                    // The TLS handshake may wait for a person (a viewer asking whether to trust the certificate).
                    admission.helloDone();
                    return client.upgradeToTls();
                })
                .compose(v -> vncAuthAndClaim())
                .onFailure(this::handshakeFailed);
    }

    /** VNC Authentication answered with the one-time password, the claim, the device, SecurityResult, ServerInit. */
    private Future<Void> vncAuthAndClaim() {
        byte[] challenge = VncAuth.challenge(RANDOM);
        client.write(Buffer.buffer(challenge));
        return clientIn.read(VncAuth.CHALLENGE_LENGTH)
                .compose(response -> {
                    // Every answer costs management-api a claim: an address out of guesses is refused here.
                    if (!admission.takeGuess()) {
                        client.write(Buffer.buffer(Handshake.encodeSecurityResult(clientVersion, false, THROTTLED)));
                        refuse("vnc_auth_throttled", THROTTLED);
                        return Future.failedFuture(Refused.INSTANCE);
                    }
                    return Future.succeededFuture(response);
                })
                .compose(response -> host.claimByVncResponse(challenge, response.getBytes(), client.remoteAddress())
                        .recover(t -> {
                            String reason = ClaimFailures.reason("vnc_auth", t);
                            String message = reason.endsWith("_throttled") ? THROTTLED : "authentication failed";
                            client.write(Buffer.buffer(Handshake.encodeSecurityResult(clientVersion, false, message)));
                            refuse(reason, message);
                            return Future.failedFuture(Refused.INSTANCE);
                        }))
                .compose(c -> {
                    admission.guessRight();
                    return claimed(c);
                })
                .compose(v -> {
                    client.write(Buffer.buffer(Handshake.encodeSecurityResult(clientVersion, true, "")));
                    return finishClientInit();
                });
    }

    /** A browser (9902): the ticket is verified and claimed before any RFB byte; security None. */
    public void startWebSocket(WebSocketLink ws) {
        begin();
        String fromQuery = ws.queryTicket();
        Future<String> ticket;
        if (fromQuery != null) {
            ticket = Future.succeededFuture(fromQuery);
        } else {
            io.vertx.core.Promise<String> p = io.vertx.core.Promise.promise();
            ws.textHandler(p::tryComplete);
            ticket = p.future();
        }
        ticket.compose(token -> {
            admission.helloDone();
            org.cam.protocol.ticket.Ticket verified;
            try {
                verified = host.verifyTicket(token);
            } catch (ProtocolException e) {
                refuse("ticket_" + e.reason(), "ticket refused: " + e.reason());
                return Future.failedFuture(Refused.INSTANCE);
            }
            return host.claim(verified.sessionId(), verified.issuedAt(), client.remoteAddress()).recover(t -> {
                refuse(ClaimFailures.reason("claim", t), "session cannot be claimed");
                return Future.failedFuture(Refused.INSTANCE);
            });
        }).compose(this::claimed).compose(v -> {
            client.write(Buffer.buffer(RfbVersion.V3_8.encode()));
            return clientIn.read(RfbVersion.LENGTH);
        }).compose(this::clientVersion).compose(v -> offerSecurity(SecurityType.NONE)).compose(v -> {
            if (clientVersion == RfbVersion.V3_8) {
                client.write(Buffer.buffer(Handshake.encodeSecurityResult(clientVersion, true, "")));
            }
            return finishClientInit();
        }).onFailure(this::handshakeFailed);
    }

    private void begin() {
        client.handler(clientIn::feed);
        client.closeHandler(v -> onClientClosed());
        admission.onHelloTimeout(() -> {
            // Refused first: the failed read below would otherwise be counted as a protocol error.
            refuse("hello_timeout", "nothing received in time");
            clientIn.fail(new ProtocolException("hello timeout"));
        });
        handshakeTimer = context.owner().setTimer(host.handshakeTimeout().toMillis(), id -> {
            handshakeTimer = -1;
            if (state == State.HANDSHAKE) {
                // Ended first: the failed read below would otherwise end it as a protocol error.
                if (claim != null) {
                    end(EndReason.HANDSHAKE_TIMEOUT);
                } else {
                    refuse("handshake_timeout", "handshake timeout");
                }
                clientIn.fail(new ProtocolException("handshake timeout"));
            }
        });
    }

    // ---- client handshake steps ---------------------------------------------------------------------------

    private Future<Void> clientVersion(Buffer b) {
        try {
            clientVersion = RfbVersion.decode(b.getBytes(), 0, RfbVersion.LENGTH);
            return Future.succeededFuture();
        } catch (ProtocolException e) {
            return Future.failedFuture(e);
        }
    }

    /** Offers exactly one security type; 3.3 clients are told, 3.7/3.8 clients choose it. */
    private Future<Void> offerSecurity(int type) {
        client.write(Buffer.buffer(Handshake.encodeSecurityTypes(clientVersion, List.of(type))));
        if (!clientVersion.negotiatesSecurityTypes()) {
            return Future.succeededFuture();
        }
        return clientIn.read(1).compose(b -> (b.getByte(0) & 0xff) == type ? Future.succeededFuture()
                : Future.failedFuture(new ProtocolException(0, "client chose security type " + (b.getByte(0) & 0xff))));
    }

    /** Claimed: remember it, connect and authenticate to the device. */
    private Future<Void> claimed(Claim c) {
        if (state == State.ENDED) {
            // The client left while the claim was in flight: the session is ACTIVE upstream, so end it there.
            claim = c;
            host.reportEnd(this, EndReason.CLIENT_CLOSED);
            return Future.failedFuture(Refused.INSTANCE);
        }
        claim = c;
        parser = new ClientMessageParser(host.maxCutText());
        policy = new RelayPolicy(c.mode(), c.clipboard());
        return DeviceHandshake.connect(host.deviceClient(),
                new DeviceHandshake.Tls(host.deviceTlsClient(), host.deviceCas()), c.device()).compose(d -> {
            device = d;
            if (state == State.ENDED) {
                d.socket().close();
                return Future.failedFuture(Refused.INSTANCE);
            }
            NetSocket s = d.socket();
            s.setWriteQueueMaxSize(host.writeQueueMaxBytes());
            s.closeHandler(v -> end(EndReason.DEVICE_CLOSED));
            s.exceptionHandler(t -> LOG.debugf("session %s: device socket: %s", c.sessionId(), t.getMessage()));
            return startRecording();
        }, t -> {
            // The device's own refusal (e.g. "busy: the KVM switch is showing channel 2") is worth showing the user.
            String refusal = deviceRefusal(t);
            // A VNC-auth client waits for its SecurityResult: fail it (3.8 carries the reason), then end the session.
            if (clientVersion != null && state == State.HANDSHAKE) {
                client.write(Buffer.buffer(Handshake.encodeSecurityResult(clientVersion, false,
                        refusal != null ? "target refused: " + refusal : "target unavailable")));
            }
            LOG.infof("session %s: device: %s", c.sessionId(), t.getMessage());
            boolean unreachable = t instanceof DeviceException de && de.unreachable;
            end(unreachable ? EndReason.DEVICE_UNREACHABLE
                    : refusal != null ? EndReason.DEVICE_REFUSED : EndReason.DEVICE_PROTOCOL_ERROR);
            return Future.failedFuture(Refused.INSTANCE);
        });
    }

    /**
     * Opens the recording when the claim asks for one, before the client sees the device: a fail-closed target whose
     * recording cannot be written never gets a session.
     */
    private Future<Void> startRecording() {
        if (!claim.recorded()) {
            return Future.succeededFuture();
        }
        return host.openRecording(claim, device.serverInit(), device.serverInitWire().getBytes()).compose(r -> {
            if (state == State.ENDED) {
                r.close("client_closed");
                return Future.<Void>failedFuture(Refused.INSTANCE);
            }
            recorder = r;
            r.onFailure(t -> context.runOnContext(v -> recordingFailed(t)));
            return Future.<Void>succeededFuture();
        }, t -> {
            if (!claim.recording().failClosed()) {
                LOG.warnf("session %s: not recorded (recording cannot be written: %s)", claim.sessionId(),
                        t.getMessage());
                return Future.succeededFuture();
            }
            LOG.warnf("session %s refused: recording cannot be written: %s", claim.sessionId(), t.getMessage());
            if (clientVersion != null && state == State.HANDSHAKE) {
                client.write(Buffer.buffer(Handshake.encodeSecurityResult(clientVersion, false,
                        "session recording unavailable")));
            }
            end(EndReason.RECORDING_FAILED);
            return Future.failedFuture(Refused.INSTANCE);
        });
    }

    /** Writing failed for good (storage and spool): fail-closed ends the session, otherwise it goes on unrecorded. */
    private void recordingFailed(Throwable t) {
        if (recorder == null || state == State.ENDED) {
            return;
        }
        if (claim.recording().failClosed()) {
            end(EndReason.RECORDING_FAILED);
            return;
        }
        LOG.warnf("session %s continues unrecorded: %s", claim.sessionId(), t.getMessage());
        stopRecording(EndReason.RECORDING_FAILED.wire());
    }

    private void stopRecording(String reason) {
        if (recorder == null) {
            return;
        }
        cancelTimer(segmentTimer);
        cancelTimer(keyframeTimer);
        segmentTimer = -1;
        keyframeTimer = -1;
        recordingOutcome = recorder.close(reason);
        recorder = null;
    }

    private void cancelTimer(long id) {
        if (id >= 0) {
            context.owner().cancelTimer(id);
        }
    }

    /**
     * Asks the device for a full frame (non-incremental update of the whole screen) and marks the place, so a player
     * can start near any point. Written between whole client messages (this runs on the session's event loop, where
     * every client message is forwarded whole), an unasked-for update the client simply draws.
     */
    private void requestKeyframe() {
        if (state != State.RELAY || recorder == null) {
            return;
        }
        org.cam.protocol.rfb.ServerInit init = device.serverInit();
        device.socket().write(Buffer.buffer(new ClientMessage.FramebufferUpdateRequest(false, 0, 0, init.width(),
                init.height()).encode()));
        recorder.keyframe();
    }

    private void recordToClient(ByteBuf b, int index, int length) {
        if (recorder != null) {
            recorder.device(b, index, length);
        }
    }

    private void recordInput(ClientMessage m, byte[] raw) {
        if (m instanceof ClientMessage.KeyEvent k) {
            recorder.key(k.down(), k.keysym());
        } else if (m instanceof ClientMessage.QemuExtendedKeyEvent k) {
            recorder.key(k.down(), k.keysym());
        } else if (m instanceof ClientMessage.PointerEvent p) {
            recorder.pointer(p.buttonMask(), p.x(), p.y());
        } else if (m instanceof ClientMessage.ClientCutText c) {
            recorder.clipboard(c.text());
        } else if (m instanceof ClientMessage.SetPixelFormat || m instanceof ClientMessage.SetEncodings) {
            recorder.control(raw);
        }
    }

    private Future<Void> finishClientInit() {
        return clientIn.read(1).map(ci -> {
            // The client's shared flag is not forwarded: the device got shared=1 (see DeviceHandshake).
            client.write(device.serverInitWire());
            startRelay();
            return null;
        });
    }

    private void handshakeFailed(Throwable t) {
        if (t == Refused.INSTANCE || state == State.ENDED) {
            return;
        }
        if (claim != null) {
            LOG.debugf("session %s: client handshake failed: %s", claim.sessionId(), t.getMessage());
            end(EndReason.CLIENT_PROTOCOL_ERROR);
        } else {
            refuse(t instanceof ProtocolException ? "client_protocol_error" : "client_closed", null);
        }
    }

    /** Closes a connection that never became a session, counting why. */
    private void refuse(String reason, String message) {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        cancelHandshakeTimer();
        host.rejected(reason);
        client.close(message);
    }

    // ---- relay ----------------------------------------------------------------------------------------------

    private void startRelay() {
        cancelHandshakeTimer();
        admission.handshakeDone();
        state = State.RELAY;
        relayStartNanos = System.nanoTime();
        startedAt = Instant.now();
        lastInputNanos = relayStartNanos;
        host.started(this, Duration.ofNanos(relayStartNanos - acceptedNanos));
        if (recorder != null) {
            org.cam.broker.BrokerConfig.Recording rc = host.recordingConfig();
            SessionRecorder r = recorder;
            segmentTimer = context.owner().setPeriodic(rc.segmentInterval().toMillis(), id -> r.flush());
            keyframeTimer = context.owner().setPeriodic(rc.keyframeInterval().toMillis(), id -> requestKeyframe());
        }
        NetSocketInternal dev = (NetSocketInternal) device.socket();
        framer = new ServerMessageFramer(device.serverInit().pixelFormat());
        Buffer early = device.reader().rest();
        // Raw Netty buffers from the device: Vert.x's Buffer handler would copy each read to the heap (and the write
        // back to a direct buffer); the message handler hands over the pooled buffer itself.
        dev.messageHandler(this::fromDeviceDirect);
        Buffer pipelined = clientIn.rest();
        client.handler(this::fromClient);
        if (early.length() > 0) {
            fromDevice(early);
        }
        if (pipelined.length() > 0) {
            fromClient(pipelined);
        }
    }

    /** What the device sent between its ServerInit and the start of the relay (rare: a Bell, a cut text). */
    private void fromDevice(Buffer b) {
        fromDeviceDirect(Unpooled.wrappedBuffer(b.getBytes()));
    }

    private void fromDeviceDirect(Object msg) {
        if (!(msg instanceof ByteBuf bb)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state != State.RELAY) {
            bb.release();
            return;
        }
        int n = bb.readableBytes();
        bytesFromDevice.addAndGet(n);
        host.countFromDevice(n);
        try {
            frameFromDevice(bb, n);
        } catch (ProtocolException e) {
            bb.release();
            // What cannot be framed cannot be filtered: end the session rather than pass it on.
            LOG.infof("session %s: device stream cannot be framed: %s", claim.sessionId(), e.getMessage());
            end(EndReason.DEVICE_PROTOCOL_ERROR);
            return;
        }
        throttleDevice();
    }

    /**
     * Cuts the device's bytes at message boundaries and forwards what the policy allows. The common case (everything
     * passes) writes the pooled buffer itself; only a dropped message makes slices of it.
     */
    private void frameFromDevice(ByteBuf bb, int n) throws ProtocolException {
        int base = bb.readerIndex();
        java.nio.ByteBuffer nio = bb.nioBuffer(base, n);
        int runStart = 0;
        int runEnd = 0;
        boolean cut = false;
        while (nio.hasRemaining()) {
            int from = nio.position();
            framer.advance(nio);
            int to = nio.position();
            ServerMessageFramer.Kind kind = framer.kind();
            if (kind == null) {
                // Not known yet whether it may pass: keep a copy (at most a cut text's 12-byte header).
                byte[] part = new byte[to - from];
                bb.getBytes(base + from, part);
                held = held == null ? Buffer.buffer(part) : held.appendBytes(part);
                cut = true;
                continue;
            }
            boolean pass = policy.toClient(kind, framer.clipboardAction());
            if (held != null) {
                if (pass) {
                    if (runEnd > runStart) {
                        recordToClient(bb, base + runStart, runEnd - runStart);
                        client.writeDirect(bb.retainedSlice(base + runStart, runEnd - runStart));
                    }
                    if (recorder != null) {
                        recorder.device(held.getBytes());
                    }
                    client.write(held);
                    runStart = from;
                    runEnd = from;
                }
                held = null;
            }
            if (!pass) {
                cut = true;
                if (framer.atBoundary()) {
                    droppedFromDevice++;
                }
                continue;
            }
            if (runEnd == from) {
                runEnd = to;
            } else {
                if (runEnd > runStart) {
                    recordToClient(bb, base + runStart, runEnd - runStart);
                    client.writeDirect(bb.retainedSlice(base + runStart, runEnd - runStart));
                }
                runStart = from;
                runEnd = to;
            }
        }
        if (!cut && runStart == 0 && runEnd == n) {
            recordToClient(bb, base, n);
            client.writeDirect(bb);
            return;
        }
        if (runEnd > runStart) {
            recordToClient(bb, base + runStart, runEnd - runStart);
            client.writeDirect(bb.retainedSlice(base + runStart, runEnd - runStart));
        }
        bb.release();
    }

    private void throttleDevice() {
        if (client.writeQueueFull()) {
            // A slow client: stop reading the device until the client's queue drains (bounded memory). The
            // message handler bypasses NetSocket.pause(), so this is Netty's autoRead, i.e. TCP flow control.
            ChannelConfig dev = ((NetSocketInternal) device.socket()).channelHandlerContext().channel().config();
            dev.setAutoRead(false);
            client.drainHandler(v -> dev.setAutoRead(true));
        }
        if (recorder != null && recorder.backlogged()) {
            // The recording's writer is behind (compression, disk): the same flow control, until it catches up.
            ChannelConfig dev = ((NetSocketInternal) device.socket()).channelHandlerContext().channel().config();
            dev.setAutoRead(false);
            recorder.onDrained(() -> context.runOnContext(v -> {
                if (state == State.RELAY && !client.writeQueueFull()) {
                    dev.setAutoRead(true);
                }
            }));
        }
    }

    private void fromClient(Buffer b) {
        if (state != State.RELAY) {
            return;
        }
        bytesFromClient.addAndGet(b.length());
        host.countFromClient(b.length());
        parser.feed(b.getBytes());
        Buffer out = null;
        try {
            ClientMessageParser.Frame f;
            while ((f = parser.next()) != null) {
                ClientMessage m = f.message();
                if (m.isInput()) {
                    lastInputNanos = System.nanoTime();
                }
                if (!policy.toDevice(m)) {
                    droppedInputs++;
                    continue;
                }
                byte[] raw = f.raw();
                if (m instanceof ClientMessage.SetEncodings se) {
                    // The device must not turn on what the framers cannot follow (see RelayEncodings).
                    java.util.List<Integer> kept = RelayEncodings.filter(se.encodings());
                    if (!kept.equals(se.encodings())) {
                        raw = new ClientMessage.SetEncodings(kept).encode();
                    }
                } else if (m instanceof ClientMessage.SetPixelFormat spf) {
                    if (syncNextFence) {
                        framer.pixelFormatAfterFence(spf.pixelFormat());
                    } else {
                        framer.pixelFormat(spf.pixelFormat());
                    }
                }
                syncNextFence = m instanceof ClientMessage.ClientFence fence && (fence.flags() & FENCE_SYNC_NEXT) != 0;
                if (recorder != null) {
                    recordInput(m, raw);
                }
                if (out == null) {
                    out = Buffer.buffer(raw);
                } else {
                    out.appendBytes(raw);
                }
            }
        } catch (ProtocolException e) {
            // What cannot be parsed cannot be enforced: end the session rather than pass it on.
            LOG.infof("session %s: malformed client message: %s", claim.sessionId(), e.getMessage());
            end(EndReason.CLIENT_PROTOCOL_ERROR);
            return;
        }
        if (out != null) {
            NetSocket dev = device.socket();
            dev.write(out);
            if (dev.writeQueueFull()) {
                client.pause();
                dev.drainHandler(v -> client.resume());
            }
        }
    }

    // ---- ending ----------------------------------------------------------------------------------------------

    private void onClientClosed() {
        clientIn.fail(new ProtocolException("client closed"));
        if (state == State.ENDED) {
            return;
        }
        if (claim == null) {
            // Closed before claiming; a claim in flight is ended when it returns (see claimed()).
            state = State.ENDED;
            cancelHandshakeTimer();
            host.rejected("client_closed");
            return;
        }
        end(EndReason.CLIENT_CLOSED);
    }

    /** Ends from any thread. */
    public void endAsync(EndReason reason) {
        context.runOnContext(v -> end(reason));
    }

    /**
     * Ends this leg and asks the client to resume the session through another broker (from any thread): only a
     * relaying session whose claim allows it, on a client that can (a browser console); false otherwise, and nothing
     * happens.
     */
    public boolean resumeElsewhere(EndReason reason) {
        if (!client.canResume() || claim == null || !claim.resumable()) {
            return false;
        }
        context.runOnContext(v -> {
            if (state == State.RELAY) {
                askedToResume = true;
                end(reason);
            }
        });
        return true;
    }

    /** Whether this leg ended asking the client to resume (the end report says the session goes on). */
    public boolean askedToResume() {
        return askedToResume;
    }

    private void end(EndReason reason) {
        if (state == State.ENDED) {
            return;
        }
        boolean wasRelaying = state == State.RELAY;
        state = State.ENDED;
        cancelHandshakeTimer();
        stopRecording(reason.wire());
        if (device != null) {
            device.socket().close();
        }
        if (askedToResume) {
            client.closeForResume(reason.wire());
        } else {
            client.close("ended: " + reason.wire());
        }
        if (claim != null) {
            host.ended(this, reason, wasRelaying);
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer >= 0) {
            context.owner().cancelTimer(handshakeTimer);
            handshakeTimer = -1;
        }
    }

    // ---- what the host reads ----------------------------------------------------------------------------------

    public String sessionId() {
        return claim == null ? null : claim.sessionId();
    }

    public Claim claim() {
        return claim;
    }

    public ClientLink client() {
        return client;
    }

    /** The recording's outcome once the session has ended, or null when it was not recorded. */
    public CompletableFuture<EndReport.RecordingOutcome> recordingOutcome() {
        return recordingOutcome;
    }

    public long bytesFromClient() {
        return bytesFromClient.get();
    }

    public long bytesFromDevice() {
        return bytesFromDevice.get();
    }

    public long lastInputNanos() {
        return lastInputNanos;
    }

    public long relayStartNanos() {
        return relayStartNanos;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Client messages the policy dropped (input and target control in view, clipboard against the policy). */
    public long droppedInputs() {
        return droppedInputs;
    }

    /** Device messages the policy dropped (the target's clipboard). */
    public long droppedFromDevice() {
        return droppedFromDevice;
    }

    /** Complete device messages relayed or dropped so far (frame boundaries, for recording and resume later). */
    public long deviceMessages() {
        return framer == null ? 0 : framer.messages();
    }

    /** The reason a device gave for refusing the viewer (RFB security failure), or null for any other failure. */
    static String deviceRefusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.cam.protocol.ProtocolException pe && pe.reason().startsWith(SERVER_REFUSED)) {
                String reason = pe.reason().substring(SERVER_REFUSED.length());
                return reason.length() > 200 ? reason.substring(0, 200) : reason;
            }
        }
        return null;
    }

    private static final String SERVER_REFUSED = "server refused: ";

    /** Marker for a handshake that was already refused and closed. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Refused INSTANCE = new Refused();

        private Refused() {
            super("refused", null, false, false);
        }
    }
}
