-- Session recording: the policy per target set, the decision taken per session, and what was recorded.
ALTER TABLE target_set ADD COLUMN recording VARCHAR(16) NOT NULL DEFAULT 'NEVER';  -- NEVER | ALWAYS
ALTER TABLE target_set ADD COLUMN recording_fail_closed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE kvm_session ADD COLUMN recorded BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE kvm_session ADD COLUMN recording_fail_closed BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE session_recording (
    session_id      VARCHAR(32)  PRIMARY KEY,
    username        VARCHAR(128) NOT NULL,
    target_id       BIGINT       NOT NULL,
    mode            VARCHAR(16)  NOT NULL,
    started_at      TIMESTAMP(6) NULL,
    ended_at        TIMESTAMP(6) NULL,
    digest          VARCHAR(64),                     -- hex SHA-256 chain head the broker reported (also audited)
    bytes           BIGINT       NOT NULL DEFAULT 0,
    segments        BIGINT       NOT NULL DEFAULT 0,
    duration_ms     BIGINT       NOT NULL DEFAULT 0,
    complete        BOOLEAN      NOT NULL DEFAULT FALSE,
    failure         VARCHAR(255),
    key_text        MEDIUMTEXT,                      -- typed text (keysyms as characters, special keys named)
    KEY idx_recording_user (username, started_at),
    KEY idx_recording_target (target_id, started_at),
    KEY idx_recording_ended (ended_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
