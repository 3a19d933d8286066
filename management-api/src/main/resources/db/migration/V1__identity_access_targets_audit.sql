-- management-api, first half: identity, targets, access grants, audit.
-- The device half (issue 5) adds its tables in V2+ and links target.device_id / target.channel to them.

CREATE TABLE cam_user (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    username       VARCHAR(128) NOT NULL,
    display_name   VARCHAR(255),
    email          VARCHAR(255),
    source         VARCHAR(8)   NOT NULL,          -- LOCAL | LDAP
    password_hash  VARCHAR(100),                   -- bcrypt (modular crypt), LOCAL users only
    ldap_dn        VARCHAR(512),
    enabled        BOOLEAN      NOT NULL DEFAULT TRUE,
    ldap_missing   BOOLEAN      NOT NULL DEFAULT FALSE, -- disabled by sync because gone from LDAP
    last_login_at  TIMESTAMP(6) NULL,
    created_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version        BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT uq_user_username UNIQUE (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE cam_user_role (
    user_id  BIGINT      NOT NULL,
    role     VARCHAR(16) NOT NULL,                 -- admin | operator | user | viewer
    PRIMARY KEY (user_id, role),
    CONSTRAINT fk_user_role_user FOREIGN KEY (user_id) REFERENCES cam_user (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE user_group (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    name         VARCHAR(128) NOT NULL,
    description  VARCHAR(1024),
    source       VARCHAR(8)   NOT NULL,            -- LOCAL | LDAP
    ldap_dn      VARCHAR(512),
    created_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version      BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT uq_group_name UNIQUE (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE user_group_member (
    group_id  BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id),
    CONSTRAINT fk_member_group FOREIGN KEY (group_id) REFERENCES user_group (id) ON DELETE CASCADE,
    CONSTRAINT fk_member_user  FOREIGN KEY (user_id)  REFERENCES cam_user (id)   ON DELETE CASCADE
) ENGINE=InnoDB;

-- child is a member of parent (LDAP nested groups, e.g. lab-team inside cam-users)
CREATE TABLE user_group_nesting (
    child_id   BIGINT NOT NULL,
    parent_id  BIGINT NOT NULL,
    PRIMARY KEY (child_id, parent_id),
    CONSTRAINT fk_nesting_child  FOREIGN KEY (child_id)  REFERENCES user_group (id) ON DELETE CASCADE,
    CONSTRAINT fk_nesting_parent FOREIGN KEY (parent_id) REFERENCES user_group (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE target (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    name           VARCHAR(128) NOT NULL,
    description    VARCHAR(1024),
    kind           VARCHAR(16)  NOT NULL,          -- RFB_ENDPOINT | DEVICE_CHANNEL
    host           VARCHAR(255),
    port           INT,
    device_id      BIGINT,                         -- device half: FK added with the device table
    channel        INT,
    access_policy  VARCHAR(16)  NOT NULL,          -- EXCLUSIVE | SHARED | SHARED_VIEW
    created_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version        BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT uq_target_name UNIQUE (name),
    CONSTRAINT uq_target_channel UNIQUE (device_id, channel)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE target_location_tag (
    target_id  BIGINT      NOT NULL,
    tag        VARCHAR(64) NOT NULL,
    PRIMARY KEY (target_id, tag),
    CONSTRAINT fk_tag_target FOREIGN KEY (target_id) REFERENCES target (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE target_set (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    name         VARCHAR(128) NOT NULL,
    description  VARCHAR(1024),
    created_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version      BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT uq_target_set_name UNIQUE (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE target_set_member (
    set_id     BIGINT NOT NULL,
    target_id  BIGINT NOT NULL,
    PRIMARY KEY (set_id, target_id),
    INDEX ix_set_member_target (target_id),
    CONSTRAINT fk_set_member_set    FOREIGN KEY (set_id)    REFERENCES target_set (id) ON DELETE CASCADE,
    CONSTRAINT fk_set_member_target FOREIGN KEY (target_id) REFERENCES target (id)     ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE access_grant (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    group_id       BIGINT      NOT NULL,
    target_set_id  BIGINT      NOT NULL,
    access_level   VARCHAR(16) NOT NULL,           -- FULL_CONTROL | VIEW_ONLY | NONE
    created_at     TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version        BIGINT      NOT NULL DEFAULT 0,
    CONSTRAINT uq_grant UNIQUE (group_id, target_set_id),
    CONSTRAINT fk_grant_group FOREIGN KEY (group_id)      REFERENCES user_group (id) ON DELETE CASCADE,
    CONSTRAINT fk_grant_set   FOREIGN KEY (target_set_id) REFERENCES target_set (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE user_target_assignment (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id       BIGINT      NOT NULL,
    target_id     BIGINT      NOT NULL,
    access_level  VARCHAR(16) NOT NULL,
    created_at    TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    version       BIGINT      NOT NULL DEFAULT 0,
    CONSTRAINT uq_assignment UNIQUE (user_id, target_id),
    CONSTRAINT fk_assignment_user   FOREIGN KEY (user_id)   REFERENCES cam_user (id) ON DELETE CASCADE,
    CONSTRAINT fk_assignment_target FOREIGN KEY (target_id) REFERENCES target (id)   ON DELETE CASCADE
) ENGINE=InnoDB;

-- Append-only: the application never updates or deletes rows (no API for it; the entity is immutable).
-- Actor and object are plain strings, not foreign keys, so history outlives the users and targets it names.
CREATE TABLE audit_event (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    occurred_at     TIMESTAMP(6)  NOT NULL,
    actor           VARCHAR(128)  NOT NULL,
    action          VARCHAR(64)   NOT NULL,
    object_type     VARCHAR(64),
    object_id       VARCHAR(128),
    outcome         VARCHAR(16)   NOT NULL,        -- SUCCESS | FAILURE | DENIED
    source_address  VARCHAR(64),
    details         TEXT,
    INDEX ix_audit_time (occurred_at),
    INDEX ix_audit_actor (actor, occurred_at),
    INDEX ix_audit_action (action, occurred_at),
    INDEX ix_audit_object (object_type, object_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE refresh_token (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    token_hash  CHAR(64)     NOT NULL,             -- SHA-256 hex; the token itself is never stored
    user_id     BIGINT       NOT NULL,
    expires_at  TIMESTAMP(6) NOT NULL,
    revoked     BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT uq_refresh_hash UNIQUE (token_hash),
    CONSTRAINT fk_refresh_user FOREIGN KEY (user_id) REFERENCES cam_user (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE ldap_sync_run (
    id                   BIGINT AUTO_INCREMENT PRIMARY KEY,
    started_at           TIMESTAMP(6) NOT NULL,
    finished_at          TIMESTAMP(6) NULL,
    trigger_kind         VARCHAR(16)  NOT NULL,    -- SCHEDULED | MANUAL
    dry_run              BOOLEAN      NOT NULL,
    outcome              VARCHAR(16)  NOT NULL,    -- SUCCESS | FAILURE
    users_created        INT NOT NULL DEFAULT 0,
    users_updated        INT NOT NULL DEFAULT 0,
    users_disabled       INT NOT NULL DEFAULT 0,
    groups_created       INT NOT NULL DEFAULT 0,
    groups_updated       INT NOT NULL DEFAULT 0,
    memberships_changed  INT NOT NULL DEFAULT 0,
    message              VARCHAR(2048)
) ENGINE=InnoDB;
