-- A session outlives the broker connection that carries it: each connection is a leg. A broker that drains asks its
-- browser consoles to resume; a broker that dies drops them; either way the console asks for a resume ticket and
-- another replica claims the next leg of the same session.
ALTER TABLE kvm_session ADD COLUMN legs INT NOT NULL DEFAULT 0;             -- legs claimed so far (0: never claimed)
ALTER TABLE kvm_session ADD COLUMN resume_requested_at TIMESTAMP(3) NULL;   -- the owner's last resume request: only a
                                                                            -- ticket issued at or after it claims
ALTER TABLE kvm_session ADD COLUMN resume_until TIMESTAMP(6) NULL;          -- RESUMING: ends unless resumed by then

CREATE TABLE session_leg (
    id                 BIGINT AUTO_INCREMENT PRIMARY KEY,
    session_id         VARCHAR(32)  NOT NULL,
    leg                INT          NOT NULL,
    broker_id          VARCHAR(128) NOT NULL,
    client_address     VARCHAR(64),
    claimed_at         TIMESTAMP(6) NOT NULL,
    ended_at           TIMESTAMP(6) NULL,
    end_reason         VARCHAR(128),
    bytes_from_client  BIGINT,                                              -- null: the broker never reported (killed)
    bytes_from_device  BIGINT,
    UNIQUE KEY uq_session_leg (session_id, leg),
    CONSTRAINT fk_leg_session FOREIGN KEY (session_id) REFERENCES kvm_session (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
