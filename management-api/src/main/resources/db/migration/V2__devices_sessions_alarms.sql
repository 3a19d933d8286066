-- management-api, second half: devices (discovery, enrolment, status), KVM sessions, alarms.

CREATE TABLE device (
    id                      BIGINT AUTO_INCREMENT PRIMARY KEY,
    mac                     VARCHAR(17)  NOT NULL,      -- discovery's deviceId, lower case: the upsert key
    state                   VARCHAR(16)  NOT NULL,      -- DISCOVERED | PENDING | MANAGED | REJECTED
    notice_version          BIGINT       NOT NULL,      -- discovery version last applied (older notices ignored)
    serial                  VARCHAR(64),
    model                   VARCHAR(64),
    firmware_version        VARCHAR(64),
    name                    VARCHAR(128),
    address                 VARCHAR(64)  NOT NULL,
    https_port              INT          NOT NULL,
    kvm_port_first          INT          NOT NULL,
    kvm_port_last           INT          NOT NULL,
    channel_count           INT          NOT NULL,
    boot_counter            BIGINT       NOT NULL DEFAULT 0,
    advertised_fingerprint  CHAR(64)     NOT NULL,      -- as last heard in discovery
    pinned_fingerprint      CHAR(64),                   -- fixed at enrolment; later mismatches are refused
    source_address          VARCHAR(64),
    heard_via               VARCHAR(32),
    first_seen              TIMESTAMP(6) NULL,
    last_seen               TIMESTAMP(6) NULL,
    secret_enc              VARCHAR(512),               -- device secret, AES-GCM (common.SecretBox)
    status                  VARCHAR(16)  NOT NULL DEFAULT 'UNKNOWN', -- UNKNOWN | ONLINE | OFFLINE | UPDATING
    missed_polls            INT          NOT NULL DEFAULT 0,
    last_poll_at            TIMESTAMP(6) NULL,
    switch_attached         BOOLEAN      NOT NULL DEFAULT FALSE,
    last_error              VARCHAR(1024),
    created_at              TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at              TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version                 BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT uq_device_mac UNIQUE (mac)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE device_channel (
    device_id       BIGINT  NOT NULL,
    channel         INT     NOT NULL,
    target_id       BIGINT,
    credential_enc  VARCHAR(512),                       -- per-channel VNC session credential, AES-GCM
    sessions        INT     NOT NULL DEFAULT 0,         -- viewers the device reported at the last poll
    power           VARCHAR(8),
    PRIMARY KEY (device_id, channel),
    CONSTRAINT fk_channel_device FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE,
    CONSTRAINT fk_channel_target FOREIGN KEY (target_id) REFERENCES target (id) ON DELETE SET NULL
) ENGINE=InnoDB;

ALTER TABLE target ADD CONSTRAINT fk_target_device FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE SET NULL;

CREATE TABLE kvm_session (
    id                 VARCHAR(32)  PRIMARY KEY,        -- random, also the ticket's session id
    user_id            BIGINT,
    username           VARCHAR(128) NOT NULL,
    target_id          BIGINT       NOT NULL,
    mode               VARCHAR(8)   NOT NULL,           -- CONTROL | VIEW
    state              VARCHAR(8)   NOT NULL,           -- PENDING | ACTIVE | ENDED
    vnc_password_enc   VARCHAR(256) NOT NULL,           -- one-time VNC password, AES-GCM (needed to verify responses)
    created_at         TIMESTAMP(6) NOT NULL,
    expires_at         TIMESTAMP(6) NOT NULL,           -- claim deadline (ticket and password lifetime)
    claimed_at         TIMESTAMP(6) NULL,
    broker_id          VARCHAR(128),
    client_address     VARCHAR(64),
    ended_at           TIMESTAMP(6) NULL,
    end_reason         VARCHAR(128),
    bytes_from_client  BIGINT,
    bytes_from_device  BIGINT,
    terminate_by       VARCHAR(128),                    -- admin who asked for a disconnect (heartbeat delivers it)
    INDEX ix_session_target (target_id, state),
    INDEX ix_session_state (state, expires_at),
    INDEX ix_session_broker (broker_id, state),
    CONSTRAINT fk_session_target FOREIGN KEY (target_id) REFERENCES target (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE broker_instance (
    broker_id       VARCHAR(128) PRIMARY KEY,
    last_heartbeat  TIMESTAMP(6) NOT NULL,
    draining        BOOLEAN      NOT NULL DEFAULT FALSE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE alarm (
    id               BIGINT AUTO_INCREMENT PRIMARY KEY,
    source           VARCHAR(128)  NOT NULL,            -- management-api, service:replication-monitor, ...
    alarm_key        VARCHAR(255)  NOT NULL,            -- e.g. device.OFFLINE:02:ca:.., replication.PRIMARY_DOWN
    severity         VARCHAR(16)   NOT NULL,            -- CRITICAL | MAJOR | MINOR | WARNING
    state            VARCHAR(16)   NOT NULL,            -- RAISED | CLEARED
    object_type      VARCHAR(64),
    object_id        VARCHAR(128),
    message          VARCHAR(2048),
    raised_at        TIMESTAMP(6)  NOT NULL,
    cleared_at       TIMESTAMP(6)  NULL,
    acknowledged_at  TIMESTAMP(6)  NULL,
    acknowledged_by  VARCHAR(128),
    active_key       VARCHAR(400),                      -- source|alarm_key while RAISED, NULL after: one open alarm per key
    version          BIGINT        NOT NULL DEFAULT 0,
    CONSTRAINT uq_alarm_active UNIQUE (active_key),
    INDEX ix_alarm_state (state, raised_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
