package org.cam.replication.alarm;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/**
 * REST client for the configured webhook URL (the base URI is the full URL), normally management-api's
 * {@code /api/v1/internal/alarms}. {@code authorization} is {@code Bearer <service token>}, or null for none.
 */
public interface AlarmWebhook {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    CompletionStage<Void> send(@HeaderParam("Authorization") String authorization, AlarmEvent event);
}
