package org.cam.management.common;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.support.Api;
import org.cam.testsupport.openapi.OpenApiContract;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published contract: valid, every operation summarised, its errors documented as problem+json, a security
 * requirement (with its roles) on everything but the ways in; and the same as the committed
 * {@code docs/openapi/management-api.yaml}.
 */
@QuarkusTest
class OpenApiContractTest {
    /** The operations anyone may call: they are how a caller gets credentials, or gives them back. */
    static final Set<String> PUBLIC = Set.of("POST /api/v1/auth/login", "POST /api/v1/auth/refresh",
            "POST /api/v1/auth/logout");

    @Test
    void everyOperationIsDocumentedWithItsErrorsAndItsSecurity() {
        String document = Api.admin().get("/q/openapi").then().statusCode(200).extract().asString();
        assertThat(OpenApiContract.operations(document)).isGreaterThan(60);
        assertThat(OpenApiContract.violations(document, PUBLIC)).isEmpty();
        assertThat(OpenApiContract.committed("management-api", document)).isNull();
    }

    /** The check itself: an operation without a summary, an error answer or security is named. */
    @Test
    void theContractCheckNamesWhatIsMissing() {
        String bare = """
                openapi: 3.1.0
                info: {title: t, version: "1"}
                paths:
                  /api/v1/things:
                    get:
                      responses:
                        "200": {description: OK}
                  /api/v1/auth/login:
                    post:
                      summary: Log in
                      security: [{basic: []}]
                      responses:
                        "401":
                          description: no
                          content:
                            application/problem+json: {schema: {type: object}}
                components:
                  securitySchemes:
                    basic: {type: http, scheme: basic}
                """;
        assertThat(OpenApiContract.violations(bare, PUBLIC)).containsExactlyInAnyOrder(
                "GET /api/v1/things: no summary",
                "GET /api/v1/things: no error answer documented as application/problem+json",
                "GET /api/v1/things: no security requirement (and not one of the public operations)",
                "POST /api/v1/auth/login: listed as public but has a security requirement");
    }
}
