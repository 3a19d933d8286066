package org.cam.discovery.security;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** How the OpenAPI document names the API's one way in (see {@link ApiTokenFilter}). */
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "the discovery service token, or a management-api admin's access token (JWT)")
public class OpenApiSecurity extends Application {
}
