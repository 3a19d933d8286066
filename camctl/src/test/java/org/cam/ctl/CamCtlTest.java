package org.cam.ctl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** camctl run in-process, as a shell would run it: exit codes and messages of what needs no server. */
class CamCtlTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CamCtl.run(args, new PrintWriter(out), new PrintWriter(err), new ByteArrayInputStream(new byte[0]),
                Map.of("CAMCTL_CONFIG", dir.resolve("config").toString(), "HOME", dir.toString()));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void noCommandOrAnUnknownOneIsAUsageError() {
        assertThat(run().code()).isEqualTo(2);
        Result r = run("frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument").contains("frobnicate");
    }

    @Test
    void helpAndVersionExitZero() {
        Result help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("login", "get", "describe", "session", "replication", "3   not found");
        assertThat(run("get", "--help").out()).contains("--selector", "--query", "-o, --output");
    }

    @Test
    void usageErrorsAreFoundBeforeAnyRequest() {
        // No config exists: each of these would fail with "not logged in" (exit 1) if it got that far.
        assertThat(run("get").code()).isEqualTo(2);
        Result unknownKind = run("get", "widgets");
        assertThat(unknownKind.code()).isEqualTo(2);
        assertThat(unknownKind.err()).contains("unknown kind 'widgets'", "targets, devices, users");
        Result noSearch = run("get", "alarms", "-q", "disk");
        assertThat(noSearch.code()).isEqualTo(2);
        assertThat(noSearch.err()).contains("alarms cannot be searched with -q", "acknowledged,key,source,state");
        Result badSelector = run("get", "targets", "--selector", "colour=red");
        assertThat(badSelector.code()).isEqualTo(2);
        assertThat(badSelector.err()).contains("targets filter on policy, tag, not 'colour'");
        assertThat(run("get", "targets", "-o", "xml").code()).isEqualTo(2);
        assertThat(run("get", "targets", "--chunk-size", "501").code()).isEqualTo(2);
        assertThat(run("describe", "alarms", "4").code()).isEqualTo(2);
        assertThat(run("delete", "recordings", "abc").code()).isEqualTo(2);
        assertThat(run("describe", "targets", "abc").code()).isEqualTo(2);
        assertThat(run("delete", "grant", "1x").code()).isEqualTo(2);
        assertThat(run("devices", "approve", "mac").code()).isEqualTo(2);
        assertThat(run("create", "grant", "-f", "g.yaml", "--group", "1").code()).isEqualTo(2);
        assertThat(run("create", "grant", "--group", "1", "--target-set", "2").code()).isEqualTo(2);
        assertThat(run("create", "grant", "--group", "1", "--target-set", "2", "--access", "ALL").code()).isEqualTo(2);
        assertThat(run("replication", "switchover").code()).isEqualTo(2);
        assertThat(run("replication", "status", "--monitor-user", "admin").code()).isEqualTo(2);
        assertThat(run("devices", "firmware").code()).isEqualTo(2);
        assertThat(run("devices", "firmware", "3", "--image", "fw.bin").code()).isEqualTo(2);
        assertThat(run("devices", "firmware", "3", "--version", "2.0").code()).isEqualTo(2);
        assertThat(run("devices", "firmware", "3", "--library").code()).isEqualTo(2);
        assertThat(run("login", "https://cam:8443", "-u", "ada", "--ca-file", "ca.pem",
                "--insecure-skip-tls-verify").code()).isEqualTo(2);
    }

    @Test
    void aGrantFileWithAnUnknownFieldOrKindIsAUsageError() throws Exception {
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "groupId: 1\ntargetSetID: 2\naccessLevel: NONE\n");
        Result r = run("create", "grant", "-f", typo.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown field 'targetSetID'");
        Path kind = Files.writeString(dir.resolve("kind.yaml"), "kind: Target\nname: x\n");
        assertThat(run("create", "grant", "-f", kind.toString()).err()).contains("kind Target, expected Grant");
        assertThat(run("create", "grant", "-f", dir.resolve("absent.yaml").toString()).code()).isEqualTo(2);
    }

    @Test
    void aManifestIsCheckedWholeBeforeAnyRequest() throws Exception {
        // No login exists: a file that passed every check would fail with exit 5, not 2.
        Path third = Files.writeString(dir.resolve("lab.yaml"), """
                kind: TargetSet
                name: lab
                ---
                kind: Group
                name: lab-ops
                ---
                kind: Grant
                groupId: 1
                targetSetId: 2
                accessLevel: FULL_ACCESS
                """);
        Result r = run("create", "-f", third.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("(document 3)", "accessLevel", "FULL_ACCESS", "(NONE, VIEW_ONLY, FULL_CONTROL)");
        Path noKind = Files.writeString(dir.resolve("nokind.yaml"), "name: lab\n");
        assertThat(run("create", "-f", noKind.toString()).err()).contains("no kind:");
        Path device = Files.writeString(dir.resolve("device.yaml"), "kind: Device\nname: kvm\n");
        assertThat(run("create", "-f", device.toString()).err())
                .contains("kind 'Device' cannot be created; one of Target, TargetSet, Group, User, Grant, Assignment");
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "kind: Target\nname: a\nhost: h\nprot: 5900\n");
        assertThat(run("create", "-f", typo.toString()).err()).contains("unknown field 'prot' for a Target (name, ");
        assertThat(run("delete", "-f", third.toString()).code()).isEqualTo(2);
        Path good = Files.writeString(dir.resolve("good.yaml"), "kind: target-set\nname: lab\n---\n---\n"
                + "kind: groups\nname: ops\n");
        assertThat(run("create", "-f", good.toString()).code()).isEqualTo(5);
        assertThat(run("delete", "-f", good.toString()).code()).isEqualTo(5);
    }

    @Test
    void createFlagsAreCheckedBeforeAnyRequest() {
        Result missing = run("create", "target", "--name", "web-01", "--host", "10.0.0.5");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("missing --port (or -f FILE)");
        assertThat(run("create", "target", "--name", "a", "--host", "h", "--port", "5900", "--policy", "OPEN").err())
                .contains("accessPolicy: Unexpected value 'OPEN' (EXCLUSIVE, SHARED, SHARED_VIEW)");
        assertThat(run("create", "target-set", "-f", "x.yaml", "--name", "lab").err())
                .contains("either -f FILE or flags, not both");
        assertThat(run("create", "user", "--username", "eve").err()).contains("missing --password-stdin");
        assertThat(run("create").code()).isEqualTo(2);
        assertThat(run("create", "assignment", "--user", "1", "--target", "2").err()).contains("missing --access");
        assertThat(run("create", "target", "--name", "a", "--host", "h", "--port", "5900").code()).isEqualTo(5);
        assertThat(run("delete", "targets").code()).isEqualTo(2);
        assertThat(run("delete", "targets", "1", "x").code()).isEqualTo(2);
        assertThat(run("delete", "-f", "x.yaml", "targets", "1").code()).isEqualTo(2);
    }

    @Test
    void withoutALoginCommandsSaySoAndExitFive() {
        Result r = run("get", "targets");
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).contains("not logged in: run camctl login SERVER");
    }

    @Test
    void anExpiredLoginAsksForANewOne() {
        Config cfg = new Config();
        cfg.server = "https://127.0.0.1:1";
        cfg.accessToken = "a";
        cfg.accessTokenExpiresAt = Instant.now().minusSeconds(5);
        cfg.refreshToken = "r";
        cfg.refreshTokenExpiresAt = Instant.now().minusSeconds(1);
        cfg.save(dir.resolve("config"));
        Result r = run("get", "users");
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).contains("the login to https://127.0.0.1:1 expired: run camctl login again");
    }

    @Test
    void anUnreachableServerIsAnErrorNamingTheCause() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        StringWriter err = new StringWriter();
        int code = CamCtl.run(new String[]{"login", "http://127.0.0.1:" + closedPort, "-u", "ada", "--password-stdin"},
                new PrintWriter(new StringWriter()), new PrintWriter(err),
                new ByteArrayInputStream("secret\n".getBytes()), Map.of("CAMCTL_CONFIG", dir.resolve("c").toString()));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach the server");
        assertThat(dir.resolve("c")).doesNotExist();
    }

    @Test
    void theCachedLoginIsReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("sub/dir/config");
        Config cfg = new Config();
        cfg.server = "https://cam:8443";
        cfg.refreshToken = "secret";
        cfg.refreshTokenExpiresAt = Instant.parse("2030-01-01T00:00:00Z");
        cfg.save(file);
        cfg.save(file);   // rewritten (a refresh): still 0600
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Config back = Config.load(file);
        assertThat(back.server).isEqualTo("https://cam:8443");
        assertThat(back.refreshTokenValid(Instant.parse("2029-12-31T23:59:00Z"))).isTrue();
        assertThat(back.refreshTokenValid(Instant.parse("2030-01-01T00:00:01Z"))).isFalse();
        assertThat(back.accessTokenValid(Instant.now())).isFalse();
    }

    @Test
    void theServerAddressIsNormalised() {
        assertThat(Connection.normalise("cam.example:8443/")).isEqualTo("https://cam.example:8443");
        assertThat(Connection.normalise("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void completionIsABashScriptForEveryCommand() {
        Result r = run("completion");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("complete -F _complete_camctl", "switchover", "approve")
                .contains("(\"targets\" \"devices\" \"users\" \"groups\" \"targetsets\" \"grants\" \"assignments\" "
                        + "\"sessions\" \"alarms\" \"recordings\")")
                .contains("target-set", "assignment", "firmware", "promote");
    }

    @Test
    void viewerAddressesUseTwoColonsForAPort() {
        assertThat(SessionCommand.Open.viewerAddress("127.0.0.1:9900")).isEqualTo("127.0.0.1::9900");
    }
}
