-- Access tokens carry the user's token generation; a password, role or enable change raises it (and revokes the
-- user's refresh tokens), so tokens issued before stop working at once instead of living out their ten minutes.
ALTER TABLE cam_user ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
