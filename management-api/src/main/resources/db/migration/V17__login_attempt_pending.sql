-- A login attempt is recorded before its password check (pending) and becomes a failure or goes away after it, so
-- parallel guesses queue behind the limit instead of all passing a check that only sees finished failures.
ALTER TABLE login_failure ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
