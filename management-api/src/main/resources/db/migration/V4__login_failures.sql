-- Failed logins, counted per user and per source address over a sliding window (identity.service.LockoutService).
-- In the database so that every replica counts the same failures: with counters in memory, N replicas behind a
-- load balancer would allow N times the configured guesses. Rows older than the window are purged.

CREATE TABLE login_failure (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    kind        CHAR(1)      NOT NULL,                   -- U: user name (lower case), A: source address
    subject     VARCHAR(255) NOT NULL,
    failed_at   TIMESTAMP(6) NOT NULL,
    INDEX ix_login_failure_subject (kind, subject, failed_at),
    INDEX ix_login_failure_time (failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
