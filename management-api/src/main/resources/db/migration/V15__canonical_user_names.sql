-- One canonical user name: lower case, everywhere. LDAP matches uid case-insensitively while user names were
-- compared case-sensitively, so "Admin" with a directory password could be mirrored onto the local "admin".
-- Names that only differed in case: the LOCAL account (else the oldest) keeps the name, the others are renamed
-- "<name>#<id>" and disabled (history kept; an administrator sorts them out). Every rename is audited.
CREATE TEMPORARY TABLE user_name_clash AS
SELECT LOWER(username) AS k, COALESCE(MIN(CASE WHEN source = 'LOCAL' THEN id END), MIN(id)) AS keeper
FROM cam_user GROUP BY LOWER(username) HAVING COUNT(*) > 1;

INSERT INTO audit_event (occurred_at, actor, action, object_type, object_id, outcome, details)
SELECT NOW(6), 'system', 'USER_RENAME', 'user', u.id, 'SUCCESS',
       CONCAT('user names are case-insensitive now: ', u.username, ' clashed with another user and became ',
              CONCAT(LEFT(LOWER(u.username), 100), '#', u.id), ' (disabled)')
FROM cam_user u JOIN user_name_clash c ON LOWER(u.username) = c.k AND u.id <> c.keeper;

UPDATE cam_user u JOIN user_name_clash c ON LOWER(u.username) = c.k AND u.id <> c.keeper
SET u.username = CONCAT(LEFT(LOWER(u.username), 100), '#', u.id), u.enabled = FALSE;

UPDATE cam_user SET username = LOWER(username) WHERE username <> LOWER(username);

DROP TEMPORARY TABLE user_name_clash;

ALTER TABLE cam_user ADD CONSTRAINT ck_user_username_canonical CHECK (username = LOWER(username));
