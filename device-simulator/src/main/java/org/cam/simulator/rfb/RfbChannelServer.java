package org.cam.simulator.rfb;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The RFB listener of one channel (address, port) and its viewers. Several viewers share the channel's
 * screen; a viewer whose ClientInit asks for exclusive access (shared flag 0) disconnects the others.
 */
public final class RfbChannelServer {

    private final Vertx vertx;
    private final String host;
    private final ChannelScreen screen;
    private final Supplier<String> password;
    private final Supplier<String> desktopName;
    private final Supplier<String> busy;
    private final SessionCredentials credentials;
    private final Supplier<Predicate<InetAddress>> allowedSources;
    private final BooleanSupplier sessionCredentialsOnly;
    private final Set<RfbConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile NetServer server;
    private volatile int port;
    private volatile String clipboard = "";

    /**
     * @param password    the channel's session credential, or null for security type None
     * @param desktopName the name sent in ServerInit
     * @param busy        why the channel cannot be viewed now (a KVM switch showing another channel), or null
     */
    public RfbChannelServer(Vertx vertx, String host, ChannelScreen screen, Supplier<String> password,
                            Supplier<String> desktopName, Supplier<String> busy) {
        this(vertx, host, screen, password, desktopName, busy, new SessionCredentials(), () -> a -> true, () -> false);
    }

    /**
     * @param credentials            the channel's session credentials (single use, set by the manager per session)
     * @param allowedSources         who may speak RFB to the channel now (the brokers); others are refused with a
     *                               reason
     * @param sessionCredentialsOnly whether only session credentials open the channel now: its own password is then
     *                               refused, and a channel without a live session credential still asks for one
     */
    public RfbChannelServer(Vertx vertx, String host, ChannelScreen screen, Supplier<String> password,
                            Supplier<String> desktopName, Supplier<String> busy, SessionCredentials credentials,
                            Supplier<Predicate<InetAddress>> allowedSources, BooleanSupplier sessionCredentialsOnly) {
        this.vertx = vertx;
        this.host = host;
        this.screen = screen;
        this.password = password;
        this.desktopName = desktopName;
        this.busy = busy;
        this.credentials = credentials;
        this.allowedSources = allowedSources;
        this.sessionCredentialsOnly = sessionCredentialsOnly;
    }

    boolean sessionCredentialsOnly() {
        return sessionCredentialsOnly.getAsBoolean();
    }

    SessionCredentials credentials() {
        return credentials;
    }

    boolean allows(io.vertx.core.net.SocketAddress remote) {
        try {
            return remote != null && remote.hostAddress() != null
                    && allowedSources.get().test(InetAddress.getByName(remote.hostAddress()));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    String busy() {
        return busy.get();
    }

    /** Starts listening on {@code port}. */
    public Future<Void> listen(int port) {
        NetServer s = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                .setReuseAddress(true));
        s.connectHandler(sock -> {
            RfbConnection c = new RfbConnection(this, sock, vertx.getOrCreateContext());
            connections.add(c);
            c.start();
        });
        this.server = s;
        this.port = port;
        return s.listen().mapEmpty();
    }

    /** Stops listening and drops every viewer (power loss or reboot). */
    public Future<Void> stop() {
        for (RfbConnection c : List.copyOf(connections)) {
            c.close("channel stopping");
        }
        NetServer s = server;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }

    Vertx vertx() {
        return vertx;
    }

    public ChannelScreen screen() {
        return screen;
    }

    public int port() {
        return port;
    }

    /** Viewers past the handshake. */
    public int sessions() {
        return (int) connections.stream().filter(RfbConnection::isViewing).count();
    }

    String password() {
        String p = password.get();
        return p == null || p.isEmpty() ? null : p;
    }

    String desktopName() {
        return desktopName.get();
    }

    String describe() {
        return host + ":" + port;
    }

    void viewerJoined(RfbConnection c, boolean shared) {
        if (!shared) {
            for (RfbConnection other : List.copyOf(connections)) {
                if (other != c) {
                    other.close("another viewer asked for exclusive access");
                }
            }
        }
    }

    /** The target's clipboard: what a viewer set last. */
    String clipboard() {
        return clipboard;
    }

    /** A viewer set the clipboard: like a desktop's, the other viewers are told (this is how a target's
     *  clipboard reaches viewers in tests: one viewer at the console, another through the broker). */
    void clipboardFrom(RfbConnection source, String text) {
        clipboard = text;
        for (RfbConnection c : List.copyOf(connections)) {
            if (c != source && c.isViewing()) {
                c.clipboardChanged(text);
            }
        }
    }

    void removed(RfbConnection c) {
        connections.remove(c);
    }
}
