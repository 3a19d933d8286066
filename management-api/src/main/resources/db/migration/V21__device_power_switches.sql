-- Lets a device poll tell whether a channel power switch happened while it waited for the device's status.
ALTER TABLE device ADD COLUMN power_switches BIGINT NOT NULL DEFAULT 0;
