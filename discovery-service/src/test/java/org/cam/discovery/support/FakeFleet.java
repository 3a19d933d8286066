package org.cam.discovery.support;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.discovery.CertificateFingerprint;
import org.cam.protocol.discovery.DeviceInfo;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.cam.protocol.discovery.MacAddress;
import org.cam.protocol.discovery.ManagerAddress;
import org.cam.protocol.discovery.MessageType;
import org.cam.protocol.discovery.PortRange;

/**
 * Codec-driven devices on real UDP sockets, all served by one selector thread (a thousand devices must not cost
 * two thousand threads). Each device listens on its address at the device port (unless switched off) and the
 * fallback port, answers DISCOVER with REPLY to the DISCOVER's manager address, and can ANNOUNCE.
 */
public final class FakeFleet implements AutoCloseable {

    private final DiscoveryCodec codec;
    private final Selector selector;
    private final Thread loop;
    private final List<Device> devices = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicLong discoversAnswered = new AtomicLong();
    private volatile boolean running = true;

    public FakeFleet(DiscoveryCodec codec) throws IOException {
        this.codec = codec;
        this.selector = Selector.open();
        this.loop = new Thread(this::run, "fake-fleet");
        loop.setDaemon(true);
        loop.start();
    }

    /** A deterministic device description: device n, advertising {@code address}. */
    public static DeviceInfo info(int n, String address, String firmware, long bootCounter) {
        return info(n, address, firmware, bootCounter, "KVM-4");
    }

    public static DeviceInfo info(int n, String address, String firmware, long bootCounter, String model) {
        try {
            byte[] fp = MessageDigest.getInstance("SHA-256").digest(("device-" + n).getBytes());
            return new DeviceInfo(new MacAddress(0x02_00_00_00_00_00L + n), "SN-" + n, model, firmware, null,
                    (Inet4Address) InetAddress.getByName(address), 9443, new PortRange(5900, 5903), 4, bootCounter,
                    CertificateFingerprint.of(fp));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds a device bound to {@code address}: on {@code devicePort} when {@code listenOnDevicePort}, and always on
     * {@code fallbackPort} (0 = none).
     */
    public Device add(DeviceInfo info, String address, int devicePort, boolean listenOnDevicePort, int fallbackPort)
            throws IOException {
        Device d = new Device(info);
        InetAddress bind = InetAddress.getByName(address);
        if (listenOnDevicePort) {
            d.primary = open(new InetSocketAddress(bind, devicePort), d);
        }
        if (fallbackPort > 0) {
            d.fallback = open(new InetSocketAddress(bind, fallbackPort), d);
        }
        if (d.primary == null && d.fallback == null) {
            d.primary = open(new InetSocketAddress(bind, 0), d);
        }
        synchronized (devices) {
            devices.add(d);
        }
        return d;
    }

    private DatagramChannel open(InetSocketAddress at, Device d) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
        ch.bind(at);
        ch.configureBlocking(false);
        // Registering must happen on the selector thread or it blocks behind select().
        tasks.add(() -> {
            try {
                ch.register(selector, SelectionKey.OP_READ, d);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        selector.wakeup();
        return ch;
    }

    public List<Device> devices() {
        synchronized (devices) {
            return List.copyOf(devices);
        }
    }

    public long discoversAnswered() {
        return discoversAnswered.get();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (running) {
            try {
                selector.select(200);
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    Device d = (Device) key.attachment();
                    while (true) {
                        buf.clear();
                        if (ch.receive(buf) == null) {
                            break;
                        }
                        buf.flip();
                        byte[] data = new byte[buf.remaining()];
                        buf.get(data);
                        d.onDatagram(ch, data);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (running) {
                    e.printStackTrace();
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Device d : devices()) {
            d.closeSockets();
        }
        selector.close();
    }

    /** One simulated device. */
    public final class Device {
        private volatile DeviceInfo info;
        private DatagramChannel primary;
        private DatagramChannel fallback;
        private volatile DiscoveryCodec ownCodec;
        private final AtomicLong discovers = new AtomicLong();

        Device(DeviceInfo info) {
            this.info = info;
        }

        public DeviceInfo info() {
            return info;
        }

        public String id() {
            return info.deviceId().toString();
        }

        /** What the device advertises from now on (e.g. after a firmware upgrade). */
        public void update(DeviceInfo next) {
            this.info = next;
        }

        /** This device signs with another key than the fleet (or none when null). */
        public void useCodec(DiscoveryCodec c) {
            this.ownCodec = c;
        }

        private DiscoveryCodec codec() {
            return ownCodec != null ? ownCodec : codec;
        }

        public long discoversSeen() {
            return discovers.get();
        }

        /** Manual mode: ANNOUNCE by unicast to the manager. */
        public void announceTo(String managerHost, int managerPort) throws IOException {
            ManagerAddress m = new ManagerAddress((Inet4Address) InetAddress.getByName(managerHost), managerPort);
            send(codec().encode(DiscoveryMessage.announceManual(0, info, m)), m.toSocketAddress());
        }

        /** Auto mode: ANNOUNCE without the manual flag, sent to {@code host:port} (a broadcast address or not). */
        public void announceAuto(String host, int port) throws IOException {
            send(codec().encode(DiscoveryMessage.announce(0, info)), new InetSocketAddress(host, port));
        }

        public void sendRaw(byte[] data, String host, int port) throws IOException {
            send(data, new InetSocketAddress(host, port));
        }

        private void send(byte[] data, InetSocketAddress to) throws IOException {
            DatagramChannel ch = primary != null ? primary : fallback;
            ch.send(ByteBuffer.wrap(data), to);
        }

        void onDatagram(DatagramChannel ch, byte[] data) throws IOException {
            DiscoveryMessage msg;
            try {
                msg = codec().decode(data);
            } catch (ProtocolException e) {
                return; // a real device ignores what it cannot read
            }
            if (msg.type() != MessageType.DISCOVER) {
                return;
            }
            discovers.incrementAndGet();
            discoversAnswered.incrementAndGet();
            // Always to the manager's answer address, whichever port the DISCOVER came in on.
            ch.send(ByteBuffer.wrap(codec().encode(DiscoveryMessage.reply(msg, info))),
                    msg.managerAddress().toSocketAddress());
        }

        void closeSockets() throws IOException {
            if (primary != null) {
                primary.close();
            }
            if (fallback != null) {
                fallback.close();
            }
        }
    }
}
