package org.cam.replication.contract;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.testsupport.openapi.OpenApiContract;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The published contract is complete (errors, security) and the same as docs/openapi/replication-monitor.yaml. */
@QuarkusTest
class OpenApiContractTest {
    /**
     * Reads anyone inside the cluster may make: HAProxy's and the primary pointer's question "is this node the
     * primary", and the state and history the UI and operators watch (NetworkPolicies keep them in the cluster).
     */
    static final Set<String> PUBLIC = Set.of("GET /api/v1/replication/status",
            "GET /api/v1/replication/nodes/{node}/primary", "GET /api/v1/replication/history");

    @Test
    void everyOperationIsDocumentedWithItsErrorsAndItsSecurity() {
        String document = given().get("/q/openapi").then().statusCode(200).extract().asString();
        assertThat(OpenApiContract.operations(document)).isGreaterThanOrEqualTo(5);
        assertThat(OpenApiContract.violations(document, PUBLIC)).isEmpty();
        assertThat(OpenApiContract.committed("replication-monitor", document)).isNull();
    }
}
