package org.cam.simulator.device;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.cam.protocol.discovery.CertificateFingerprint;
import org.cam.protocol.discovery.DeviceInfo;
import org.cam.protocol.discovery.MacAddress;
import org.cam.protocol.discovery.PortRange;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.rfb.ChannelScreen;
import org.cam.simulator.rfb.RfbChannelServer;
import org.cam.simulator.rfb.SessionCredentials;
import org.cam.simulator.Cidrs;
import org.cam.simulator.tls.DeviceCertificate;

/**
 * One simulated KVM-over-IP appliance: identity, mutable configuration, boot counter and firmware, its
 * channels (each an RFB server drawing a test screen) and the lifecycle of boots, reboots and upgrades.
 * The HTTPS API and discovery agent are attached by the fleet and call in here.
 */
public final class SimDevice {

    private static final Logger LOG = Logger.getLogger(SimDevice.class.getName());
    public static final String INITIAL_FIRMWARE = "1.0.0";

    /** One channel: a target server's video, keyboard and mouse. */
    public final class Channel {
        private final int number;
        private volatile String name;
        private volatile String password;
        private volatile boolean powered = true;
        private final ChannelScreen screen;
        private final RfbChannelServer server;
        private final SessionCredentials credentials = new SessionCredentials();

        Channel(int number) {
            this.number = number;
            this.name = String.format("%s-target-%d", SimDevice.this.name, number);
            this.screen = new ChannelScreen(config.width(), config.height(),
                    () -> new String[] {this.name, "device " + SimDevice.this.name + " (" + identity.mac() + ")  channel "
                            + number + "  " + address.getHostAddress() + ":" + port() + "  fw " + firmware},
                    Clock.systemUTC());
            this.server = new RfbChannelServer(vertx, address.getHostAddress(), screen, () -> this.password,
                    () -> this.name, this::busyBecause, credentials, () -> rfbSources,
                    () -> sessionCredentialsOnly);
        }

        public int number() {
            return number;
        }

        public String name() {
            return name;
        }

        public void name(String n) {
            this.name = n;
            screen.refresh();
        }

        /** Single-use credentials the manager set for sessions (device API, session-credentials). */
        public SessionCredentials sessionCredentials() {
            return credentials;
        }

        public boolean hasPassword() {
            return password != null && !password.isEmpty();
        }

        public void password(String p) {
            this.password = p;
        }

        public boolean powered() {
            return powered;
        }

        public void power(boolean on) {
            this.powered = on;
            screen.power(on);
        }

        public int port() {
            return server.port() != 0 ? server.port() : kvmFirstPort + number - 1;
        }

        /** Why a viewer cannot have this channel now (a switch shows one channel at a time), or null. */
        String busyBecause() {
            if (!switchAttached()) {
                return null;
            }
            for (Channel other : channels) {
                if (other != this && other.sessions() > 0) {
                    return "busy: the KVM switch is showing channel " + other.number + " (" + other.name + ")";
                }
            }
            return null;
        }

        public int sessions() {
            return server.sessions();
        }

        public ChannelScreen screen() {
            return screen;
        }

        public RfbChannelServer server() {
            return server;
        }
    }

    /** Progress of a firmware upgrade, as the API reports it. */
    public record FirmwareJob(String state, int progress, String version, String detail) {
    }

    private final Vertx vertx;
    private final SimulatorConfig config;
    private final int index;
    private final Inet4Address address;
    private final DeviceIdentity identity;
    private final Path stateDir;
    private final DeviceCertificate certificate;
    private final List<Channel> channels = new ArrayList<>();

    private volatile String name;
    private volatile String firmware = INITIAL_FIRMWARE;
    private volatile long bootCounter;
    private volatile String deviceSecret;
    private volatile String managerAddress;
    private volatile String discoveryMode;
    private volatile int kvmFirstPort;
    private volatile int pendingKvmFirstPort;
    private volatile Instant bootedAt = Instant.now();
    private volatile boolean running;
    private volatile FirmwareJob firmwareJob = new FirmwareJob("idle", 0, null, null);
    private volatile Runnable onBoot = () -> { };
    private final Properties saved = new Properties();
    private volatile Future<Void> configurationHold = Future.succeededFuture();
    private volatile StatusHold statusHold;
    /** Who may speak RFB to the channels: {@code --rfb-allowed-sources}, or what the manager set since. */
    private volatile String rfbAllowedSources;
    private volatile java.util.function.Predicate<java.net.InetAddress> rfbSources;
    /** Set by the manager once it hands out session credentials: the channels' own passwords then open nothing. */
    private volatile boolean sessionCredentialsOnly;

