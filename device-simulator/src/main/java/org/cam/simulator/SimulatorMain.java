package org.cam.simulator;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.simulator.device.SimDevice;

/**
 * {@code java -jar device-simulator.jar [options]}: starts a fleet and prints one line per device when it is
 * ready, then a summary line. Stops on SIGTERM/SIGINT.
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        SimulatorConfig config;
        try {
            if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
                System.out.println(SimulatorConfig.usage());
                return;
            }
            config = SimulatorConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // Each device holds about six sockets (HTTPS, one per channel, two UDP); say so before binds fail.
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long needed = (long) config.count() * (config.channels() + 3) + 200;
            if (os.getMaxFileDescriptorCount() < needed) {
                System.err.printf("warning: %d devices need about %d file descriptors, the limit is %d (ulimit -n)%n",
                        config.count(), needed, os.getMaxFileDescriptorCount());
            }
        }
        long t0 = System.nanoTime();
        Fleet fleet = new Fleet(config);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            fleet.close();
            stop.countDown();
        }, "fleet-shutdown"));
        AtomicInteger n = new AtomicInteger();
        try {
            fleet.start(m -> {
                SimDevice d = m.device();
                System.out.printf("device %d ready: name=%s id=%s serial=%s https=https://%s:%d kvm=%s:%d-%d "
                                + "discovery=%s sha256=%s%n",
                        n.incrementAndGet(), d.name(), d.identity().mac(), d.identity().serial(),
                        d.address().getHostAddress(), config.httpsPort(), d.address().getHostAddress(),
                        d.kvmFirstPort(), d.kvmFirstPort() + d.channels().size() - 1, d.discoveryMode(),
                        d.certificate().fingerprintHex());
            }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            System.err.println("fleet failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
        System.out.printf("fleet ready: %d devices x %d channels in %d ms (heap used after GC %d MiB)%n",
                config.count(), config.channels(), ms, heap);
        System.out.flush();
        stop.await();
    }
}
