package org.cam.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * scripts/infra.sh for a MariaDB pair of a test's own (never the shared one): its state in {@code dir}, its nodes on
 * {@code nodeA}/{@code nodeB} and the next two ports for the proxy and LDAP, which the pair's commands do not start.
 * Each call's output is appended to {@code dir/infra-calls.log}; a call that fails or hangs fails the test.
 */
record InfraScript(Path root, Path dir, int nodeA, int nodeB) {

    void run(String... args) throws Exception {
        run(Map.of(), args);
    }

    /** With more environment (e.g. where the monitor is, for db-start-node's fencing). */
    void run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("scripts/infra.sh").toString()));
        cmd.addAll(List.of(args));
        Files.createDirectories(dir);
        Path log = dir.resolve("infra-calls.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CAM_INFRA_DIR", dir.toString());
        pb.environment().put("CAM_DB_PRIMARY_PORT", String.valueOf(nodeA));
        pb.environment().put("CAM_DB_REPLICA_PORT", String.valueOf(nodeB));
        pb.environment().put("CAM_DB_PROXY_PORT", String.valueOf(nodeB + 1));
        pb.environment().put("CAM_LDAP_PORT", String.valueOf(nodeB + 2));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("infra.sh " + String.join(" ", args) + " in time").isTrue();
        assertThat(p.exitValue()).as("infra.sh " + String.join(" ", args) + "; log " + log).isZero();
    }
}
