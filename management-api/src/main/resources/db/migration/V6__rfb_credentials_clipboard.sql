-- RFB-endpoint targets: an optional credential for the server (VNC password, or username + password for VeNCrypt
-- Plain), encrypted like device secrets (SecretBox, AES-GCM; never returned by the API), and how to trust the
-- server's TLS certificate when it speaks VeNCrypt X509: a pinned SHA-256 fingerprint or a CA (PEM).
ALTER TABLE target
    ADD COLUMN credential_enc      TEXT         NULL,
    ADD COLUMN credential_username VARCHAR(255) NULL,
    ADD COLUMN tls_fingerprint     CHAR(64)     NULL,
    ADD COLUMN tls_ca_pem          TEXT         NULL;

-- Clipboard policy per grant and per direct assignment: BOTH | TO_TARGET | NONE. Today's behaviour is BOTH.
ALTER TABLE access_grant
    ADD COLUMN clipboard VARCHAR(16) NOT NULL DEFAULT 'BOTH';
ALTER TABLE user_target_assignment
    ADD COLUMN clipboard VARCHAR(16) NOT NULL DEFAULT 'BOTH';

-- The policy a session was granted with, fixed when it is requested; the broker gets it with the claim.
ALTER TABLE kvm_session
    ADD COLUMN clipboard VARCHAR(16) NOT NULL DEFAULT 'BOTH';
