package org.cam.testsupport.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.testsupport.Packages;
import org.cam.testsupport.Processes;

import static org.awaitility.Awaitility.await;

/**
 * Headless Chromium driven through the DevTools protocol with the JDK's WebSocket client (no Selenium, no
 * driver binary): evaluate JavaScript in the page and send real key and mouse events. Installed through
 * scripts/ensure-packages.sh when missing; every start gets a fresh profile, removed on {@link #close()}.
 */
public final class Chromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, Path dir, WebSocket ws) {
        this.process = process;
        this.dir = dir;
        this.ws = ws;
    }

    /** Installs chromium if needed and starts it headless on about:blank, with these flags added. */
    public static Chromium start(List<String> extraFlags) throws Exception {
        Packages.ensure("chromium=chromium");
        Path dir = Files.createTempDirectory("cam-chromium");
        // Nothing but the pages a test opens: no QUIC, no background, component or sync traffic.
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + dir.resolve("profile"), "--window-size=1280,1000"));
        cmd.addAll(extraFlags);
        cmd.add("about:blank");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        try {
            Path portFile = dir.resolve("profile").resolve("DevToolsActivePort");
            await("DevTools port").atMost(Duration.ofSeconds(60)).until(() -> Files.isRegularFile(portFile)
                    && Files.readAllLines(portFile).size() >= 2);
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            String wsUrl = await("a page target").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : list) {
                    if ("page".equals(t.path("type").asText())) {
                        return t.path("webSocketDebuggerUrl").asText();
                    }
                }
                return null;
            }, u -> u != null && !u.isEmpty());
            Chromium[] self = new Chromium[1];
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        String message = text.toString();
                        text.setLength(0);
                        self[0].onMessage(message);
                    }
                    w.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            self[0] = new Chromium(p, dir, ws);
            self[0].send("Page.enable", JSON.createObjectNode());
            // Content-Security-Policy violations of every page, collected for cspViolations().
            self[0].send("Page.addScriptToEvaluateOnNewDocument", JSON.createObjectNode().put("source",
                    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
                            + " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"));
            return self[0];
        } catch (Exception | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private void onMessage(String message) {
        try {
            JsonNode m = JSON.readTree(message);
            if (m.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                if (f != null) {
                    f.complete(m);
                }
            }
        } catch (IOException e) {
            // not ours to handle: events we do not use
        }
    }

    /** One DevTools command; its result, or an exception carrying the protocol's error. */
    public JsonNode send(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params);
        ws.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = f.get(60, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + ": " + answer.get("error"));
        }
        return answer.path("result");
    }

    public void navigate(String url) throws Exception {
        send("Page.navigate", JSON.createObjectNode().put("url", url));
    }

    /** The value of a JavaScript expression (promises awaited); a thrown exception fails the call. */
    public JsonNode eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("page threw: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** What the page's Content-Security-Policy blocked so far (directive and URI), as a JSON array. */
    public String cspViolations() throws Exception {
        return evalString("JSON.stringify(window.__csp || ['no CSP listener'])");
    }

    public String evalString(String expression) throws Exception {
        JsonNode v = eval(expression);
        return v.isNull() || v.isMissingNode() ? null : v.asText();
    }

    /** A key press as a user makes it (keydown with text, keyup) into the focused element. */
    public void type(char c) throws Exception {
        String s = String.valueOf(c);
        String code = Character.isLetter(c) ? "Key" + Character.toUpperCase(c) : Character.isDigit(c) ? "Digit" + c : "";
        int vk = Character.toUpperCase(c);
        send("Input.dispatchKeyEvent", JSON.createObjectNode().put("type", "keyDown").put("key", s).put("code", code)
                .put("text", s).put("windowsVirtualKeyCode", vk));
        send("Input.dispatchKeyEvent", JSON.createObjectNode().put("type", "keyUp").put("key", s).put("code", code)
                .put("windowsVirtualKeyCode", vk));
    }

    /** A mouse event at page coordinates: mouseMoved, mousePressed or mouseReleased, with the buttons held. */
    public void mouse(String type, double x, double y, String button, int buttons) throws Exception {
        send("Input.dispatchMouseEvent", JSON.createObjectNode().put("type", type).put("x", x).put("y", y)
                .put("button", button).put("buttons", buttons).put("clickCount", type.equals("mouseMoved") ? 0 : 1));
    }

    /**
     * axe-core (the script at {@code axeJs}, from npm) on the page as it is now: its serious and critical violations,
     * one line each (rule, help, offending elements); empty when there are none.
     */
    public List<String> accessibilityViolations(Path axeJs) throws Exception {
        if (eval("typeof axe === 'undefined'").asBoolean()) {
            eval(Files.readString(axeJs, StandardCharsets.UTF_8) + "; true");
        }
        JsonNode bad = eval("axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations"
                + ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                + ".map(v => v.id + ': ' + v.help + ' ' + v.nodes.map(n => n.target.join(' ')).join(', ')))");
        List<String> out = new ArrayList<>();
        bad.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** The page as shown, as a PNG file. */
    public void screenshot(Path png) throws Exception {
        JsonNode shot = send("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(png, java.util.Base64.getDecoder().decode(shot.path("data").asText()));
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("chromium.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        ws.abort();
        // Chromium's helpers (renderer, network, crashpad) outlive the browser process for a moment and keep writing
        // into the profile: stop the whole family before removing it.
        Processes.stop(process);
        deleteTree(dir);
    }

    /** Best effort: a file that vanishes meanwhile is fine, and a leftover temp folder fails no test. */
    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                Files.deleteIfExists(f);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException notEmpty) {
                    // something was written after we passed; the OS cleans /tmp
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }
}
