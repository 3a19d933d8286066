-- Discovery never moves a managed device on its own: an announced new endpoint waits here until the device proves
-- itself there over the pinned, secret-authenticated HTTPS channel, or an operator re-approves it.
ALTER TABLE device
    ADD COLUMN pending_address        VARCHAR(64) NULL,
    ADD COLUMN pending_https_port     INT         NULL,
    ADD COLUMN pending_kvm_port_first INT         NULL,
    ADD COLUMN pending_kvm_port_last  INT         NULL,
    ADD COLUMN pending_since          TIMESTAMP(6) NULL;
