package org.cam.broker.listener;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
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
import org.jboss.logging.Logger;

/**
 * The three client-facing listeners: 9900 plain RFB, 9901 RFB with VeNCrypt (X509Vnc), 9902 WebSocket in TLS. Bound at start
 * (the application fails to start when a port is taken); on SIGTERM they refuse new clients at once and close after
 * the drain.
 */
@ApplicationScoped
public class Listeners {

    private static final Logger LOG = Logger.getLogger(Listeners.class);

    private final BrokerConfig config;
    private final Vertx vertx;
    private final BrokerService service;
    private volatile NetServer plain;
    private volatile NetServer tls;
    private volatile HttpServer websocket;
    private volatile boolean bound;
    private volatile boolean closed;

    public Listeners(BrokerConfig config, Vertx vertx, BrokerService service) {
        this.config = config;
        this.vertx = vertx;
        this.service = service;
    }

    void onStart(@Observes StartupEvent e) throws Exception {
        KeyCertOptions cert = certificate();
        NetServerOptions base = new NetServerOptions().setHost(config.host()).setTcpNoDelay(true)
                .setTcpKeepAlive(true).setReuseAddress(true);
        plain = vertx.createNetServer(new NetServerOptions(base).setPort(config.plainPort()))
                .connectHandler(s -> accept(s, "plain"));
        // VeNCrypt: the connection starts as plain RFB and turns to TLS inside the handshake (ssl off, certificate on).
        tls = vertx.createNetServer(new NetServerOptions(base).setPort(config.tlsPort()).setSsl(false)
                .setKeyCertOptions(cert)
                .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(config.tls().vencryptProtocols())))
                .connectHandler(s -> accept(s, "tls"));
        websocket = vertx.createHttpServer(new HttpServerOptions().setHost(config.host())
                        .setPort(config.websocketPort()).setSsl(true).setKeyCertOptions(cert).setTcpNoDelay(true)
                        .setTcpKeepAlive(true).setReuseAddress(true)
                        // noVNC asks for "binary"; clients that ask for nothing are served too.
                        .setWebSocketSubProtocols(List.of("binary"))
                        .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(4 << 20))
                .webSocketHandler(this::acceptWebSocket)
                .requestHandler(r -> {
                    LOG.debugf("plain HTTP request on the WebSocket port: %s %s %s", r.method(), r.uri(), r.headers());
                    r.response().setStatusCode(426).putHeader("Connection", "close").end("WebSocket only\n");
                });
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
        if (closed || service.draining()) {
            service.rejected("draining");
            socket.close();
            return;
        }
        RelaySession s = new RelaySession(service, new NetSocketLink(socket, listener,
                config.relay().writeQueueMaxBytes()), Vertx.currentContext());
        if (listener.equals("tls")) {
            s.startVeNCrypt();
        } else {
            s.startRfb();
        }
    }

    private void acceptWebSocket(ServerWebSocket ws) {
        if (closed || service.draining()) {
            service.rejected("draining");
            ws.close((short) 1001, "broker draining");
            return;
        }
        WebSocketLink link = new WebSocketLink(ws, config.relay().writeQueueMaxBytes());
        // Pings under the usual 60 s load-balancer idle limit keep quiet browser sessions open.
        link.startPings(vertx, config.relay().websocketPingInterval().toMillis());
        new RelaySession(service, link, Vertx.currentContext()).startWebSocket(link);
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
