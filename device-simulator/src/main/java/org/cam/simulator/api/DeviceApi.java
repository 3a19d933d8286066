package org.cam.simulator.api;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.cam.simulator.tls.DeviceKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cam.simulator.device.SimDevice;

/**
 * The device's own HTTPS API (docs/protocols/device-api.md), the manager's "443 channel". Plain Vert.x
 * HTTP with a small hand-written dispatcher: thousands of these run in one JVM.
 *
 * <p>Credentials: before enrolment only the bootstrap password works; {@code POST /api/v1/enrol} sets the
 * device secret, and from then on every call needs it (the bootstrap password is refused). Either
 * {@code Authorization: Basic base64(cam:<credential>)} or {@code Authorization: Bearer <credential>}.
 */
public final class DeviceApi {

    /** User name for Basic authentication. */
    public static final String USER = "cam";
    private static final int MAX_FIRMWARE = 64 * 1024 * 1024;
    private static final Pattern POWER = Pattern.compile("/api/v1/channels/(\\d{1,3})/power");
    private static final Pattern CREDENTIALS = Pattern.compile("/api/v1/channels/(\\d{1,3})/session-credentials");
    private static final Pattern CREDENTIAL =
            Pattern.compile("/api/v1/channels/(\\d{1,3})/session-credentials/([A-Za-z0-9_-]{1,64})");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern HOST_PORT = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}:\\d{1,5}");

    private final SimDevice device;
    private final Runnable announce;
    private HttpServer server;
    /** Configuration changes being applied ({@code --config-millis}); status says "configuring" meanwhile. */
    private final java.util.concurrent.atomic.AtomicInteger applying = new java.util.concurrent.atomic.AtomicInteger();

    /** @param announce sends an ANNOUNCE now (after configuration changes that matter to the manager) */
    public DeviceApi(SimDevice device, Runnable announce) {
        this.device = device;
        this.announce = announce;
    }

    public Future<Void> start() {
        HttpServerOptions o = new HttpServerOptions()
                .setHost(device.address().getHostAddress())
                .setPort(device.config().httpsPort())
                .setReuseAddress(true)
                .setSsl(true)
                .setKeyCertOptions(new DeviceKeyCertOptions(device.certificate().keyManager()));
        server = device.vertx().createHttpServer(o).requestHandler(this::handle);
        return server.listen().mapEmpty();
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        HttpMethod m = req.method();
        if (path.equals("/health") && m == HttpMethod.GET) {
            // Unauthenticated readiness for launchers; says nothing about the device.
            json(req, 200, new JsonObject().put("status", device.running() ? "UP" : "DOWN"));
            return;
        }
        if (!authorised(req)) {
            req.response().putHeader("WWW-Authenticate", "Basic realm=\"cam-device\", charset=\"UTF-8\"");
            problem(req, 401, "Unauthorized",
                    device.enrolled() ? "the device secret is required" : "the bootstrap credential is required", null);
            return;
        }
        if (!device.running() && !path.equals("/api/v1/status") && !path.equals("/api/v1/firmware")) {
            problem(req, 503, "Rebooting", "the device is rebooting", null);
            return;
        }
        String length = req.getHeader("Content-Length");
        if (length != null && (!length.matches("\\d{1,9}") || Long.parseLong(length) > MAX_FIRMWARE)) {
            // Refused before buffering: the largest body the API takes is a firmware image.
            problem(req, 413, "Payload too large", "bodies are limited to 64 MiB", "image");
            return;
        }
        req.body().onSuccess(body -> {
            try {
                route(req, m, path, body);
            } catch (BadRequest e) {
                problem(req, 400, "Bad request", e.getMessage(), e.field);
            } catch (RuntimeException e) {
                problem(req, 500, "Internal error", String.valueOf(e.getMessage()), null);
            }
        }).onFailure(e -> problem(req, 400, "Bad request", "cannot read body: " + e.getMessage(), null));
    }

    private void route(HttpServerRequest req, HttpMethod m, String path, Buffer body) {
        Matcher pm = POWER.matcher(path);
        Matcher cm = CREDENTIALS.matcher(path);
        Matcher one = CREDENTIAL.matcher(path);
        if (path.equals("/api/v1/status") && m == HttpMethod.GET) {
            JsonObject now = status();
            SimDevice.StatusHold hold = device.statusHold();
            if (hold == null) {
                json(req, 200, now);
            } else {
                io.vertx.core.Context context = device.vertx().getOrCreateContext();
                hold.hold(() -> context.runOnContext(v -> json(req, 200, now)));
            }
        } else if (path.equals("/api/v1/config") && m == HttpMethod.GET) {
            json(req, 200, config());
        } else if (path.equals("/api/v1/config") && m == HttpMethod.PUT) {
            putConfig(req, object(body));
        } else if (path.equals("/api/v1/enrol") && m == HttpMethod.POST) {
            enrol(req, object(body));
        } else if (path.equals("/api/v1/firmware") && m == HttpMethod.GET) {
            json(req, 200, firmwareJob());
        } else if (path.equals("/api/v1/firmware") && m == HttpMethod.POST) {
            firmware(req, body);
        } else if (path.equals("/api/v1/reboot") && m == HttpMethod.POST) {
            device.reboot();
            json(req, 202, new JsonObject().put("state", "rebooting").put("bootCounter", device.bootCounter()));
        } else if (pm.matches() && m == HttpMethod.POST) {
            power(req, Integer.parseInt(pm.group(1)), object(body));
        } else if (cm.matches() && m == HttpMethod.POST) {
            addCredential(req, Integer.parseInt(cm.group(1)), object(body));
        } else if (one.matches() && m == HttpMethod.DELETE) {
            revokeCredential(req, Integer.parseInt(one.group(1)), one.group(2));
        } else if (path.startsWith("/api/v1/")) {
            problem(req, 404, "Not found", m + " " + path + " is not part of the device API", null);
        } else {
            problem(req, 404, "Not found", "see docs/protocols/device-api.md", null);
        }
    }

    private boolean authorised(HttpServerRequest req) {
        String h = req.getHeader("Authorization");
        if (h == null) {
            return false;
        }
        String presented = null;
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = h.substring(7).trim();
        } else if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String up = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = up.indexOf(':');
                if (colon < 0 || !up.substring(0, colon).equals(USER)) {
                    return false;
                }
                presented = up.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (presented == null) {
            return false;
        }
        String expected = device.enrolled() ? device.deviceSecret() : device.config().bootstrapPassword();
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private JsonObject status() {
        JsonArray chs = new JsonArray();
        boolean alarm = false;
        for (SimDevice.Channel c : device.channels()) {
            alarm |= !c.powered();
            chs.add(new JsonObject().put("channel", c.number()).put("name", c.name()).put("port", c.port())
                    .put("power", c.powered() ? "on" : "off").put("sessions", c.sessions())
                    .put("authentication", c.hasPassword() || c.sessionCredentials().any() ? "vnc" : "none")
                    .put("sessionCredentials", c.sessionCredentials().size()));
        }
        return new JsonObject()
                .put("id", device.identity().mac().toString())
                .put("serial", device.identity().serial())
                .put("model", device.identity().model())
                .put("name", device.name())
                .put("firmware", device.firmware())
                .put("state", device.running() ? applying.get() > 0 ? "configuring" : "running" : "rebooting")
                .put("switchAttached", device.switchAttached())
                .put("bootCounter", device.bootCounter())
                .put("uptimeSeconds", device.uptime().toSeconds())
                .put("enrolled", device.enrolled())
                .put("alarm", new JsonObject().put("state", alarm ? "warning" : "none")
                        .put("detail", alarm ? "a channel is powered off" : null))
                .put("address", device.address().getHostAddress())
                .put("httpsPort", device.config().httpsPort())
                .put("kvmPorts", device.kvmFirstPort() + "-" + (device.kvmFirstPort() + device.channels().size() - 1))
                .put("certificateSha256", device.certificate().fingerprintHex())
                .put("channels", chs)
                .put("firmwareJob", firmwareJob());
    }

    private JsonObject config() {
        JsonArray chs = new JsonArray();
        for (SimDevice.Channel c : device.channels()) {
            chs.add(new JsonObject().put("channel", c.number()).put("name", c.name())
                    .put("passwordSet", c.hasPassword()));
        }
        return new JsonObject().put("name", device.name()).put("managerAddress", device.managerAddress())
                .put("discoveryMode", device.discoveryMode()).put("kvmFirstPort", device.pendingKvmFirstPort())
                .put("sessionCredentialsOnly", device.sessionCredentialsOnly())
                .put("rfbAllowedSources", sources(device.rfbAllowedSources()))
                .put("channels", chs);
    }

    private void putConfig(HttpServerRequest req, JsonObject b) {
        // Validate everything first, then apply: a rejected request changes nothing.
        String name = optString(b, "name", 64);
        String manager = optString(b, "managerAddress", 64);
        if (manager != null && !HOST_PORT.matcher(manager).matches()) {
            throw new BadRequest("managerAddress", "must be IPv4:port");
        }
        String mode = optString(b, "discoveryMode", 10);
        if (mode != null && !mode.equals("auto") && !mode.equals("manual")) {
            throw new BadRequest("discoveryMode", "must be auto or manual");
        }
        Integer kvm = null;
        if (b.containsKey("kvmFirstPort")) {
            Object v = b.getValue("kvmFirstPort");
            if (!(v instanceof Number n) || n.intValue() < 1 || n.intValue() + device.channels().size() - 1 > 65535) {
                throw new BadRequest("kvmFirstPort", "must be a port number with room for every channel");
            }
            kvm = ((Number) v).intValue();
        }
        Boolean sessionOnly = null;
        if (b.containsKey("sessionCredentialsOnly")) {
            if (!(b.getValue("sessionCredentialsOnly") instanceof Boolean only)) {
                throw new BadRequest("sessionCredentialsOnly", "must be true or false");
            }
            sessionOnly = only;
        }
        String sources = null;
        if (b.containsKey("rfbAllowedSources")) {
            JsonArray list = arr(b, "rfbAllowedSources");
            if (list.size() > 64) {
                throw new BadRequest("rfbAllowedSources", "at most 64 addresses or blocks");
            }
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < list.size(); i++) {
                if (!(list.getValue(i) instanceof String e) || e.isBlank() || e.length() > 18 || e.contains(",")) {
                    throw new BadRequest("rfbAllowedSources[" + i + "]", "must be an IPv4 address or CIDR block");
                }
                try {
                    org.cam.simulator.Cidrs.parse(e);
                } catch (IllegalArgumentException ex) {
                    throw new BadRequest("rfbAllowedSources[" + i + "]", "must be an IPv4 address or CIDR block");
                }
                joined.append(i == 0 ? "" : ",").append(e.trim());
            }
            sources = joined.toString();
        }
        JsonArray chs = b.containsKey("channels") ? arr(b, "channels") : new JsonArray();
        for (int i = 0; i < chs.size(); i++) {
            if (!(chs.getValue(i) instanceof JsonObject c)) {
                throw new BadRequest("channels[" + i + "]", "must be an object");
            }
            Object n = c.getValue("channel");
            if (!(n instanceof Number num) || device.channel(num.intValue()) == null) {
                throw new BadRequest("channels[" + i + "].channel", "no such channel");
            }
            optString(c, "name", 64);
            optString(c, "password", 64);
        }
        long delay = device.config().configMillis();
        io.vertx.core.Future<Void> hold = device.configurationHold();
        if (delay <= 0 && hold.isComplete()) {
            applyConfig(req, name, manager, mode, kvm, chs, sessionOnly, sources);
            return;
        }
        // A real appliance takes seconds to apply; the manager shows "Updating device" meanwhile.
        applying.incrementAndGet();
        Integer newKvm = kvm;
        Boolean newSessionOnly = sessionOnly;
        String newSources = sources;
        io.vertx.core.Context context = device.vertx().getOrCreateContext();
        Runnable apply = () -> hold.onComplete(done -> context.runOnContext(v -> {
            applying.decrementAndGet();
            applyConfig(req, name, manager, mode, newKvm, chs, newSessionOnly, newSources);
        }));
        if (delay > 0) {
            device.vertx().setTimer(delay, t -> apply.run());
        } else {
            apply.run();
        }
    }

    private void applyConfig(HttpServerRequest req, String name, String manager, String mode, Integer kvm,
                             JsonArray chs, Boolean sessionOnly, String sources) {
        if (sessionOnly != null) {
            device.sessionCredentialsOnly(sessionOnly);
        }
        if (sources != null) {
            device.rfbAllowedSources(sources);   // checked when the request was read
        }
        if (name != null) {
            device.name(name);
        }
        if (manager != null) {
            device.managerAddress(manager);
        }
        if (mode != null) {
            device.discoveryMode(mode);
        }
        if (kvm != null) {
            device.pendingKvmFirstPort(kvm);
        }
        for (int i = 0; i < chs.size(); i++) {
            JsonObject c = chs.getJsonObject(i);
            SimDevice.Channel ch = device.channel(c.getInteger("channel"));
            if (c.containsKey("name")) {
                ch.name(c.getString("name"));
            }
            if (c.containsKey("password")) {
                ch.password(c.getString("password"));
            }
        }
        device.saveState();
        if (name != null || manager != null || mode != null) {
            announce.run();
        }
        json(req, 200, config().put("rebootRequired", device.pendingKvmFirstPort() != device.kvmFirstPort()));
    }

    private void enrol(HttpServerRequest req, JsonObject b) {
        String secret = optString(b, "deviceSecret", 256);
        if (secret == null || secret.length() < 16) {
            throw new BadRequest("deviceSecret", "required, at least 16 characters");
        }
        device.enrol(secret);
        json(req, 200, new JsonObject().put("enrolled", true).put("id", device.identity().mac().toString()));
    }

    private void firmware(HttpServerRequest req, Buffer body) {
        String version = req.getParam("version");
        String sha = req.getParam("sha256");
        if (version == null || version.isBlank() || version.getBytes(StandardCharsets.UTF_8).length > 32) {
            throw new BadRequest("version", "required, 1..32 bytes");
        }
        if (sha == null || !SHA256.matcher(sha).matches()) {
            throw new BadRequest("sha256", "required, 64 hex digits");
        }
        if (body.length() == 0 || body.length() > MAX_FIRMWARE) {
            throw new BadRequest("image", "the request body is the image, 1 byte to 64 MiB");
        }
        String refused = device.upgrade(body.getBytes(), sha, version);
        if (refused != null) {
            problem(req, refused.startsWith("checksum") ? 422 : 409, "Firmware refused", refused,
                    refused.startsWith("checksum") ? "sha256" : null);
            return;
        }
        json(req, 202, firmwareJob());
    }

    private JsonObject firmwareJob() {
        SimDevice.FirmwareJob j = device.firmwareJob();
        return new JsonObject().put("state", j.state()).put("progress", j.progress()).put("version", j.version())
                .put("detail", j.detail()).put("running", device.firmware());
    }

    private void power(HttpServerRequest req, int number, JsonObject b) {
        SimDevice.Channel ch = device.channel(number);
        if (ch == null) {
            problem(req, 404, "Not found", "no channel " + number, "channel");
            return;
        }
        String action = optString(b, "action", 10);
        if (action == null) {
            throw new BadRequest("action", "required: on, off or cycle");
        }
        switch (action) {
            case "on" -> ch.power(true);
            case "off" -> ch.power(false);
            case "cycle" -> {
                ch.power(false);
                device.vertx().setTimer(1000, t -> ch.power(true));
            }
            default -> throw new BadRequest("action", "must be on, off or cycle");
        }
        json(req, 200, new JsonObject().put("channel", number).put("power", ch.powered() ? "on" : "off")
                .put("action", action));
    }

    /**
     * A session credential: a password for one RFB authentication on the channel, for {@code ttlSeconds}. The
     * manager sets one per session and hands it to the broker, so the channel's own password never crosses the
     * network.
     */
    private void addCredential(HttpServerRequest req, int number, JsonObject b) {
        SimDevice.Channel ch = device.channel(number);
        if (ch == null) {
            problem(req, 404, "Not found", "no channel " + number, "channel");
            return;
        }
        String id = optString(b, "id", 64);
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new BadRequest("id", "required: 1..64 letters, digits, '-' or '_'");
        }
        String password = optString(b, "password", 64);
        if (password == null || password.length() < 8) {
            throw new BadRequest("password", "required: 8..64 characters (VNC Authentication uses the first 8)");
        }
        Object ttl = b.getValue("ttlSeconds");
        if (!(ttl instanceof Number n) || n.intValue() < 1 || n.intValue() > 3600) {
            throw new BadRequest("ttlSeconds", "required: 1..3600");
        }
        ch.sessionCredentials().add(id, password, java.time.Duration.ofSeconds(n.intValue()));
        json(req, 201, new JsonObject().put("channel", number).put("id", id).put("ttlSeconds", n.intValue()));
    }

    private void revokeCredential(HttpServerRequest req, int number, String id) {
        SimDevice.Channel ch = device.channel(number);
        if (ch == null) {
            problem(req, 404, "Not found", "no channel " + number, "channel");
            return;
        }
        ch.sessionCredentials().revoke(id);   // idempotent: used up, expired or never set is all the same now
        req.response().setStatusCode(204).end();
    }

    // --- helpers

    private static JsonArray sources(String list) {
        JsonArray a = new JsonArray();
        for (String e : list.split(",")) {
            if (!e.isBlank()) {
                a.add(e.trim());
            }
        }
        return a;
    }

    private static JsonObject object(Buffer body) {
        if (body.length() == 0) {
            throw new BadRequest(null, "a JSON object body is required");
        }
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            throw new BadRequest(null, "body is not a JSON object");
        }
    }

    private static JsonArray arr(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (!(v instanceof JsonArray a)) {
            throw new BadRequest(field, "must be an array");
        }
        return a;
    }

    private static String optString(JsonObject o, String field, int max) {
        if (!o.containsKey(field) || o.getValue(field) == null) {
            return null;
        }
        Object v = o.getValue(field);
        if (!(v instanceof String s) || s.length() > max) {
            throw new BadRequest(field, "must be a string of at most " + max + " characters");
        }
        return s;
    }

    private static void json(HttpServerRequest req, int status, JsonObject body) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static void problem(HttpServerRequest req, int status, String title, String detail, String field) {
        JsonObject p = new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
                .put("detail", detail);
        if (field != null) {
            p.put("field", field);
        }
        req.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(p.encode());
    }

    /** A 400 naming the field. */
    private static final class BadRequest extends RuntimeException {
        private final String field;

        BadRequest(String field, String message) {
            super(message);
            this.field = field;
        }
    }
}
