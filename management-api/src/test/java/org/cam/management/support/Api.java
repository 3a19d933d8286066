package org.cam.management.support;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;

/** Small helpers shared by the REST tests. */
public final class Api {
    public static final String ADMIN_PASSWORD = "admin-test-pw";
    public static final String DEMO_PASSWORD = "camdemo";
    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();
    private static final AtomicLong SEQ = new AtomicLong(System.currentTimeMillis() % 1_000_000);

    private Api() {
    }

    /** A name unique in this test run (the database outlives single tests). */
    public static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    public static Response login(String user, String password) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("username", user, "password", password))
                .post("/api/v1/auth/login");
    }

    /** A cached access token (tokens live 10 minutes; the suite is shorter). */
    public static String token(String user, String password) {
        return TOKENS.computeIfAbsent(user + "\u0000" + password, k -> {
            Response r = login(user, password);
            if (r.statusCode() != 200) {
                throw new AssertionError("login of " + user + " failed: " + r.statusCode() + " " + r.asString());
            }
            return r.jsonPath().getString("accessToken");
        });
    }

    public static RequestSpecification as(String user, String password) {
        return given().auth().oauth2(token(user, password)).contentType(ContentType.JSON);
    }

    public static RequestSpecification admin() {
        return as("admin", ADMIN_PASSWORD);
    }

    public static RequestSpecification demo(String user) {
        return as(user, DEMO_PASSWORD);
    }

    public static long createUser(String username, String password, String... roles) {
        return admin().body(Map.of("username", username, "password", password, "roles", java.util.List.of(roles)))
                .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    public static long createTarget(String name) {
        return admin().body(Map.of("name", name, "host", "127.0.0.1", "port", 5900, "accessPolicy", "SHARED"))
                .post("/api/v1/targets").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    public static long createSet(String name, long... targets) {
        long id = admin().body(Map.of("name", name)).post("/api/v1/target-sets").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        for (long t : targets) {
            admin().put("/api/v1/target-sets/" + id + "/targets/" + t).then().statusCode(204);
        }
        return id;
    }

    public static long groupId(String name) {
        return admin().queryParam("q", name).queryParam("size", 500).get("/api/v1/groups").then().statusCode(200)
                .extract().jsonPath().getLong("items.find { it.name == '" + name + "' }.id");
    }

    public static long grant(long groupId, long setId, String level) {
        return admin().body(Map.of("groupId", groupId, "targetSetId", setId, "accessLevel", level))
                .post("/api/v1/grants").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    public static void syncLdap() {
        admin().post("/api/v1/ldap/sync").then().statusCode(200);
    }

    /** Runs {@code task} {@code n} times at once (released together, to race) and returns the results. */
    public static <T> java.util.List<T> concurrently(int n, java.util.concurrent.Callable<T> task) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<T>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    gate.await();
                    return task.call();
                }));
            }
            gate.countDown();
            java.util.List<T> out = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<T> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
