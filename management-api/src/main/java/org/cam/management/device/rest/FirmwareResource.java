package org.cam.management.device.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.cam.management.device.service.FirmwareLibrary;
import org.cam.management.identity.Role;

import java.util.List;

/** The firmware library: images an operator can install on devices ({@code POST /api/v1/devices/{id}/firmware}). */
@Path("/api/v1/firmware")
public class FirmwareResource {

    @Inject
    FirmwareLibrary library;

    @Operation(summary = "List the firmware library")
    @GET
    @RolesAllowed(Role.OPERATOR)
    public List<FirmwareLibrary.Image> list() {
        return library.list();
    }
}
