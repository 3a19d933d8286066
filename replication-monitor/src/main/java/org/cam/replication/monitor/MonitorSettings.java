package org.cam.replication.monitor;

import java.time.Duration;
import org.cam.replication.observe.NodeEndpoint;

/** Plain settings for {@link MonitorEngine}, built from the config mapping (or directly by tests). */
public record MonitorSettings(
        NodeEndpoint primary,
        NodeEndpoint secondary,
        Duration interval,
        Duration heartbeatInterval,
        Duration connectTimeout,
        Duration queryTimeout,
        int hysteresis,
        Duration lagThreshold,
        String monitorDatabase,
        String replicationUser,
        String replicationPassword,
        Duration switchoverTimeout,
        Duration promoteCatchUpTimeout,
        boolean autoFailover,
        Duration autoFailoverGrace,
        Duration autoFailoverBlock) {
}
