-- Device operations: configuration pushes, firmware upgrades and reboots. While one runs the device is UPDATING and
-- its targets read "Updating device"; the poller finishes it when the device reports the result.

ALTER TABLE device
    ADD COLUMN operation              VARCHAR(16)  NULL,   -- CONFIGURING | FIRMWARE | REBOOTING, null when idle
    ADD COLUMN operation_by           VARCHAR(128) NULL,
    ADD COLUMN operation_started_at   TIMESTAMP(6) NULL,
    ADD COLUMN operation_boot_counter BIGINT       NULL;   -- boot counter when it started: a higher one = rebooted

CREATE TABLE firmware_job (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    device_id     BIGINT       NOT NULL,
    image         VARCHAR(255) NOT NULL,                   -- file name in the firmware library
    version       VARCHAR(32)  NOT NULL,
    sha256        CHAR(64)     NOT NULL,
    size_bytes    BIGINT       NOT NULL,
    state         VARCHAR(16)  NOT NULL,                   -- UPLOADING | WRITING | REBOOTING | DONE | FAILED
    progress      INT          NOT NULL DEFAULT 0,
    detail        VARCHAR(1024),
    requested_by  VARCHAR(128) NOT NULL,
    created_at    TIMESTAMP(6) NOT NULL,
    finished_at   TIMESTAMP(6) NULL,
    INDEX ix_firmware_job_device (device_id, id),
    CONSTRAINT fk_firmware_job_device FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
