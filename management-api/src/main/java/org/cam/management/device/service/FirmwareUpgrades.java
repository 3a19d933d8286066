package org.cam.management.device.service;

import static org.cam.management.device.service.DeviceOperations.answer;
import static org.cam.management.device.service.DeviceOperations.refused;
import static org.cam.management.device.service.DeviceOperations.truncate;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceOperation;
import org.cam.management.device.FirmwareJob;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Firmware upgrades from the library: the upload with its SHA-256 here, then {@link DevicePoller} follows the device
 * writing the image and rebooting into the version. An operation ({@link DeviceOperations}).
 */
@ApplicationScoped
public class FirmwareUpgrades {
    public static final String FIRMWARE_FAILED = "device.FIRMWARE_FAILED:";

    @Inject
    ManagementConfig config;

    @Inject
    DeviceOperations operations;

    @Inject
    DeviceClient client;

    @Inject
    DeviceService devices;

    @Inject
    FirmwareLibrary library;

    @Inject
    AuditService audit;

    /**
     * Starts a firmware upgrade with an image of the library: uploads it with its SHA-256 (the device checks it),
     * then the poller follows the device writing it and rebooting into {@code version}. {@code expectedSha256},
     * when given, must match the library's image (the operator's check that the file is the one released).
     */
    public FirmwareJob upgrade(long id, String image, String version, String expectedSha256, String actor,
                               String sourceAddress) {
        FirmwareLibrary.Image img = library.get(image);
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(img.sha256())) {
            throw new ApiException(422, "Unprocessable Content", "image " + image + " has SHA-256 " + img.sha256()
                    + ", not " + expectedSha256.toLowerCase(), "sha256");
        }
        DeviceOperations.Link link = operations.begin(id, DeviceOperation.FIRMWARE, actor, d -> { });
        long jobId = QuarkusTransaction.requiringNew().call(() -> {
            FirmwareJob j = new FirmwareJob();
            j.deviceId = id;
            j.image = img.name();
            j.version = version;
            j.sha256 = img.sha256();
            j.sizeBytes = img.sizeBytes();
            j.state = FirmwareJob.State.UPLOADING;
            j.requestedBy = actor;
            j.createdAt = Instant.now();
            j.persist();
            return j.id;
        });
        DeviceClient.Result r;
        try {
            String path = "/api/v1/firmware?version=" + URLEncoder.encode(version, StandardCharsets.UTF_8)
                    + "&sha256=" + img.sha256();
            r = client.upload(link.address(), link.port(), link.fingerprint(), link.secret(), path, library.path(img),
                    config.devices().operationRequestTimeout());
        } catch (IOException e) {
            r = new DeviceClient.Result(0, String.valueOf(e.getMessage()));
        }
        DeviceClient.Result result = r;
        FirmwareJob job = QuarkusTransaction.requiringNew().call(() -> {
            FirmwareJob j = FirmwareJob.findById(jobId);
            Device d = operations.locked(id);
            if (result.ok()) {
                j.state = FirmwareJob.State.WRITING;
                audit.record(actor, "FIRMWARE_UPGRADE", "device", d.mac, AuditService.SUCCESS, sourceAddress,
                        "job " + j.id + " image=" + j.image + " version=" + version + " sha256=" + j.sha256
                                + " from " + d.firmwareVersion);
            } else {
                j.state = FirmwareJob.State.FAILED;
                j.detail = truncate("upload refused: " + answer(result));
                j.finishedAt = Instant.now();
                d.endOperation();
                audit.record(actor, "FIRMWARE_UPGRADE", "device", d.mac, AuditService.FAILURE, sourceAddress,
                        "job " + j.id + " image=" + j.image + " version=" + version + ": " + j.detail);
            }
            return j;
        });
        if (!result.ok()) {
            throw refused(result, "the device refused the firmware image");
        }
        return job;
    }

    public List<FirmwareJob> jobs(long id) {
        devices.get(id);
        return FirmwareJob.list("deviceId = ?1 order by id desc", id);
    }
}
