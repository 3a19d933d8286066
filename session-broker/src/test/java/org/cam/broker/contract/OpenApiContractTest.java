package org.cam.broker.contract;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.cam.broker.support.BrokerTestResource;
import org.cam.testsupport.openapi.OpenApiContract;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin API's contract is complete (errors, security) and the same as docs/openapi/session-broker.yaml. */
@QuarkusTest
@QuarkusTestResource(BrokerTestResource.class)
class OpenApiContractTest {
    @TestHTTPResource("/q/openapi")
    URL openapi;

    @Test
    void everyOperationIsDocumentedWithItsErrorsAndItsSecurity() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(openapi.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String document = r.body();
        assertThat(OpenApiContract.operations(document)).isGreaterThanOrEqualTo(2);
        assertThat(OpenApiContract.violations(document, Set.of())).isEmpty();
        assertThat(OpenApiContract.committed("session-broker", document)).isNull();
    }
}
