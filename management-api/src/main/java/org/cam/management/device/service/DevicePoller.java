package org.cam.management.device.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.RowLock;
import org.cam.management.common.SecretBox;
import org.cam.management.common.Transactions;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceChannel;
import org.cam.management.device.DeviceOperation;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.device.FirmwareJob;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Polls every managed device's status over the pinned channel. A device that misses
 * {@code offline-after-missed-polls} polls in a row is OFFLINE: an alarm is raised and its targets become
 * Unavailable; the first good poll clears both. All devices are polled concurrently; one slow device does not
 * hold up the others beyond the request timeout.
 */
@ApplicationScoped
public class DevicePoller {
    private static final Logger LOG = Logger.getLogger(DevicePoller.class);

    @Inject
    ManagementConfig config;

    @Inject
    DeviceClient client;

    @Inject
    SecretBox secrets;

    @Inject
    AlarmService alarms;

    @Inject
    AuditService audit;

    @Inject
    DeviceEnrolment enrolment;

    /** Polls in flight when the application stops must not touch the closing persistence unit. */
    private volatile boolean stopping;

    void onStop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent ev) {
        stopping = true;
    }

    /** A managed device as the poll found it before asking, with its power switch count at that moment. */
    private record Managed(long id, String mac, String label, String address, int port, String fp, String secret,
            long powerSwitches) {
    }

    @Scheduled(every = "${cam.management.devices.poll-every}", delayed = "${cam.management.devices.poll-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (stopping) {
            return;
        }
        List<Managed> managed = QuarkusTransaction.requiringNew().call(() ->
                Device.<Device>list("state", DeviceState.MANAGED).stream()
                        .map(d -> new Managed(d.id, d.mac, d.label(), d.address, d.httpsPort, d.pinnedFingerprint,
                                decrypt(d), d.powerSwitches))
                        .toList());
        List<CompletableFuture<Void>> all = managed.stream().map(t ->
                client.call(t.address(), t.port(), t.fp(), t.secret(), "GET", "/api/v1/status", null)
                        .handle((r, err) -> {
                            if (stopping) {
                                return (Void) null;
                            }
                            try {
                                record(t, r, err);
                            } catch (RuntimeException e) {
                                LOG.errorf(e, "recording the poll of %s failed", t.label());
                            }
                            return (Void) null;
                        })).toList();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        try {
            enrolment.seedGrantIfPossible();
        } catch (RuntimeException e) {
            LOG.warnf("seed grant: %s", e.getMessage());
        }
    }

    /** A secret stored under another key (the key file was replaced) polls with a credential the device refuses. */
    private String decrypt(Device d) {
        try {
            return secrets.decrypt(d.secretEnc, d.secretContext());
        } catch (IllegalStateException e) {
            LOG.errorf("device %s: %s", d.label(), e.getMessage());
            return "";
        }
    }

    private void record(Managed t, DeviceClient.Result r, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        DeviceService.Polled polled = null;
        String failure = null;
        if (cause != null) {
            failure = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        } else if (!r.ok()) {
            failure = "status answered " + r.status();
        } else {
            try {
                polled = DeviceService.Polled.of(client.parse(r));
            } catch (java.io.IOException e) {
                failure = "unreadable status: " + e.getMessage();
            }
        }
        if (cause instanceof DeviceClient.PinMismatchException) {
            alarms.raiseNow(new AlarmService.Raise(AlarmService.SELF, DeviceService.CERT_MISMATCH + t.mac(),
                    "CRITICAL", "device", t.mac(), "device " + t.label() + " presented another certificate: "
                    + cause.getMessage()));
        }
        DeviceService.Polled p = polled;
        String f = failure;
        Transactions.retryingConflicts("poll of " + t.label(), () -> apply(t, p, f));
    }

    private void apply(Managed t, DeviceService.Polled p, String failure) {
        // Serialised with operations beginning and ending on other threads or replicas.
        RowLock.lock(Device.getEntityManager(), "device", "id", t.id());
        Device d = Device.findById(t.id());
        if (d == null || d.state != DeviceState.MANAGED) {
            return;
        }
        d.lastPollAt = Instant.now();
        if (p != null) {
            answered(d, p, d.powerSwitches == t.powerSwitches());
        } else {
            missed(d, failure);
        }
        if (d.operation != null && d.operationStartedAt != null
                && d.operationStartedAt.plus(config.devices().operationTimeout()).isBefore(Instant.now())) {
            timedOut(d);
        }
    }

    private void answered(Device d, DeviceService.Polled p, boolean powerCurrent) {
        boolean wasOffline = d.status == DeviceStatus.OFFLINE;
        String before = d.lastError;
        d.missedPolls = 0;
        d.lastError = null;
        d.switchAttached = p.switchAttached();
        if (p.firmware() != null) {
            d.firmwareVersion = p.firmware();
        }
        if (p.bootCounter() > 0) {
            d.bootCounter = p.bootCounter();
        }
        for (DeviceChannel c : DeviceChannel.<DeviceChannel>list("deviceId", d.id)) {
            int[] s = p.channels().get(c.channel);
            if (s != null) {
                c.sessions = s[0];
                if (powerCurrent) {
                    c.power = s[1] == 1 ? "on" : "off";
                }
            }
        }
        if (d.operation == null) {
            d.status = p.updating() ? DeviceStatus.UPDATING : DeviceStatus.ONLINE;
        } else {
            d.status = DeviceStatus.UPDATING;
            follow(d, p);
        }
        if (wasOffline) {
            alarms.clear(AlarmService.SELF, DeviceService.OFFLINE + d.mac, "device answers again");
            audit.record(AlarmService.SELF, "DEVICE_ONLINE", "device", d.mac, AuditService.SUCCESS, null,
                    "after " + before);
        }
        alarms.clear(AlarmService.SELF, DeviceService.CERT_MISMATCH + d.mac, "pinned certificate presented");
    }

    /** Finishes an operation when the device shows its result. Configuration pushes end by themselves. */
    private void follow(Device d, DeviceService.Polled p) {
        switch (d.operation) {
            case REBOOTING -> {
                if (p.running() && d.operationBootCounter != null && p.bootCounter() > d.operationBootCounter) {
                    audit.record(AlarmService.SELF, "DEVICE_REBOOTED", "device", d.mac, AuditService.SUCCESS, null,
                            "asked by " + d.operationBy + ", boot counter " + p.bootCounter());
                    d.endOperation();
                }
            }
            case FIRMWARE -> followFirmware(d, p);
            case CONFIGURING -> { }
        }
    }

    private void followFirmware(Device d, DeviceService.Polled p) {
        FirmwareJob job = FirmwareJob.running(d.id);
        if (job == null) {
            d.endOperation();
            return;
        }
        if (job.state == FirmwareJob.State.UPLOADING) {
            return;   // the upload is still in flight; its answer moves the job on
        }
        switch (p.jobState()) {
            case "writing" -> {
                job.state = FirmwareJob.State.WRITING;
                job.progress = p.jobProgress();
            }
            case "rebooting" -> {
                job.state = FirmwareJob.State.REBOOTING;
                job.progress = 100;
            }
            case "failed" -> finishFirmware(d, job, false, "the device failed the upgrade: " + p.jobDetail());
            default -> {
                if (!p.running()) {
                    return;
                }
                if (job.version.equals(p.firmware())) {
                    finishFirmware(d, job, true, null);
                } else if (p.jobState().equals("done")) {
                    finishFirmware(d, job, false, "the device runs " + p.firmware() + " after the upgrade, not "
                            + job.version);
                }
            }
        }
    }

    private void finishFirmware(Device d, FirmwareJob job, boolean ok, String detail) {
        job.state = ok ? FirmwareJob.State.DONE : FirmwareJob.State.FAILED;
        job.progress = ok ? 100 : job.progress;
        job.detail = detail;
        job.finishedAt = Instant.now();
        d.endOperation();
        String key = FirmwareUpgrades.FIRMWARE_FAILED + d.mac;
        if (ok) {
            alarms.clear(AlarmService.SELF, key, "firmware " + job.version + " installed");
            audit.record(AlarmService.SELF, "FIRMWARE_UPGRADED", "device", d.mac, AuditService.SUCCESS, null,
                    "job " + job.id + " version " + job.version + " (asked by " + job.requestedBy + ")");
        } else {
            alarms.raise(new AlarmService.Raise(AlarmService.SELF, key, "MAJOR", "device", d.mac,
                    "firmware upgrade of " + d.label() + " to " + job.version + " failed: " + detail));
            audit.record(AlarmService.SELF, "FIRMWARE_UPGRADED", "device", d.mac, AuditService.FAILURE, null,
                    "job " + job.id + " version " + job.version + ": " + detail);
        }
    }

    private void missed(Device d, String failure) {
        d.missedPolls++;
        d.lastError = failure.length() > 1000 ? failure.substring(0, 1000) : failure;
        if (d.operation == DeviceOperation.REBOOTING || d.operation == DeviceOperation.FIRMWARE) {
            return;   // a rebooting device is away on purpose; the operation timeout covers one that never returns
        }
        if (d.missedPolls >= config.devices().offlineAfterMissedPolls() && d.status != DeviceStatus.OFFLINE) {
            d.status = DeviceStatus.OFFLINE;
            alarms.raise(new AlarmService.Raise(AlarmService.SELF, DeviceService.OFFLINE + d.mac, "MAJOR", "device",
                    d.mac, "device " + d.label() + " (" + d.address + ") missed " + d.missedPolls + " polls: "
                    + failure));
            audit.record(AlarmService.SELF, "DEVICE_OFFLINE", "device", d.mac, AuditService.FAILURE, null, failure);
        }
    }

    private void timedOut(Device d) {
        String what = d.operationText();
        FirmwareJob job = FirmwareJob.running(d.id);
        if (job != null) {
            job.state = FirmwareJob.State.FAILED;
            job.detail = "timed out after " + config.devices().operationTimeout();
            job.finishedAt = Instant.now();
        }
        alarms.raise(new AlarmService.Raise(AlarmService.SELF, DeviceOperations.OPERATION_TIMEOUT + d.mac, "MAJOR",
                "device", d.mac, "device " + d.label() + ": " + what + " did not finish within "
                + config.devices().operationTimeout()));
        audit.record(AlarmService.SELF, "DEVICE_OPERATION_TIMEOUT", "device", d.mac, AuditService.FAILURE, null, what);
        d.endOperation();   // a device still away goes OFFLINE (with its alarm) at the next missed poll
    }

    /** For tests and operators: poll now instead of waiting for the schedule. */
    public void pollNow() {
        poll();
    }
}
