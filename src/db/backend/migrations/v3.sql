-- From version 2 to 3, for a database that PostgreSQL can be too: what both agree on.

-- A user's name in any case as one key, which both order alike (lower case, in the
-- order of its bytes), so that pages of users follow each other the same on both.
ALTER TABLE users ADD COLUMN username_key TEXT GENERATED ALWAYS AS (lower(username)) VIRTUAL;
CREATE UNIQUE INDEX users_username_key ON users (username_key);
DROP INDEX users_role;
CREATE INDEX users_role ON users (role, username_key);
DROP INDEX users_recent;
CREATE INDEX users_recent ON users (-coalesce(last_login, 0), username_key);

-- The machine a session runs on (/etc/machine-id): two PCs of one name are two machines.
ALTER TABLE sessions ADD COLUMN machine_id TEXT;

-- A key for each attempt, so that an attempt written again after a commit whose answer
-- was lost is written once.
ALTER TABLE login_attempts ADD COLUMN attempt_key TEXT;
CREATE UNIQUE INDEX login_attempts_key ON login_attempts (attempt_key);
DROP INDEX login_attempts_typed;
CREATE INDEX login_attempts_typed ON login_attempts (lower(username_typed), at);
