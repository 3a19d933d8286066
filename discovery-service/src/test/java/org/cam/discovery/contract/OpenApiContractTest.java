package org.cam.discovery.contract;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.testsupport.openapi.OpenApiContract;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The published contract is complete (errors, security) and the same as docs/openapi/discovery-service.yaml. */
@QuarkusTest
class OpenApiContractTest {
    @Test
    void everyOperationIsDocumentedWithItsErrorsAndItsSecurity() {
        String document = given().get("/q/openapi").then().statusCode(200).extract().asString();
        assertThat(OpenApiContract.operations(document)).isGreaterThanOrEqualTo(4);
        assertThat(OpenApiContract.violations(document, Set.of())).isEmpty();
        assertThat(OpenApiContract.committed("discovery-service", document)).isNull();
    }
}
