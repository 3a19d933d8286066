package org.cam.management.health;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ready means ready: with the sync at start on (the default outside tests), management-api reports ready only once
 * its first LDAP sync succeeded, so the directory's groups exist (and grants made to them apply) before anyone logs
 * in. A fresh database (this profile restarts the service and Flyway cleans it).
 */
@QuarkusTest
@TestProfile(LdapFirstSyncTest.SyncAtStart.class)
class LdapFirstSyncTest {

    public static class SyncAtStart implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cam.management.ldap.sync-at-start", "true");
        }
    }

    @Test
    void readyOnlyAfterTheFirstSyncAndGroupsExistBeforeAnyLogin() {
        JsonPath ready = await().atMost(Duration.ofSeconds(60)).until(
                () -> given().get("/q/health/ready").then().extract().jsonPath(), j -> "UP".equals(j.getString("status")));
        assertThat(ready.getString("checks.find { it.name == 'ldap' }.data.firstSync")).isEqualTo("done");
        // Nobody logged in yet: the groups come from the sync, and the run says it was the start-up one.
        JsonPath status = Api.admin().get("/api/v1/ldap/status").then().statusCode(200).extract().jsonPath();
        assertThat(status.getString("lastAppliedRun.outcome")).isEqualTo("SUCCESS");
        assertThat(status.getString("lastAppliedRun.trigger")).isEqualTo("STARTUP");
        assertThat(Api.admin().queryParam("q", "cam-users").get("/api/v1/groups").then().statusCode(200).extract()
                .jsonPath().getList("items.name", String.class)).contains("cam-users");
    }
}
