package org.cam.management.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.cam.management.support.SimRecorder;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.simulator.Fleet;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.rfb.ChannelScreen;
import org.cam.testsupport.browser.Chromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.management.ui.Pages.awaitTrue;
import static org.cam.management.ui.Pages.js;

/**
 * Playback in headless Chromium. A control session on a simulated device (127.0.97.1, seed 97) is recorded the way
 * the broker records it (protocol's codecs; {@link SimRecorder}) while a word is typed; the simulator echoes typed
 * keys on its screen. The recordings page finds the session by the word (q=), the player (noVNC) shows the screen
 * without the word before it was typed and with it after, pixel for pixel as the device drew it; the key log has
 * the word with its time and a click on it seeks there; the recording verifies, and the same file with one byte of a
 * segment altered says it does not. An auditor watches but is offered no change (and the API refuses one); both
 * viewings are audited. The console tells the user the session is recorded. A one-hour recording of the moving
 * screen measures seeking (figures in docs/performance.md; no timed assertion).
 */
@QuarkusTest
class RecordingPlaybackTest {
    private static final String DEVICE = "127.0.97.1";
    private static final int KVM = 28900;
    private static final String BROKER = "test-broker-token";
    /** The rows of the simulator's "keys:" line (baseline 260, 22 px font), clear of the clock and clipboard lines. */
    private static final int KEYS_TOP = 232;
    private static final int KEYS_BOTTOM = 272;

    @TestHTTPResource("/")
    URL root;

    static Chromium chrome;
    static Fleet fleet;

    @BeforeAll
    static void start() throws Exception {
        Path state = Files.createTempDirectory("cam-mgmt-playback");
        // No ticks of its own: the screen changes only when the test types or ticks it.
        fleet = new Fleet(SimulatorConfig.parse("--count", "1", "--first-address", DEVICE, "--channels", "1",
                "--https-port", "28443", "--kvm-port", String.valueOf(KVM), "--discovery", "manual", "--manager",
                "127.0.97.250:3080", "--tick-millis", "3600000", "--state-dir", state.toString(), "--seed", "97",
                "--name-prefix", "play"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        chrome = Chromium.start(List.of());
        Files.createDirectories(Pages.SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chrome != null) {
            chrome.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    static ChannelScreen screen() {
        return fleet.members().get(0).device().channel(1).screen();
    }

    static Path storage() {
        return Path.of(System.getProperty("java.io.tmpdir"), "cam-management-test-recordings");
    }

    /** A target in a set that records ALWAYS; a session on it, requested and claimed by the (test) broker. */
    static String[] recordedSession() {
        long target = Api.createTarget(Api.unique("play-target"));
        long set = Api.createSet(Api.unique("play-set"), target);
        Api.admin().body(Map.of("recording", "ALWAYS", "failClosed", false))
                .put("/api/v1/target-sets/" + set + "/recording").then().statusCode(200);
        String id = Api.admin().body(Map.of("targetId", target, "mode", "control")).post("/api/v1/sessions").then()
                .statusCode(201).extract().jsonPath().getString("sessionId");
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "play-broker", "clientAddress", "198.51.100.9"))
                .post("/api/v1/internal/sessions/" + id + "/claim").then().statusCode(200);
        return new String[] {id, String.valueOf(target)};
    }

    /** The broker's end report with the recording's digest. */
    static void ended(String id, String digest, long segments, long durationMillis) throws Exception {
        Map<String, Object> rec = new HashMap<>();
        rec.put("digest", digest);
        rec.put("bytes", Files.size(storage().resolve(id + ".camrec")));
        rec.put("segments", segments);
        rec.put("durationMillis", durationMillis);
        rec.put("complete", true);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "play-broker", "reason", "client_closed", "bytesFromClient", 10,
                        "bytesFromDevice", 20, "endedAt", Instant.now().toString(), "recording", rec))
                .post("/api/v1/internal/sessions/" + id + "/end").then().statusCode(204);
    }

    /** The keys line as the simulator drew it (RGB, row by row). */
    static byte[] keysLine() {
        int[] px = screen().pixels();
        int w = screen().width();
        byte[] out = new byte[(KEYS_BOTTOM - KEYS_TOP) * w * 3];
        int o = 0;
        for (int y = KEYS_TOP; y < KEYS_BOTTOM; y++) {
            for (int x = 0; x < w; x++) {
                int p = px[y * w + x];
                out[o++] = (byte) (p >> 16);
                out[o++] = (byte) (p >> 8);
                out[o++] = (byte) p;
            }
        }
        return out;
    }

