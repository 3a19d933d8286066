package org.cam.broker.listener;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cam.broker.BrokerConfig;
import org.cam.broker.relay.NetSocketLink;
import org.cam.broker.relay.RelaySession;
import org.cam.broker.relay.WebSocketLink;
import org.cam.broker.session.BrokerService;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.RfbVersion;
import org.jboss.logging.Logger;

/**
 * The three client-facing listeners: 9900 plain RFB, 9901 RFB with VeNCrypt (X509Vnc), 9902 WebSocket in TLS. Bound at start
 * (the application fails to start when a port is taken); on SIGTERM they refuse new clients at once and close after
 * the drain. Every connection is admitted by {@link ConnectionLimits} first and must finish its unattended opening
 * within the hello timeout (cam.broker.limits.*): a client that connects and then says nothing, or half an HTTP
 * header, holds its connection for that long and no longer.
 */
@ApplicationScoped
public class Listeners {

    private static final Logger LOG = Logger.getLogger(Listeners.class);

    private final BrokerConfig config;
    private final Vertx vertx;
    private final BrokerService service;
    private final ConnectionLimits limits;
    private volatile NetServer plain;
    private volatile NetServer tls;
    private volatile HttpServer websocket;
    private volatile boolean bound;
    private volatile boolean closed;

    private static final AttributeKey<Permit> PERMIT = AttributeKey.valueOf("cam.broker.permit");
    private static final ConnectionLimits.Refusal DRAINING =
            new ConnectionLimits.Refusal("draining", "broker draining, connect again");

    public Listeners(BrokerConfig config, Vertx vertx, BrokerService service, ConnectionLimits limits) {
        this.config = config;
        this.vertx = vertx;
        this.service = service;
        this.limits = limits;
    }

