package org.cam.replication.monitor.rest;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cam.replication.support.PrivatePair;

/** A private MariaDB pair (13326/13327) for the Quarkus app, and a loopback webhook that records alarms. */
public class PairAndWebhookResource implements QuarkusTestResourceLifecycleManager {

    static final PrivatePair PAIR = new PrivatePair("quarkus", 13326, 13327);
    static final List<String> ALARMS = new CopyOnWriteArrayList<>();
    /** The Authorization header of every webhook call, in order. */
    static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    static final String TOKEN = "test-replication-token";
    private HttpServer webhook;

    @Override
    public Map<String, String> start() {
        PAIR.rebuild();
        try {
            webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        webhook.createContext("/alarms", exchange -> {
            AUTHORIZATIONS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            try (InputStream in = exchange.getRequestBody()) {
                ALARMS.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        return Map.of(
                "cam.replication.primary.port", Integer.toString(PAIR.primaryPort),
                "cam.replication.secondary.port", Integer.toString(PAIR.replicaPort),
                "cam.replication.alarm-webhook", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alarms",
                "cam.replication.alarm-webhook-token", TOKEN,
                "cam.replication.management-token", TOKEN,
                "cam.replication.agent.port", "0");
    }

    @Override
    public void stop() {
        if (webhook != null) {
            webhook.stop(0);
        }
        PAIR.down();
    }
}
