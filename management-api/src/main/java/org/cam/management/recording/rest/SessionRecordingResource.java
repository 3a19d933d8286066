package org.cam.management.recording.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import org.cam.management.common.ApiException;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.Role;
import org.cam.management.recording.service.RecordingCatalog;

/** A session's recording: metadata with verification, and its data with HTTP range requests (for the player). */
@Path("/api/v1/sessions/{sessionId}/recording")
public class SessionRecordingResource {

    private static final java.util.regex.Pattern RANGE = java.util.regex.Pattern.compile("bytes=(\\d*)-(\\d*)");

    @Inject
    RecordingCatalog recordings;

    @Inject
    RequestInfo info;

    @Operation(summary = "A session's recording: duration, size, digest and whether it verifies")
    @GET
    @RolesAllowed({Role.ADMIN, Role.AUDITOR})
    public RecordingCatalog.Metadata metadata(@PathParam("sessionId") @Size(max = 64) String id,
                                              @QueryParam("verify") @DefaultValue("true") boolean verify) {
        return recordings.metadata(id, verify);
    }

    /**
     * The recording file; a {@code Range: bytes=a-b} request gets 206 with that part. A read from the first byte is
     * a viewing and is audited (RECORDING_VIEW).
     */
    @Operation(summary = "A session's recording file (byte ranges supported)")
    @GET
    @Path("/data")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed({Role.ADMIN, Role.AUDITOR})
    public Response data(@PathParam("sessionId") @Size(max = 64) String id, @HeaderParam("Range") String range)
            throws IOException {
        java.nio.file.Path f = recordings.dataFile(id);
        long size = Files.size(f);
        long start = 0;
        long end = size - 1;
        boolean partial = false;
        if (range != null && !range.isBlank()) {
            Matcher m = RANGE.matcher(range.strip());
            if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                throw ApiException.badRequest("Range", "Range must be one byte range: bytes=start-end");
            }
            try {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, size - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Range", "Range numbers out of range");
            }
            if (start >= size || start > end) {
                return Response.status(416).header("Content-Range", "bytes */" + size).build();
            }
            partial = true;
        }
        if (start == 0) {
            // A player reads from the first byte once per playback; later ranges are the same viewing.
            recordings.watched(id, info.actor(), info.sourceAddress());
        }
        long from = start;
        long length = end - start + 1;
        StreamingOutput body = out -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                 InputStream in = Channels.newInputStream(ch.position(from))) {
                byte[] buf = new byte[64 * 1024];
                long left = length;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
        };
        Response.ResponseBuilder r = Response.status(partial ? 206 : 200).entity(body)
                .header("Accept-Ranges", "bytes").header("Content-Length", length)
                .header("Cache-Control", "no-store");
        if (partial) {
            r.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        return r.build();
    }

}