    void onStart(@Observes StartupEvent e) throws Exception {
        KeyCertOptions cert = certificate();
        NetServerOptions base = new NetServerOptions().setHost(config.host()).setTcpNoDelay(true)
                .setTcpKeepAlive(true).setReuseAddress(true).setUseProxyProtocol(config.proxyProtocol());
        plain = vertx.createNetServer(new NetServerOptions(base).setPort(config.plainPort()))
                .connectHandler(s -> accept(s, "plain"));
        // VeNCrypt: the connection starts as plain RFB and turns to TLS inside the handshake (ssl off, certificate on).
        tls = vertx.createNetServer(new NetServerOptions(base).setPort(config.tlsPort()).setSsl(false)
                .setKeyCertOptions(cert)
                .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(config.tls().vencryptProtocols())))
                .connectHandler(s -> accept(s, "tls"));
        websocket = vertx.createHttpServer(new HttpServerOptions().setHost(config.host())
                        .setPort(config.websocketPort()).setSsl(true).setKeyCertOptions(cert).setTcpNoDelay(true)
                        .setTcpKeepAlive(true).setReuseAddress(true).setUseProxyProtocol(config.proxyProtocol())
                        // A TLS handshake that never finishes is dropped as early as an idle connection.
                        .setSslHandshakeTimeout(config.limits().helloTimeout().toMillis())
                        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                        // noVNC asks for "binary"; clients that ask for nothing are served too.
                        .setWebSocketSubProtocols(List.of("binary"))
                        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(4 << 20))
                .connectionHandler(this::acceptHttp)
                // Upgrades go through the request handler (not a WebSocket handler) so that a refusal can be an HTTP
                // answer with a status, Retry-After and the reason.
                .requestHandler(this::request);
        Future.all(plain.listen(), tls.listen(), websocket.listen()).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        bound = true;
        LOG.infof("listening on %s: plain RFB %d, RFB/VeNCrypt %d, WebSocket/TLS %d", config.host(), plainPort(),
                tlsPort(), websocketPort());
    }

    private KeyCertOptions certificate() {
        if (config.tls().certPath().isPresent() && config.tls().keyPath().isPresent()) {
            return new PemKeyCertOptions().setCertPath(config.tls().certPath().get())
                    .setKeyPath(config.tls().keyPath().get());
        }
        LOG.warn("no cam.broker.tls.cert-path/key-path: using a self-signed certificate (demo only)");
        return SelfSignedCertificate.create("cam-broker").keyCertOptions();
    }

    private void accept(NetSocket socket, String listener) {
        String address = socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
        // Both RFB listeners ask for a one-time password: an address out of guesses is refused before it costs more.
        Permit permit = closed || service.draining() ? null : limits.admit(address, true);
        ConnectionLimits.Refusal refusal = permit == null ? DRAINING : permit.refusal();
        if (refusal != null) {
            refuseRfb(socket, refusal);
            return;
        }
        permit.bind(vertx, ((NetSocketInternal) socket).channelHandlerContext().channel(),
                () -> service.rejected("hello_timeout"));
        RelaySession s = new RelaySession(service, new NetSocketLink(socket, listener,
                config.relay().writeQueueMaxBytes()), Vertx.currentContext(), permit);
        if (listener.equals("tls")) {
            s.startVeNCrypt();
        } else {
            s.startRfb();
        }
    }

    /**
     * Refuses an RFB client with its reason before the version exchange: RFB 3.3 lets the server fail the connection
     * right after its ProtocolVersion (security type 0 and a reason), and every client version understands that.
     * The broker's side ends after the reason (the client reads it, then the end); the socket closes when the client
     * has answered with its version, or after the hello timeout: closed at once, the client's version would meet a
     * closed socket, whose reset could cost the client the reason still unread.
     */
    private void refuseRfb(NetSocket socket, ConnectionLimits.Refusal refusal) {
        service.rejected(refusal.reason());
        Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
        socket.write(Buffer.buffer(RfbVersion.V3_3.encode())
                .appendBytes(Handshake.encodeSecurityFailure(RfbVersion.V3_3, refusal.message())))
                .onSuccess(v -> {
                    if (channel instanceof DuplexChannel d) {
                        d.shutdownOutput();
                    }
                });
        long timer = vertx.setTimer(config.limits().helloTimeout().toMillis(), id -> socket.close());
        socket.handler(b -> {
            vertx.cancelTimer(timer);
            socket.close();
        });
        socket.closeHandler(v -> vertx.cancelTimer(timer));
    }

    /** A connection on 9902 after its TLS handshake: admitted, or marked refused and answered at its first request. */
    private void acceptHttp(HttpConnection conn) {
        Channel channel = ((ConnectionBase) conn).channel();
        String address = conn.remoteAddress() == null ? "unknown" : conn.remoteAddress().hostAddress();
        Permit permit = limits.admit(address, false);
        channel.attr(PERMIT).set(permit);
        if (permit.refusal() != null) {
            // Counted now, answered when its request comes (with the reason), closed after the hello timeout if it
            // never does.
            service.rejected(permit.refusal().reason());
            long timer = vertx.setTimer(config.limits().helloTimeout().toMillis(), id -> conn.close());
            channel.closeFuture().addListener(f -> vertx.cancelTimer(timer));
            return;
        }
        permit.bind(vertx, channel, () -> service.rejected("hello_timeout"));
    }

    private void request(HttpServerRequest req) {
        Permit permit = ((ConnectionBase) req.connection()).channel().attr(PERMIT).get();
        ConnectionLimits.Refusal refusal = permit == null
                ? new ConnectionLimits.Refusal("not_admitted", "not admitted") : permit.refusal();
        if (refusal == null && (closed || service.draining())) {
            refusal = DRAINING;
            service.rejected(refusal.reason());
        }
        if (refusal != null) {
            // 429 when it is this address's doing, 503 when the broker as a whole is full or going away.
            int status = refusal.reason().equals("too_many_connections_from_address") ? 429 : 503;
            req.response().setStatusCode(status).putHeader("Retry-After", "10").putHeader("Connection", "close")
                    .putHeader("Content-Type", "text/plain; charset=utf-8").end(refusal.message() + "\n")
                    .onComplete(v -> req.connection().close());
            return;
        }
        String upgrade = req.getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            LOG.debugf("plain HTTP request on the WebSocket port: %s %s %s", req.method(), req.uri(), req.headers());
            req.response().setStatusCode(426).putHeader("Connection", "close").end("WebSocket only\n")
                    .onComplete(v -> req.connection().close());
            return;
        }
        req.toWebSocket().onSuccess(ws -> acceptWebSocket(ws, permit))
                .onFailure(t -> LOG.debugf("WebSocket upgrade failed: %s", t.getMessage()));
    }

    private void acceptWebSocket(ServerWebSocket ws, Permit permit) {
        WebSocketLink link = new WebSocketLink(ws, config.relay().writeQueueMaxBytes());
        // Pings under the usual 60 s load-balancer idle limit keep quiet browser sessions open.
        link.startPings(vertx, config.relay().websocketPingInterval().toMillis());
        new RelaySession(service, link, Vertx.currentContext(), permit).startWebSocket(link);
    }

    /** First on SIGTERM: refuse new clients (readiness drops too). The sockets stay bound during the drain. */
    void onStopAccepting(@Observes @Priority(0) ShutdownEvent e) {
        closed = true;
    }

    /**
     * After the drain (BrokerService, priority 1): only now close the servers, because closing a Vert.x 4 server
     * also closes every connection it accepted, which would cut the sessions the drain lets finish.
     */
    void onStop(@Observes @Priority(10) ShutdownEvent e) {
        List<Future<Void>> all = new ArrayList<>();
        for (var s : new Object[] {plain, tls, websocket}) {
            if (s instanceof NetServer n) {
                all.add(n.close());
            } else if (s instanceof HttpServer h) {
                all.add(h.close());
            }
        }
        try {
            Future.join(all).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ex) {
            LOG.debugf("closing listeners: %s", ex.getMessage());
        }
    }

    /** Bound and still accepting. */
    public boolean accepting() {
        return bound && !closed;
    }

    public int plainPort() {
        return plain.actualPort();
    }

    public int tlsPort() {
        return tls.actualPort();
    }

    public int websocketPort() {
        return websocket.actualPort();
    }
}