    public SimDevice(Vertx vertx, SimulatorConfig config, int index) throws IOException {
        this.vertx = vertx;
        this.config = config;
        this.index = index;
        this.address = config.addressOf(index);
        this.identity = DeviceIdentity.derive(config.seed(), index, config.modelName());
        this.name = String.format("%s-%03d", config.namePrefix(), index + 1);
        this.managerAddress = config.manager();
        this.discoveryMode = config.discoveryMode();
        this.kvmFirstPort = config.kvmFirstPort();
        this.pendingKvmFirstPort = kvmFirstPort;
        this.stateDir = config.stateDir() == null ? null
                : config.stateDir().resolve(identity.mac().toString().replace(':', '-'));
        this.rfbAllowedSources = config.rfbAllowedSources();
        loadState();
        this.rfbSources = Cidrs.parse(rfbAllowedSources);
        this.certificate = DeviceCertificate.loadOrCreate(stateDir, name, address.getHostAddress());
        for (int c = 1; c <= config.channels(); c++) {
            Channel ch = new Channel(c);
            ch.name = saved.getProperty("channel." + c + ".name", ch.name);
            ch.password = saved.getProperty("channel." + c + ".password");
            channels.add(ch);
        }
    }

    /** Called after every boot (first start and reboots): the discovery agent announces. */
    public void onBoot(Runnable r) {
        this.onBoot = r;
    }

    /** Boots: bumps the boot counter and opens the channels' RFB listeners. */
    public Future<Void> boot() {
        bootCounter++;
        kvmFirstPort = pendingKvmFirstPort;
        saveState();
        List<Future<Void>> listens = new ArrayList<>();
        for (Channel ch : channels) {
            listens.add(ch.server.listen(kvmFirstPort + ch.number - 1));
        }
        return Future.all(listens).<Void>mapEmpty().onSuccess(v -> {
            bootedAt = Instant.now();
            running = true;
            onBoot.run();
        });
    }

    /** Goes down (all viewers dropped), stays down for the configured time, boots again. */
    public Future<Void> reboot() {
        running = false;
        List<Future<Void>> stops = new ArrayList<>();
        for (Channel ch : channels) {
            stops.add(ch.server.stop());
        }
        Promise<Void> done = Promise.promise();
        Future.join(stops).onComplete(x -> vertx.setTimer(Math.max(1, config.rebootMillis()),
                t -> boot().onComplete(done)));
        return done.future();
    }

    /** Stops everything (fleet shutdown). */
    public Future<Void> shutdown() {
        running = false;
        List<Future<Void>> stops = new ArrayList<>();
        for (Channel ch : channels) {
            stops.add(ch.server.stop());
        }
        return Future.join(stops).mapEmpty();
    }

    /**
     * Starts a firmware upgrade: checks the image against {@code expectedSha256} first and changes nothing
     * when it does not match. Then simulates writing (progress in ten steps) and reboots into {@code version}.
     *
     * @return null when accepted, else the reason it was refused
     */
    public synchronized String upgrade(byte[] image, String expectedSha256, String version) {
        if (firmwareJob.state().equals("writing") || firmwareJob.state().equals("rebooting")) {
            return "an upgrade is already in progress";
        }
        String actual;
        try {
            actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            return "checksum mismatch: image has SHA-256 " + actual;
        }
        firmwareJob = new FirmwareJob("writing", 0, version, null);
        long step = Math.max(1, config.firmwareMillis() / 10);
        vertx.setPeriodic(step, id -> {
            synchronized (this) {
                int p = firmwareJob.progress() + 10;
                if (p < 100) {
                    firmwareJob = new FirmwareJob("writing", p, version, null);
                    return;
                }
                vertx.cancelTimer(id);
                firmwareJob = new FirmwareJob("rebooting", 100, version, null);
                firmware = version;
                saveState();
            }
            reboot().onComplete(r -> firmwareJob = new FirmwareJob(r.succeeded() ? "done" : "failed", 100, version,
                    r.succeeded() ? null : String.valueOf(r.cause())));
        });
        return null;
    }

