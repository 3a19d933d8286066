package org.cam.replication.alarm;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/** REST client for the configured webhook URL (the base URI is the full URL). */
public interface AlarmWebhook {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    CompletionStage<Void> send(AlarmEvent event);
}
