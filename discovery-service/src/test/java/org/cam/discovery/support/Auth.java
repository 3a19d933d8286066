package org.cam.discovery.support;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Requests to the API as a caller holding the service token (the test profile's). */
public final class Auth {
    public static final String TOKEN = "test-discovery-token";

    private Auth() {
    }

    public static RequestSpecification given() {
        return RestAssured.given().auth().oauth2(TOKEN);
    }
}