    /** The ANNOUNCE/REPLY payload describing this device now. */
    public DeviceInfo deviceInfo() {
        return new DeviceInfo(identity.mac(), identity.serial(), identity.model(), firmware, name, address,
                config.httpsPort(), new PortRange(kvmFirstPort, kvmFirstPort + channels.size() - 1), channels.size(),
                bootCounter & 0xFFFF_FFFFL, CertificateFingerprint.of(certificate.fingerprint()));
    }

    // --- persistence: keeps firmware, boot counter, secret and names across restarts when a state dir is set

    private void loadState() throws IOException {
        if (stateDir == null) {
            return;
        }
        Path f = stateDir.resolve("state.properties");
        if (!Files.exists(f)) {
            return;
        }
        Properties p = saved;
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
        }
        firmware = p.getProperty("firmware", firmware);
        bootCounter = Long.parseLong(p.getProperty("bootCounter", "0"));
        deviceSecret = p.getProperty("deviceSecret");
        name = p.getProperty("name", name);
        managerAddress = p.getProperty("managerAddress", managerAddress);
        discoveryMode = p.getProperty("discoveryMode", discoveryMode);
        pendingKvmFirstPort = Integer.parseInt(p.getProperty("kvmFirstPort", String.valueOf(kvmFirstPort)));
        kvmFirstPort = pendingKvmFirstPort;
        rfbAllowedSources = p.getProperty("rfbAllowedSources", rfbAllowedSources);
        sessionCredentialsOnly = Boolean.parseBoolean(p.getProperty("sessionCredentialsOnly", "false"));
    }

    public synchronized void saveState() {
        if (stateDir == null) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("firmware", firmware);
        p.setProperty("bootCounter", String.valueOf(bootCounter));
        if (deviceSecret != null) {
            p.setProperty("deviceSecret", deviceSecret);
        }
        p.setProperty("name", name);
        p.setProperty("managerAddress", managerAddress);
        p.setProperty("discoveryMode", discoveryMode);
        p.setProperty("kvmFirstPort", String.valueOf(pendingKvmFirstPort));
        p.setProperty("rfbAllowedSources", rfbAllowedSources);
        p.setProperty("sessionCredentialsOnly", String.valueOf(sessionCredentialsOnly));
        for (Channel c : channels) {
            p.setProperty("channel." + c.number + ".name", c.name);
            if (c.hasPassword()) {
                // The appliance must present it to nobody but needs it in clear for VNC Authentication.
                p.setProperty("channel." + c.number + ".password", c.password);
            }
        }
        try {
            Files.createDirectories(stateDir);
            Path tmp = stateDir.resolve("state.properties.tmp");
            try (Writer w = Files.newBufferedWriter(tmp)) {
                p.store(w, "CAM simulated device " + identity.mac());
            }
            DeviceCertificate.ownerOnly(tmp); // holds the device secret and session credentials
            Files.move(tmp, stateDir.resolve("state.properties"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot save state of " + name, e);
        }
    }

    // --- accessors

    /**
     * Holds every configuration change accepted from now on (after {@code --config-millis}) until the returned
     * action releases them, so an in-process test can look at the manager while a change is certainly still being
     * applied, however slow the machine is, instead of racing a fixed delay.
     */
    public Runnable holdConfigurations() {
        Promise<Void> gate = Promise.promise();
        configurationHold = gate.future();
        return () -> gate.tryComplete();
    }

    /**
     * Holds every status answer from now on: each request's status is read when it arrives and sent only when the
     * test says, so an in-process test can make a manager act on a status that is certainly older than a change it
     * made meanwhile. {@link #releaseStatusAnswers()} ends the hold.
     */
    public StatusHold holdStatusAnswers() {
        StatusHold hold = new StatusHold();
        statusHold = hold;
        return hold;
    }

    /** Answers every held status request and stops holding. */
    public void releaseStatusAnswers() {
        StatusHold hold = statusHold;
        statusHold = null;
        if (hold != null) {
            hold.answerHeld();
        }
    }

    /** The hold status requests are under, or null when they are answered at once. */
    public StatusHold statusHold() {
        return statusHold;
    }

    /** Status answers a test holds back (see {@link #holdStatusAnswers()}). */
    public static final class StatusHold {
        private final List<Runnable> held = new ArrayList<>();
        private final CompletableFuture<Void> asked = new CompletableFuture<>();

        /** Keeps an answer (already read) until {@link #answerHeld()}. */
        public synchronized void hold(Runnable answer) {
            held.add(answer);
            asked.complete(null);
        }

        /** Completes when the first status request is held. */
        public CompletableFuture<Void> asked() {
            return asked;
        }

        /** Sends the answers held so far; requests arriving later are held too. */
        public void answerHeld() {
            List<Runnable> now;
            synchronized (this) {
                now = List.copyOf(held);
                held.clear();
            }
            now.forEach(Runnable::run);
        }
    }

    /** Completes when configuration changes may be applied (at once unless a test holds them). */
    public Future<Void> configurationHold() {
        return configurationHold;
    }

    public Vertx vertx() {
        return vertx;
    }

    public SimulatorConfig config() {
        return config;
    }

    public int index() {
        return index;
    }

    public Inet4Address address() {
        return address;
    }

    public DeviceIdentity identity() {
        return identity;
    }

    public DeviceCertificate certificate() {
        return certificate;
    }

    public List<Channel> channels() {
        return channels;
    }

    public Channel channel(int number) {
        return number >= 1 && number <= channels.size() ? channels.get(number - 1) : null;
    }

    public String name() {
        return name;
    }

    public void name(String n) {
        this.name = n;
        channels.forEach(c -> c.screen.refresh());
    }

    public String firmware() {
        return firmware;
    }

    public long bootCounter() {
        return bootCounter;
    }

    public boolean enrolled() {
        return deviceSecret != null;
    }

    public String deviceSecret() {
        return deviceSecret;
    }

    public void enrol(String secret) {
        this.deviceSecret = secret;
        saveState();
    }

    /** IPv4 addresses and CIDR blocks, comma-separated, that may speak RFB to the channels; empty: everybody. */
    public String rfbAllowedSources() {
        return rfbAllowedSources;
    }

    /** @throws IllegalArgumentException naming the entry that is not an address or block (nothing changes then) */
    public void rfbAllowedSources(String list) {
        String l = list == null ? "" : list.trim();
        this.rfbSources = Cidrs.parse(l);
        this.rfbAllowedSources = l;
    }

    public boolean sessionCredentialsOnly() {
        return sessionCredentialsOnly;
    }

    public void sessionCredentialsOnly(boolean only) {
        this.sessionCredentialsOnly = only;
    }

    public String managerAddress() {
        return managerAddress;
    }

    public void managerAddress(String m) {
        this.managerAddress = m;
    }

    public String discoveryMode() {
        return discoveryMode;
    }

    public void discoveryMode(String m) {
        this.discoveryMode = m;
    }

    public int kvmFirstPort() {
        return kvmFirstPort;
    }

    public int pendingKvmFirstPort() {
        return pendingKvmFirstPort;
    }

    public void pendingKvmFirstPort(int p) {
        this.pendingKvmFirstPort = p;
    }

    public Duration uptime() {
        return running ? Duration.between(bootedAt, Instant.now()) : Duration.ZERO;
    }

    /** Behind a KVM switch: the last {@code --switch-attached} devices of the fleet. */
    public boolean switchAttached() {
        return index >= config.count() - config.switchAttached();
    }

    public boolean running() {
        return running;
    }

    public FirmwareJob firmwareJob() {
        return firmwareJob;
    }

    /** Deterministic pseudo-random bytes for ids. */
    static Random random(long seed, int index) {
        return new Random(seed * 1_000_003L + index);
    }
}
