package org.cam.systemtests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer as a client meets the API: one {@code POST /api/v1/groups} every 50 ms (one at a time: a slow answer
 * delays the next), each answer recorded with its timing, so a test can tell which writes were acknowledged and how
 * long no write was. {@link #reader} makes the same for reads: automation listing its targets with HTTP Basic.
 */
final class ApiLoad implements AutoCloseable {
    record Answer(String name, long startNanos, long endNanos, int status, String retryAfter, String contentType,
                  String body) {
        boolean acknowledged() {
            return status >= 200 && status < 300;
        }
    }

    private final HttpClient http;
    private final String url;
    private final String prefix;
    private final boolean reads;
    private final long periodMillis;
    private volatile String authorization;
    private final List<Answer> answers = new CopyOnWriteArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "write-load");
        t.setDaemon(true);
        return t;
    });

    ApiLoad(HttpClient http, String managementUrl, String prefix, String authorization) {
        this(http, managementUrl + "/api/v1/groups", prefix, authorization, false, 50);
    }

    private ApiLoad(HttpClient http, String url, String prefix, String authorization, boolean reads,
                      long periodMillis) {
        this.http = http;
        this.url = url;
        this.prefix = prefix;
        this.authorization = authorization;
        this.reads = reads;
        this.periodMillis = periodMillis;
    }

    /** One {@code GET /api/v1/me/targets} every 100 ms with this authorization (HTTP Basic, as scripts use). */
    static ApiLoad reader(HttpClient http, String managementUrl, String authorization) {
        return new ApiLoad(http, managementUrl + "/api/v1/me/targets", "read", authorization, true, 100);
    }

    void start() {
        timer.scheduleAtFixedRate(this::writeOne, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** A fresh token between scenarios (access tokens live ten minutes). */
    void authorization(String authorization) {
        this.authorization = authorization;
    }

    private void writeOne() {
        String name = prefix + "-" + seq.incrementAndGet();
        long start = System.nanoTime();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", authorization).header("Accept", "application/json");
            HttpRequest req = reads ? b.GET().build() : b.header("Content-Type", "application/json")
                    .POST(SuiteStack.body(Map.of("name", name, "description", "failover drill"))).build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            answers.add(new Answer(name, start, System.nanoTime(), r.statusCode(),
                    r.headers().firstValue("Retry-After").orElse(null),
                    r.headers().firstValue("Content-Type").orElse(""), r.body()));
        } catch (Exception e) {
            answers.add(new Answer(name, start, System.nanoTime(), -1, null, "", String.valueOf(e)));
        }
    }

    /** How many answers so far: a mark to look at what came after. */
    int mark() {
        return answers.size();
    }

    /**
     * The answers from the last acknowledged one before {@code mark} on: the window in which to measure an outage
     * that started with the first refusal after it.
     */
    List<Answer> fromLastAcknowledgedBefore(int mark) {
        List<Answer> all = all();
        int from = Math.min(mark, all.size());
        while (from > 0 && !all.get(from - 1).acknowledged()) {
            from--;
        }
        return all.subList(Math.max(0, from - 1), all.size());
    }

    List<Answer> since(int mark) {
        return new ArrayList<>(answers.subList(mark, answers.size()));
    }

    long acknowledgedSince(int mark) {
        return since(mark).stream().filter(Answer::acknowledged).count();
    }

    List<String> acknowledgedNames() {
        return answers.stream().filter(Answer::acknowledged).map(Answer::name).toList();
    }

    List<Answer> all() {
        return new ArrayList<>(answers);
    }

    /**
     * The longest time without an acknowledgement among these answers: from one acknowledged write's answer to the
     * next one's (what a user saves and waits for), in milliseconds.
     */
    static long longestGapMillis(List<Answer> window) {
        long longest = 0;
        Long previous = null;
        for (Answer a : window) {
            if (!a.acknowledged()) {
                continue;
            }
            if (previous != null) {
                longest = Math.max(longest, a.endNanos() - previous);
            }
            previous = a.endNanos();
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(40, TimeUnit.SECONDS);
    }
}
