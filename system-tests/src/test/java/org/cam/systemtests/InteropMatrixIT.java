package org.cam.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.systemtests.SuiteStack.DEMO_PASSWORD;
import static org.cam.systemtests.SuiteStack.body;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cam.systemtests.InteropClients.Client;
import org.cam.systemtests.InteropClients.Run;
import org.cam.systemtests.InteropServers.Server;
import org.cam.testsupport.Packages;
import org.cam.testsupport.browser.Chromium;
import org.cam.testsupport.rfb.VncPasswordFile;
import org.cam.testsupport.tls.TestCertificate;
import org.cam.testsupport.x11.XDisplay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The interop matrix: stock RFB clients through the packaged broker to real RFB servers. Servers: the simulated
 * device, QEMU ({@code -vnc}: None, password, VeNCrypt x509) and TigerVNC's Xvnc (None, VncAuth, VeNCrypt X509Vnc),
 * each an RFB-endpoint target ({@code POST /api/v1/targets} host/port, credential when it has one). Clients:
 * vncsnapshot, xtigervncviewer under Xvfb driven by xdotool on the broker's plain port and on its VeNCrypt port
 * (X509Vnc, the broker's certificate checked against its CA), noVNC 1.7 in headless Chromium. Every cell runs in
 * control and in view mode: the session stays up while the client types, moves the pointer and copies text, and
 * ends {@code client_closed}; in control the keys reach the server (seen from inside it), in view they never do;
 * the clipboard policy holds both ways. Every pair runs with BOTH (the default); the interactive clients against
 * the simulator and Xvnc also with TO_TARGET and NONE, set on the group's grant through the REST API as an admin
 * would: text the client copies reaches the target only in control and only with BOTH or TO_TARGET, text copied at
 * the target reaches the client only with BOTH (where the broker says it dropped it, the client must not have it).
 *
 * <p>One stack, each server started once, cells one after the other; the table is printed whatever happens, then
 * every cell must have passed. Addresses 127.0.83.x, ports 24xxx, X displays :40-:42 and :60 (this test's own).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class InteropMatrixIT {

    static final String HOST_DEVICE = "127.0.83.1";
    static final String HOST_QEMU = "127.0.83.2";
    static final String HOST_XVNC = "127.0.83.3";
    static final int NOVNC_PAGE_PORT = 24080;
    static final String USER = "uma";
    /** VNC passwords are 8 characters at most. */
    static final String SERVER_PASSWORD = "srvPw-83";

    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("interop", HOST_DEVICE, 24443, 24900, 1,
            "cam_interop", List.of("--seed", "83")));

    static final List<Server> servers = new ArrayList<>();
    static final List<Client> clients = new ArrayList<>();
    static final List<AutoCloseable> closeLast = new ArrayList<>();
    static final Map<String, String> offers = new LinkedHashMap<>();
    static InteropServers.Qemu qemu;
    static long grantId;
    static XDisplay xvfb;
    static Chromium chrome;
    static HttpServer pages;
    static Path dir;

    record Outcome(boolean pass, String detail) {
    }

    /** One row of the matrix: a client through the broker to a server, under one clipboard policy. */
    record Row(Client client, Server server, String clipboard) {
        String key(String mode) {
            return client.name() + " | " + server.label() + " | " + clipboard + " | " + mode;
        }
    }

    @BeforeAll
    static void startEverything() throws Exception {
        long t0 = System.nanoTime();
        // The broker's TLS ports present a certificate of a CA of ours, which the VeNCrypt viewer is told to trust.
        TestCertificate brokerCa = TestCertificate.authority("cam interop broker CA");
        STACK.brokerCertificate(brokerCa.issue("localhost", "127.0.0.1"));
        STACK.start();
        List<Long> deviceTargets = STACK.enrolDeviceAndGrantCamUsers();
        long setId = items(STACK.json(STACK.admin("/api/v1/target-sets").GET(), 200), "interop-lab");
        dir = Files.createDirectories(STACK.work().resolve("interop"));
        Path brokerCaPem = Files.writeString(dir.resolve("broker-ca.pem"), brokerCa.pem());
        JsonNode grant = SuiteStack.items(STACK.json(STACK.admin("/api/v1/grants?targetSetId=" + setId).GET(), 200))
                .get(0);
        grantId = grant.path("id").asLong();
        Packages.ensure("vncsnapshot=vncsnapshot", "qemu-system-x86_64=qemu-system-x86",
                "Xvnc=tigervnc-standalone-server", "xtigervncviewer=tigervnc-viewer", "Xvfb=xvfb",
                "xdotool=xdotool", "xclip=xclip", "xwd=x11-apps", "xev=x11-utils", "npm=npm", "chromium=chromium");

        InteropServers.Simulator sim = InteropServers.Simulator.attach(HOST_DEVICE, 24900,
                STACK.spec.deviceHttpsPort(), STACK.work().resolve("devices"), STACK.http());
        closeLast.add(sim);
        sim.targetId = deviceTargets.get(0);
        servers.add(sim);
        qemu = InteropServers.Qemu.start(HOST_QEMU, 24910, SERVER_PASSWORD, dir);
        closeLast.add(qemu);
        servers.addAll(qemu.servers);
        int display = 40;
        int port = 24920;
        for (String security : List.of("None", "VncAuth", "VeNCrypt")) {
            InteropServers.Xvnc x = InteropServers.Xvnc.start(display++, HOST_XVNC, port++, security,
                    "None".equals(security) ? null : SERVER_PASSWORD, dir);
            closeLast.add(x);
            servers.add(x);
        }
        for (Server s : servers) {
            offers.put(s.label(), s.probe());
            if (s.targetId == 0) {
                s.targetId = createTarget(s, setId);
            }
        }

        xvfb = XDisplay.xvfb(60, 1280, 1024, dir.resolve("xvfb"));
        closeLast.add(xvfb);
        String page = serveNoVnc();
        chrome = Chromium.start(List.of("--ignore-certificate-errors"));
        clients.add(new InteropClients.Vncsnapshot());
        clients.add(new InteropClients.TigerViewer(xvfb, dir.resolve("xvfb"), null));
        clients.add(new InteropClients.TigerViewer(xvfb, dir.resolve("xvfb"), brokerCaPem));
        clients.add(new InteropClients.NoVnc(chrome, page));
        System.out.printf("interop matrix: set-up took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (chrome != null) {
            if (STACK.failed()) {
                System.err.println("==== chromium log ====\n" + chrome.log());
            }
            chrome.close();
        }
        if (pages != null) {
            pages.stop(0);
        }
        for (int i = closeLast.size() - 1; i >= 0; i--) {
            try {
                closeLast.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping " + closeLast.get(i) + ": " + e);
            }
        }
    }

    @Test
    void everyClientThroughTheBrokerToEveryServerInControlAndView() throws Exception {
        List<Row> rows = rows();
        Map<String, Outcome> results = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        int n = 0;
        String policy = "BOTH";
        for (Row row : rows) {
            if (!row.clipboard().equals(policy)) {
                clipboardPolicy(row.clipboard());
                policy = row.clipboard();
            }
            for (String mode : List.of("control", "view")) {
                long c0 = System.nanoTime();
                Outcome o;
                try {
                    o = cell(row, mode, ++n);
                } catch (Throwable e) {
                    o = new Outcome(false, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
                }
                results.put(row.key(mode), o);
                System.out.printf("interop cell %-40s %-24s %-9s %-7s %s in %d ms: %s%n", row.server().label(),
                        row.client().name(), row.clipboard(), mode, o.pass ? "PASS" : "FAIL",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0), o.detail);
            }
        }
        Outcome snapshotTls;
        try {
            snapshotTls = vncsnapshotOnTheVeNCryptPort(servers.get(0));
        } catch (Throwable e) {
            snapshotTls = new Outcome(false, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
        String table = table(rows, results, snapshotTls);
        System.out.println("\nInterop matrix (" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)
                + " s for " + results.size() + " cells):\n" + table);
        StringBuilder offered = new StringBuilder("What the servers offered this test's own client (directly):\n");
        offers.forEach((k, v) -> offered.append("- ").append(k).append(": ").append(v).append('\n'));
        System.out.println(offered);
        Files.writeString(Path.of(System.getProperty("cam.build.dir", "target")).toAbsolutePath()
                .resolve("interop-matrix.md"), table + "\n" + offered);
        assertThat(results).as(table).allSatisfy((k, v) -> assertThat(v.pass).as(k + ": " + v.detail).isTrue());
        assertThat(snapshotTls.pass).as("vncsnapshot on the VeNCrypt port: " + snapshotTls.detail).isTrue();
    }

    /**
     * Every supported client-server pair with BOTH; then TO_TARGET and NONE for the interactive clients of the plain
     * port (the VeNCrypt viewer is the same viewer and the same relay) against the servers with a clipboard to
     * check: the simulated device and Xvnc without security (the other Xvnc servers differ only in the handshake).
     */
    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Server s : servers) {
            for (Client c : clients) {
                if (!unsupportedPair(s, c)) {
                    rows.add(new Row(c, s, "BOTH"));
                }
            }
        }
        for (String policy : List.of("TO_TARGET", "NONE")) {
            for (Server s : servers) {
                if (!(s instanceof InteropServers.Simulator || (s.name.equals("Xvnc") && s.security.equals("None")))) {
                    continue;
                }
                for (Client c : clients) {
                    if (c.name().equals("xtigervncviewer") || c.name().startsWith("noVNC")) {
                        rows.add(new Row(c, s, policy));
                    }
                }
            }
        }
        return rows;
    }

    /**
     * vncsnapshot 1.2a (TightVNC 1.2.8 / RealVNC 3.3.7, RFB 3.3) cannot read TigerVNC 1.12's Xvnc even when it
     * connects to it directly, without the broker: with any encoding list it reports "Zero size rect" and waits
     * forever, or saves a picture now and then by luck. That pair is a defect of the two peers, not of the broker, so
     * it is left out of the matrix (and shown as such in the table) rather than asserted.
     */
    static boolean unsupportedPair(Server server, Client client) {
        return client.name().equals("vncsnapshot") && server.name.equals("Xvnc");
    }

    /**
     * The clipboard policy of the grant that gives cam-users every target of the matrix, set as an admin does
     * ({@code PUT /api/v1/grants/{id}}); sessions requested from now on carry it.
     */
    private static void clipboardPolicy(String policy) throws Exception {
        JsonNode g = STACK.json(STACK.admin("/api/v1/grants/" + grantId).GET(), 200);
        JsonNode updated = STACK.json(STACK.admin("/api/v1/grants/" + grantId).PUT(body(Map.of(
                "accessLevel", g.path("accessLevel").asText(), "clipboard", policy,
                "version", g.path("version").asLong()))), 200);
        assertThat(updated.path("clipboard").asText()).isEqualTo(policy);
    }

    /**
     * vncsnapshot speaks RFB 3.3 only, where the server chooses the security type, so it cannot speak VeNCrypt: on
     * the broker's VeNCrypt port it must get the broker's reason and no picture, and the session stays unclaimed.
     */
    private static Outcome vncsnapshotOnTheVeNCryptPort(Server server) throws Exception {
        JsonNode session = STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions")
                .POST(body(Map.of("targetId", server.targetId, "mode", "view"))), 201);
        Path passwd = VncPasswordFile.write(dir.resolve("snapshot-tls-passwd"), session.path("vncPassword").asText());
        Path image = dir.resolve("snapshot-tls.jpg");
        Path log = dir.resolve("snapshot-tls.log");
        Process p = new ProcessBuilder("vncsnapshot", "-quiet", "-passwd", passwd.toString(),
                InteropClients.vncAddress(session.path("rfbTls").asText()), image.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            org.cam.testsupport.Processes.stop(p);
            return new Outcome(false, "vncsnapshot still running after 30 s on the VeNCrypt port");
        }
        String out = Files.readString(log);
        String reason = out.lines().filter(l -> l.contains("VeNCrypt")).findFirst().orElse("");
        String state = state(session.path("sessionId").asText()).path("state").asText();
        if (p.exitValue() == 0 || Files.exists(image)) {
            return new Outcome(false, "vncsnapshot got a picture over the VeNCrypt port: " + firstLine(out));
        }
        if (reason.isEmpty()) {
            return new Outcome(false, "refused without the broker's reason: " + firstLine(out));
        }
        if (!"PENDING".equals(state)) {
            return new Outcome(false, "session " + state + " after the refusal");
        }
        return new Outcome(true, "refused, it said: \"" + reason.strip() + "\"; session still unclaimed");
    }

    /** One cell; its outcome with what was checked, or what failed first. */
    private static Outcome cell(Row row, String mode, int n) throws Exception {
        Server server = row.server();
        Client client = row.client();
        HttpResponse<String> r = STACK.http().send(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions")
                .POST(body(Map.of("targetId", server.targetId, "mode", mode))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            return new Outcome(false, "session refused " + r.statusCode() + ": " + firstLine(r.body()));
        }
        JsonNode session = SuiteStack.JSON.readTree(r.body());
        String id = session.path("sessionId").asText();
        boolean control = mode.equals("control");
        // Which way the clipboard may go in this cell (the broker's policy table, docs/protocols/kvm-session.md).
        boolean toTargetAllowed = control && !row.clipboard().equals("NONE");
        boolean fromTargetAllowed = row.clipboard().equals("BOTH");
        String toTarget = "to-target-" + n;
        String fromTarget = "from-target-" + n;
        List<String> checked = new ArrayList<>();
        int keyMark = server.keyMark();
        Run run;
        try {
            run = client.connect(session, dir, () -> {
                JsonNode st = state(id);
                return "ENDED".equals(st.path("state").asText()) ? st.path("endReason").asText() : null;
            });
        } catch (Exception e) {
            return new Outcome(false, "client: " + firstLine(e.getMessage()) + ended(id));
        }
        try {
            if (run.interactive()) {
                awaitState(id, "ACTIVE");
                run.type("cam");
                run.movePointer();
                long fromClient = dropped(id, "droppedFromClient");
                run.setClipboard(toTarget);
                if (control) {
                    await("keys at the server").atMost(Duration.ofSeconds(15)).until(() -> server.keysSince(keyMark));
                    checked.add("keys arrive");
                }
                if (server.hasClipboard()) {
                    if (toTargetAllowed) {
                        await("client clipboard at the target").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                                .until(() -> toTarget.equals(server.clipboard()));
                        checked.add("clipboard to target");
                    } else if (control) {
                        // In control only clipboard is dropped: the client did send it, and the broker kept it back.
                        await("broker dropped the client's clipboard").atMost(Duration.ofSeconds(15))
                                .until(() -> dropped(id, "droppedFromClient") > fromClient);
                        checked.add("client clipboard dropped");
                    }
                    long fromDevice = dropped(id, "droppedFromDevice");
                    server.setClipboard(fromTarget);
                    if (fromTargetAllowed) {
                        await("target clipboard at the client").atMost(Duration.ofSeconds(15)).ignoreExceptions()
                                .until(() -> fromTarget.equals(run.clipboard()));
                        checked.add("clipboard from target");
                    } else {
                        // The target did announce its clipboard and the broker dropped it: the client must not have
                        // it (whatever the broker could have forwarded came before the drop, in order).
                        await("broker dropped the target's clipboard").atMost(Duration.ofSeconds(15))
                                .until(() -> dropped(id, "droppedFromDevice") > fromDevice);
                        if (fromTarget.equals(run.clipboard())) {
                            return new Outcome(false, "the target's clipboard reached the client under "
                                    + row.clipboard());
                        }
                        checked.add("target clipboard dropped, not at client");
                    }
                }
                if (!"ACTIVE".equals(state(id).path("state").asText())) {
                    return new Outcome(false, "session not active while in use: " + state(id));
                }
            } else {
                checked.add("picture");
            }
        } catch (Throwable e) {
            run.close();
            return new Outcome(false, firstLine(String.valueOf(e.getMessage())) + ended(id));
        }
        run.close();
        JsonNode end;
        try {
            end = awaitState(id, "ENDED");
        } catch (Throwable e) {
            return new Outcome(false, "session did not end: " + state(id));
        }
        String reason = end.path("endReason").asText();
        if (!reason.startsWith("client_closed")) {
            return new Outcome(false, "ended " + reason);
        }
        checked.add("client_closed");
        if (run.interactive() && !toTargetAllowed) {
            // The session is over and the device's connection closed; a marker of our own went through the server
            // after anything the broker could have forwarded: nothing typed in view, nothing copied where the policy
            // or the mode forbids it may be there.
            server.sync();
            if (!control) {
                if (server.keysSince(keyMark)) {
                    return new Outcome(false, "view-only keys reached the server");
                }
                checked.add("no keys");
            }
            if (server.hasClipboard() && toTarget.equals(server.clipboard())) {
                return new Outcome(false, "the client's clipboard reached the target (" + mode + ", "
                        + row.clipboard() + ")");
            }
            if (server.hasClipboard()) {
                checked.add("no clipboard to target");
            }
        }
        return new Outcome(true, String.join(", ", checked));
    }

    /** A policy counter of the session on the broker's admin port (it must be relaying there). */
    private static long dropped(String sessionId, String field) throws Exception {
        HttpResponse<String> r = STACK.http().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(STACK.brokerAdminUrl() + "/api/v1/sessions")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + STACK.brokerAdminToken()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (JsonNode s : SuiteStack.JSON.readTree(r.body())) {
            if (sessionId.equals(s.path("sessionId").asText())) {
                assertThat(s.has(field)).as(field + " in " + s).isTrue();
                return s.path(field).asLong();
            }
        }
        throw new IllegalStateException("session " + sessionId + " not relaying on the broker");
    }

    private static String ended(String id) {
        try {
            JsonNode s = state(id);
            return " [session " + s.path("state").asText() + " " + s.path("endReason").asText("") + "]";
        } catch (Exception e) {
            return "";
        }
    }

    private static JsonNode state(String id) throws Exception {
        return STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions/" + id).GET(), 200);
    }

    private static JsonNode awaitState(String id, String wanted) {
        return await("session " + wanted).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> state(id), s -> wanted.equals(s.path("state").asText())
                        || ("ACTIVE".equals(wanted) && "ENDED".equals(s.path("state").asText()) && fail(s)));
    }

    private static boolean fail(JsonNode s) {
        throw new IllegalStateException("session ended: " + s.path("endReason").asText());
    }

    /**
     * An RFB-endpoint target for the server, in the set granted to cam-users. A server with a password gets it as the
     * target's credential, a VeNCrypt server also its certificate's fingerprint; management-api says when it cannot.
     */
    private static long createTarget(Server s, long setId) throws Exception {
        Map<String, Object> t = new HashMap<>();
        t.put("name", "interop-" + s.name.toLowerCase().replace(' ', '-') + "-" + s.security.toLowerCase());
        t.put("description", "interop matrix: " + s.label());
        t.put("host", s.host);
        t.put("port", s.port);
        if (s.password != null) {
            t.put("credential", Map.of("password", s.password));
        }
        if (s.certificate != null) {
            t.put("tlsFingerprint", s.certificate.sha256());
        }
        HttpResponse<String> r = STACK.http().send(STACK.admin("/api/v1/targets").POST(body(t)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201 && s.password != null) {
            // Not (yet) a field management-api knows: the target without it, so the cell shows what happens.
            offers.merge(s.label(), " [target credential refused: " + r.statusCode() + " " + firstLine(r.body())
                    + "]", String::concat);
            t.remove("credential");
            t.remove("tlsFingerprint");
            r = STACK.http().send(STACK.admin("/api/v1/targets").POST(body(t)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        long id = SuiteStack.JSON.readTree(r.body()).path("id").asLong();
        STACK.send(STACK.admin("/api/v1/target-sets/" + setId + "/targets/" + id).PUT(SuiteStack.noBody()), 204);
        return id;
    }

    private static long items(JsonNode page, String name) {
        for (JsonNode s : SuiteStack.items(page)) {
            if (name.equals(s.path("name").asText())) {
                return s.path("id").asLong();
            }
        }
        throw new IllegalStateException("no target set " + name);
    }

    /**
     * noVNC 1.7 from npm with this module's lockfile ({@code npm ci} into the build folder), and matrix.html next to
     * its core/, served over loopback HTTP by the JDK's server. The page's URL.
     */
    private static String serveNoVnc() throws Exception {
        Path src = STACK.root().resolve("system-tests/src/test/novnc");
        Path npm = Files.createDirectories(STACK.root().resolve("system-tests")
                .resolve(System.getProperty("cam.build.dir", "target")).resolve("interop-novnc"));
        for (String f : List.of("package.json", "package-lock.json")) {
            Files.copy(src.resolve(f), npm.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path core = npm.resolve("node_modules/@novnc/novnc");
        if (!Files.isRegularFile(core.resolve("core/rfb.js"))) {
            Process p = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
                    .directory(npm.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("npm.log").toFile())
                    .start();
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("npm ci finished").isTrue();
            assertThat(p.exitValue()).as(Files.readString(dir.resolve("npm.log"))).isZero();
        }
        byte[] matrix;
        try (InputStream in = InteropMatrixIT.class.getResourceAsStream("/interop/matrix.html")) {
            matrix = in.readAllBytes();
        }
        pages = HttpServer.create(new InetSocketAddress(HOST_DEVICE, NOVNC_PAGE_PORT), 16);
        pages.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] b = null;
            String type = "text/javascript";
            if (path.equals("/matrix.html")) {
                b = matrix;
                type = "text/html";
            } else {
                Path f = core.resolve(path.substring(1)).normalize();
                if (f.startsWith(core) && Files.isRegularFile(f)) {
                    b = Files.readAllBytes(f);
                }
            }
            if (b == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.getResponseHeaders().set("Content-Type", type);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        pages.start();
        return "http://" + HOST_DEVICE + ":" + NOVNC_PAGE_PORT + "/matrix.html";
    }

    private static String table(List<Row> rows, Map<String, Outcome> results, Outcome snapshotTls) {
        StringBuilder t = new StringBuilder(
                "| client -> broker -> server | clipboard | control | view |\n|---|---|---|---|\n");
        for (Server s : servers) {
            for (Client c : clients) {
                if (unsupportedPair(s, c)) {
                    t.append("| ").append(c.name()).append(" -> ").append(s.label())
                            .append(" | - | n/a: fails without the broker too | n/a |\n");
                }
            }
        }
        for (Row row : rows) {
            t.append("| ").append(row.client().name()).append(" -> ").append(row.server().label()).append(" | ")
                    .append(row.clipboard()).append(" | ").append(mark(results.get(row.key("control"))))
                    .append(" | ").append(mark(results.get(row.key("view")))).append(" |\n");
        }
        t.append("| vncsnapshot X509Vnc (broker's VeNCrypt port) -> ").append(servers.get(0).label())
                .append(" | - | n/a: RFB 3.3 has no VeNCrypt; ").append(mark(snapshotTls)).append(" | - |\n");
        return t.toString();
    }

    private static String mark(Outcome o) {
        return o == null ? "not run" : (o.pass ? "pass (" : "FAIL: ") + o.detail.replace('|', '/') + (o.pass ? ")" : "");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String l = s.strip().split("\n")[0];
        return l.length() > 200 ? l.substring(0, 200) + "..." : l;
    }

    static {
        // The JDK's HTTP server logs nothing we need.
        java.util.logging.Logger.getLogger("com.sun.net.httpserver").setLevel(java.util.logging.Level.WARNING);
    }
}
