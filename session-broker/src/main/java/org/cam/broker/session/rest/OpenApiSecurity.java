package org.cam.broker.session.rest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The admin API's one way in, as the OpenAPI document names it (see {@link SessionResource}). */
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "the broker's admin token (cam.broker.admin-token)")
public class OpenApiSecurity extends Application {
}
