package org.cam.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.cam.simulator.api.DeviceApi;
import org.cam.simulator.device.SimDevice;
import org.cam.simulator.discovery.DiscoveryAgent;
import org.cam.simulator.rfb.ChannelScreen;

/**
 * A fleet of simulated devices sharing one Vert.x instance (a few event loops for all of them) and one
 * screen clock.
 */
public final class Fleet implements AutoCloseable {

    /** A device with its API and discovery agent. */
    public record Member(SimDevice device, DeviceApi api, DiscoveryAgent discovery) {
    }

    private final SimulatorConfig config;
    private final Vertx vertx;
    private final List<Member> members = new ArrayList<>();

    public Fleet(SimulatorConfig config) {
        this.config = config;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoops())
                .setWorkerPoolSize(2).setInternalBlockingPoolSize(2)
                // Generating 1,000 certificates and binding 6,000 sockets is slow but not stuck.
                .setBlockedThreadCheckInterval(10_000));
    }

    /** Creates and boots every device; {@code ready} hears about each one as it becomes ready. */
    public Future<Void> start(Consumer<Member> ready) throws IOException {
        List<Future<Void>> all = new ArrayList<>();
        for (int i = 0; i < config.count(); i++) {
            SimDevice d = new SimDevice(vertx, config, i);
            DiscoveryAgent agent = new DiscoveryAgent(d);
            DeviceApi api = new DeviceApi(d, agent::announce);
            d.onBoot(agent::announce);
            Member m = new Member(d, api, agent);
            members.add(m);
            all.add(agent.start().compose(v -> api.start()).compose(v -> d.boot()).onSuccess(v -> ready.accept(m))
                    .recover(e -> Future.failedFuture(new IOException(
                            "device " + d.name() + " on " + d.address().getHostAddress() + ": " + e, e))));
        }
        vertx.setPeriodic(config.tickMillis(), id -> {
            for (Member m : members) {
                for (SimDevice.Channel c : m.device().channels()) {
                    c.screen().tick();
                }
            }
        });
        return Future.all(all).mapEmpty();
    }

    public List<Member> members() {
        return members;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The screen of channel {@code channel} of device {@code index} (for tests). */
    public ChannelScreen screen(int index, int channel) {
        return members.get(index).device().channel(channel).screen();
    }

    @Override
    public void close() {
        List<Future<Void>> stops = new ArrayList<>();
        for (Member m : members) {
            stops.add(m.discovery().stop());
            stops.add(m.api().stop());
            stops.add(m.device().shutdown());
        }
        try {
            Future.join(stops).toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
