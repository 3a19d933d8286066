package org.cam.management.common;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.security.SecuritySchemes;

/**
 * The two ways to call the API, as the OpenAPI document names them: a Bearer access token (JWT, from
 * {@code POST /api/v1/auth/login}) and HTTP Basic for scripts (refused when a browser sends it). The roles an
 * operation needs are the requirement's scopes.
 */
@SecuritySchemes({
        @SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
                bearerFormat = "JWT", description = "access token from POST /api/v1/auth/login"),
        @SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
                description = "user name and password; for scripts, refused from browsers")
})
public class OpenApiSecurity extends Application {
}
