package org.cam.simulator.discovery;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.cam.protocol.discovery.ManagerAddress;
import org.cam.protocol.discovery.MessageType;
import org.cam.protocol.discovery.SiteKey;
import org.cam.simulator.device.SimDevice;

/**
 * The device side of discovery (UDP, the protocol module's codec): ANNOUNCE after every boot (broadcast in
 * auto mode, unicast to the configured manager in manual mode) and a REPLY to every valid DISCOVER heard
 * on the primary (3080) or fallback (3081) port. The REPLY goes to the manager's answer address carried in
 * the DISCOVER (port 3080 in practice), never to the DISCOVER's source port, so a DISCOVER that came on
 * 3081 is still answered on 3080. Sockets use SO_REUSEADDR so devices on 127.0.1.x:3080 coexist with a
 * manager on the wildcard address.
 */
public final class DiscoveryAgent {

    private static final Logger LOG = Logger.getLogger(DiscoveryAgent.class.getName());

    private final SimDevice device;
    private final DiscoveryCodec codec;
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private DatagramSocket sender;
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong announces = new AtomicLong();

    public DiscoveryAgent(SimDevice device) {
        this.device = device;
        String key = device.config().siteKey();
        this.codec = DiscoveryCodec.withOptionalKey(key == null ? null : SiteKey.fromBase64(key));
    }

    /** Binds the listeners (primary unless disabled, and fallback). */
    public Future<Void> start() {
        String host = device.config().udpWildcard() ? "0.0.0.0" : device.address().getHostAddress();
        List<Future<Void>> binds = new ArrayList<>();
        if (device.config().listenPrimary()) {
            binds.add(bind(host, device.config().discoveryPort(), true));
        }
        binds.add(bind(host, device.config().fallbackPort(), !device.config().listenPrimary()));
        return Future.all(binds).mapEmpty();
    }

    private Future<Void> bind(String host, int port, boolean isSender) {
        DatagramSocket s = device.vertx().createDatagramSocket(new DatagramSocketOptions()
                .setReuseAddress(true).setBroadcast(true).setIpV6(false));
        sockets.add(s);
        if (isSender) {
            sender = s;
        }
        s.handler(this::onPacket);
        return s.listen(port, host).mapEmpty();
    }

    public Future<Void> stop() {
        List<Future<Void>> closes = new ArrayList<>();
        sockets.forEach(s -> closes.add(s.close()));
        return Future.join(closes).mapEmpty();
    }

    /** Sends an ANNOUNCE according to the device's current discovery mode. */
    public void announce() {
        if (sender == null) {
            return;
        }
        try {
            int tx = ThreadLocalRandom.current().nextInt();
            byte[] bytes;
            String host;
            int port;
            if (device.discoveryMode().equals("manual")) {
                String[] hp = device.managerAddress().split(":");
                host = hp[0];
                port = Integer.parseInt(hp[1]);
                ManagerAddress m = new ManagerAddress((Inet4Address) InetAddress.getByName(host), port);
                bytes = codec.encode(DiscoveryMessage.announceManual(tx, device.deviceInfo(), m));
            } else {
                host = device.config().broadcastAddress();
                port = device.config().discoveryPort();
                bytes = codec.encode(DiscoveryMessage.announce(tx, device.deviceInfo()));
            }
            sender.send(Buffer.buffer(bytes), port, host).onSuccess(v -> announces.incrementAndGet())
                    .onFailure(e -> LOG.log(Level.WARNING, "ANNOUNCE of {0} to {1}:{2} failed: {3}",
                            new Object[] {device.name(), host, port, e.getMessage()}));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot announce " + device.name(), e);
        }
    }

    private void onPacket(DatagramPacket p) {
        DiscoveryMessage m;
        try {
            m = codec.decode(p.data().getBytes());
        } catch (ProtocolException e) {
            // Counted and dropped: a datagram can never hurt the device.
            rejected.incrementAndGet();
            LOG.log(Level.FINE, "dropped datagram from {0}: {1}", new Object[] {p.sender(), e.getMessage()});
            return;
        }
        if (m.type() != MessageType.DISCOVER || !device.running()) {
            return;
        }
        ManagerAddress to = m.managerAddress();
        String host = to.address().isAnyLocalAddress() ? p.sender().host() : to.address().getHostAddress();
        byte[] reply = codec.encode(DiscoveryMessage.reply(m, device.deviceInfo()));
        // Answer from the primary socket when there is one, so the manager sees source port 3080.
        DatagramSocket out = sender != null ? sender : sockets.get(0);
        out.send(Buffer.buffer(reply), to.port(), host).onSuccess(v -> replies.incrementAndGet());
    }

    public long rejected() {
        return rejected.get();
    }

    public long replies() {
        return replies.get();
    }

    public long announces() {
        return announces.get();
    }
}