    /** The keys line as the player's canvas shows it. */
    static byte[] shownKeysLine() throws Exception {
        String b64 = chrome.evalString("(() => { const c = document.getElementById('playback-canvas');"
                + " const d = c.getContext('2d').getImageData(0, " + KEYS_TOP + ", c.width, "
                + (KEYS_BOTTOM - KEYS_TOP) + ").data; let s = '';"
                + " for (let i = 0; i < d.length; i += 4) { s += String.fromCharCode(d[i], d[i + 1], d[i + 2]); }"
                + " return btoa(s); })()");
        return Base64.getDecoder().decode(b64);
    }

    static void awaitShown(byte[] expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> java.util.Arrays.equals(shownKeysLine(), expected));
    }

    /**
     * Seeks with the seek bar as a user drags it; returns the player's own measurement: "total ms (decoding without
     * drawing up to the keyframe ms, updates drawn after it)".
     */
    static String seek(long ms) throws Exception {
        int before = chrome.eval("Number(document.getElementById('playback-screen').dataset.seeks || 0)").asInt();
        chrome.eval("(() => { const s = document.getElementById('playback-seek'); s.value = '" + ms + "';"
                + " s.dispatchEvent(new Event('change')); return true; })()");
        awaitTrue(chrome, "Number(document.getElementById('playback-screen').dataset.seeks || 0) > " + before);
        assertThat(chrome.eval("Number(document.getElementById('playback-time').dataset.ms)").asLong())
                .isEqualTo(ms);
        return chrome.evalString("(() => { const d = document.getElementById('playback-screen').dataset;"
                + " return d.seekMillis + ' ms (' + d.seekQuietMillis + ' ms decoding to the keyframe, '"
                + " + d.seekDrawn + ' updates drawn)'; })()");
    }

    static void openPlayback(String id) throws Exception {
        Pages.open(chrome, "recordings"); // the same hash again would not open the page anew
        chrome.eval("location.hash = '#playback/" + id + "'; true");
        awaitTrue(chrome, "document.getElementById('page').dataset.ready === 'playback'");
        awaitTrue(chrome, "document.getElementById('playback-screen').dataset.state === 'paused'");
    }

    /** A fresh page (the tokens live in the tab's sessionStorage), logged in as {@code user}. */
    void logIn(String user, String password) throws Exception {
        chrome.navigate(root.toString());
        awaitTrue(chrome, "document.readyState === 'complete' && location.href.startsWith(" + js(root.toString())
                + ") && (sessionStorage.clear(), true)");
        chrome.navigate(root.toString() + "?fresh=" + System.nanoTime());
        Pages.login(chrome, user, password);
        awaitTrue(chrome, "document.getElementById('page').dataset.ready !== undefined");
    }

    @Test
    void typedTextPlaysBackVerifiesIsFoundAndAnAlteredRecordingSaysSo() throws Exception {
        String[] session = recordedSession();
        String id = session[0];
        String word = "zebra" + (System.nanoTime() % 100000);
        byte[] before;
        byte[] after;
        String digest;
        long segments;
        long typedAt = 2000;
        long end;
        try (SimRecorder rec = new SimRecorder(DEVICE, KVM, id, storage().resolve(id + ".camrec"))) {
            before = keysLine();
            long t = typedAt;
            for (char c : ("echo " + word).toCharArray()) {
                rec.type(t, c);
                t += 100;
            }
            rec.type(t, 0xff0d);
            after = keysLine();
            end = t + 4000;
            digest = rec.finish(end);
            segments = rec.segments();
        }
        assertThat(after).as("typing changed the device's keys line").isNotEqualTo(before);
        ended(id, digest, segments, end);

        // The console says a session on this target is recorded, before and after it opens.
        logIn("admin", Api.ADMIN_PASSWORD);
        Pages.open(chrome, "mytargets");
        String targetName = Api.admin().get("/api/v1/targets/" + session[1]).then().statusCode(200).extract()
                .jsonPath().getString("name");
        Pages.searchUntilRow(chrome, "targets", targetName, "button.control");
        Pages.click(chrome, "#targets-table tr[data-target-id='" + session[1] + "'] button.control");
        awaitTrue(chrome, "!document.getElementById('connect-panel').hidden");
        assertThat(chrome.evalString("document.getElementById('connect-recorded').textContent"))
                .contains("This session is recorded");
        Pages.click(chrome, "#open-console");
        awaitTrue(chrome, "document.getElementById('console-recorded') !== null");
        assertThat(chrome.evalString("document.getElementById('console-recorded').textContent")).contains("Recorded");
        assertThat(chrome.eval("document.getElementById('console-recorded').offsetParent !== null").asBoolean())
                .as("the recorded badge is visible").isTrue();

        // The recordings page finds it by the typed word; Play opens the player.
        Pages.open(chrome, "recordings");
        awaitTrue(chrome, "document.querySelector('#recordings .pager-info').textContent !== ''"); // first load done
        chrome.eval("document.querySelector('#recordings-f-q').value = " + js(word) + ";"
                + " document.querySelector('#recordings form[role=search]').requestSubmit(); true");
        awaitTrue(chrome, "[...document.querySelectorAll('#recordings-table tbody tr[data-session-id]')]"
                + ".map(r => r.dataset.sessionId).join() === " + js(id));
        Pages.check(chrome, "recordings");
        Pages.click(chrome, "#recordings-table tr[data-session-id='" + id + "'] a.play");
        awaitTrue(chrome, "document.getElementById('page').dataset.ready === 'playback'");
        awaitTrue(chrome, "document.getElementById('playback-screen').dataset.state === 'paused'");
        assertThat(chrome.evalString("document.getElementById('playback-verify').dataset.verified")).isEqualTo("true");
        assertThat(chrome.evalString("document.getElementById('playback-verify').textContent")).startsWith("Verified");

        // The key log: the typed line, Enter named, at the time it was typed.
        String entry = chrome.evalString("(() => { const li = [...document.querySelectorAll('#playback-keylog li')]"
                + ".find(l => l.textContent.includes(" + js(word) + ")); return li.dataset.ms + '|' + "
                + "li.querySelector('.text').textContent; })()");
        assertThat(entry).isEqualTo(typedAt + "|echo " + word + "<Enter>");

        // Before the typing the screen has no word; playing at 16x, the word appears, and not before it was typed.
        awaitShown(before);
        chrome.eval("document.getElementById('playback-speed').value = '16';"
                + " document.getElementById('playback-speed').dispatchEvent(new Event('change')); true");
        Pages.click(chrome, "#playback-play");
        awaitShown(after);
        assertThat(chrome.eval("Number(document.getElementById('playback-time').dataset.ms)").asLong())
                .as("the word shows once it was typed (the Enter's update), not before")
                .isGreaterThanOrEqualTo(typedAt + 100L * ("echo " + word).length() + 20);
        awaitTrue(chrome, "document.getElementById('playback-screen').dataset.state === 'ended'");
        Pages.check(chrome, "playback");

        // Seeking back resets the player: the word is gone; a click on the key-log entry seeks to the typing.
        seek(1000);
        awaitShown(before);
        chrome.eval("document.querySelector('#playback-keylog li[data-ms=\"" + typedAt + "\"] button').click(); true");
        awaitTrue(chrome, "document.getElementById('playback-time').dataset.ms === '" + typedAt + "'");
        seek(end);
        awaitShown(after);

        // One byte of the last segment's payload altered on disk: the player says so (and plays what comes before).
        Path file = storage().resolve(id + ".camrec");
        byte[] bytes = Files.readAllBytes(file);
        List<RecordingScan.Segment> chained = RecordingScan.of(bytes, 0, bytes.length).segments();
        assertThat(chained).hasSizeGreaterThan(1);
        byte[] altered = bytes.clone();
        altered[(int) chained.get(chained.size() - 1).offset() + SegmentCodec.HEADER_LENGTH + 3] ^= 0x01;
        Files.write(file, altered);
        try {
            openPlayback(id);
            assertThat(chrome.evalString("document.getElementById('playback-verify').dataset.verified"))
                    .isEqualTo("false");
            assertThat(chrome.evalString("document.getElementById('playback-verify').textContent"))
                    .contains("does NOT verify", "segment " + (chained.size() - 1));
            Pages.check(chrome, "playback-altered");
        } finally {
            Files.write(file, bytes);
        }

        // An auditor watches, and is offered nothing that changes anything; the API refuses a change.
        String auditor = Api.unique("auditor").replace('-', '_');
        Api.createUser(auditor, "auditor-pass-1", "auditor");
        logIn(auditor, "auditor-pass-1");
        assertThat(chrome.evalString("[...document.querySelectorAll('#nav .tab')].map(t => t.dataset.view).join()"))
                .isEqualTo("sessions,audit,recordings");
        Pages.open(chrome, "sessions");
        awaitTrue(chrome, "document.querySelector('#sessions .pager-info').textContent !== ''");
        awaitTrue(chrome, "document.querySelector('#sessions-f-state').value = 'ENDED';"
                + " document.querySelector('#sessions-f-targetId').value = '" + session[1] + "';"
                + " document.querySelector('#sessions form[role=search]').requestSubmit(); true");
        awaitTrue(chrome, "document.querySelector('#sessions-table tr[data-session-id=\"" + id + "\"] a.play')"
                + " !== null");
        assertThat(chrome.eval("document.querySelectorAll('#sessions-table button').length").asInt()).isZero();
        Pages.open(chrome, "audit");
        awaitTrue(chrome, "(() => { if (document.querySelector('#audit-table a.play[href=\"#playback/" + id + "\"]')) {"
                + " return true; } document.querySelector('#audit-f-objectId').value = " + js(id) + ";"
                + " document.querySelector('#audit form[role=search]').requestSubmit(); return false; })()");
        Pages.click(chrome, "#audit-table a.play[href='#playback/" + id + "']");
        awaitTrue(chrome, "document.getElementById('page').dataset.ready === 'playback'");
        awaitTrue(chrome, "document.getElementById('playback-screen').dataset.state === 'paused'");
        assertThat(chrome.evalString("document.getElementById('playback-verify').dataset.verified")).isEqualTo("true");
        // The page's only controls play: play/pause, the key log's entries (seek), speed and position.
        assertThat(chrome.evalString("[...document.querySelectorAll('#page button')]"
                + ".filter(b => !b.matches('#playback-play, .keylog-entry')).length + ''")).isEqualTo("0");
        seek(end);
        awaitShown(after);
        Api.as(auditor, "auditor-pass-1").delete("/api/v1/sessions/" + id).then().statusCode(403);
        Api.as(auditor, "auditor-pass-1").body(Map.of("recording", "NEVER", "failClosed", false))
                .put("/api/v1/target-sets/1/recording").then().statusCode(403);

        // Each viewing is audited: who watched which session's recording.
        JsonPath views = Api.admin().queryParam("objectId", id).queryParam("action", "RECORDING_VIEW")
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath();
        assertThat(views.getList("items.actor", String.class)).contains("admin", auditor);
        assertThat(views.getList("items.objectType", String.class)).containsOnly("session");
    }

    @Test
    void aZlibRecordingFromBeforeLz4StillPlaysAndVerifies() throws Exception {
        String id = recordedSession()[0];
        byte[] before;
        byte[] after;
        String digest;
        long segments;
        try (SimRecorder rec = new SimRecorder(DEVICE, KVM, id, storage().resolve(id + ".camrec"),
                SegmentCodec.Codec.ZLIB)) {
            before = keysLine();
            long t = 1000;
            for (char c : "echo zlib".toCharArray()) {
                rec.type(t, c);
                t += 100;
            }
            rec.type(t, 0xff0d);
            after = keysLine();
            digest = rec.finish(t + 6000);
            segments = rec.segments();
        }
        byte[] file = Files.readAllBytes(storage().resolve(id + ".camrec"));
        assertThat(RecordingScan.of(file, 0, file.length).segments()).extracting(s -> s.header().codec())
                .containsOnly(SegmentCodec.Codec.ZLIB);
        ended(id, digest, segments, 7000);
        logIn("admin", Api.ADMIN_PASSWORD);
        openPlayback(id);
        assertThat(chrome.evalString("document.getElementById('playback-verify').dataset.verified")).isEqualTo("true");
        awaitShown(before);
        seek(7000);
        awaitShown(after);
    }

    @Test
    void aOneHourRecordingSeeksAnywhere() throws Exception {
        String id = recordedSession()[0];
        long hour = 3_600_000;
        long deviceBytes;
        String digest;
        long segments;
        byte[] last;
        try (SimRecorder rec = new SimRecorder(DEVICE, KVM, id, storage().resolve(id + ".camrec"))) {
            // The simulator's moving screen: a tick a second (the band scrolls, the clock runs), a keyframe every
            // 30 s (the broker's default recording.keyframe-interval), a word typed every five minutes.
            for (long t = 1000; t < hour; t += 1000) {
                if (t % 30_000 == 0) {
                    rec.keyframe(t);
                } else {
                    screen().tick();
                    rec.update(t, true);
                }
                if (t % 300_000 == 0) {
                    rec.type(t + 500, 'k');
                }
            }
            last = keysLine();
            digest = rec.finish(hour);
            segments = rec.segments();
            deviceBytes = rec.deviceBytes();
        }
        ended(id, digest, segments, hour);
        long fileBytes = Files.size(storage().resolve(id + ".camrec"));

        logIn("admin", Api.ADMIN_PASSWORD);
        long loadStart = System.nanoTime();
        openPlayback(id);
        long loadMillis = (System.nanoTime() - loadStart) / 1_000_000;
        List<String> figures = new ArrayList<>();
        // Forward from the start, back (a reset and fast-forward from the start), to the very end, back to the start.
        for (long to : new long[] {hour / 2, hour - 60_000, hour / 4, hour, 30_000, hour - 1000, hour / 3,
                hour - 30_000}) {
            figures.add("seek to " + to / 1000 + " s: " + seek(to));
        }
        awaitShown(last);
        String report = "one-hour recording: " + fileBytes + " bytes on disk, " + segments + " segments, "
                + deviceBytes + " bytes of device data; page open to ready " + loadMillis + " ms; "
                + String.join("; ", figures);
        System.out.println("PLAYBACK-SEEK " + report);
        Files.writeString(Path.of("target/playback-seek.txt"), report + System.lineSeparator());
    }
}
