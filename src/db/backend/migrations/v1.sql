-- konekte schema, version 1, as it shipped: kept to test the upgrades from it.
-- Every time is an INTEGER of milliseconds since 1970-01-01 UTC.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    -- Unique whatever the case: "Hantz123" and "hantz123" are one person.
    username             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    full_name            TEXT    NOT NULL DEFAULT '',
    role                 TEXT    NOT NULL
                         CHECK (role IN ('admin', 'directeur', 'secretaire', 'archives')),
    -- argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash): the cost travels with it.
    password_hash        TEXT    NOT NULL,
    disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    -- Lockout state: failures counted since failure_window_start; locked while now < locked_until.
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    failure_window_start INTEGER,
    locked_until         INTEGER,
    created_at           INTEGER NOT NULL
);

CREATE INDEX users_role ON users (role, username);

-- The whole life of one login, from login to its end, however it ended.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    session_key  TEXT    NOT NULL UNIQUE,
    host         TEXT    NOT NULL,
    tty          TEXT,
    remote_ip    TEXT,
    terminal     TEXT,
    pid          INTEGER,
    boot_id      TEXT,
    login_time   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,           -- heartbeat
    -- How often this terminal beats: three missed beats and the session is lost.
    heartbeat_ms INTEGER NOT NULL DEFAULT 5000,
    logout_time  INTEGER,
    end_reason   TEXT CHECK (end_reason IN ('logout', 'idle', 'hangup', 'forced', 'lost')),
    ended_by     INTEGER REFERENCES users (id), -- the admin who forced it
    end_note     TEXT,                          -- the admin's --reason
    -- A session is open (both NULL) or closed (both set), never half of each.
    CHECK ((logout_time IS NULL) = (end_reason IS NULL))
);

-- "Online now" and the lost-session sweep: only open sessions, ordered by heartbeat.
CREATE INDEX sessions_open ON sessions (last_seen) WHERE logout_time IS NULL;
-- "One user's latest sessions".
CREATE INDEX sessions_user_login ON sessions (user_id, login_time DESC);
-- "The latest logouts" (without it, the 20 latest of 1M sessions take a full second).
CREATE INDEX sessions_logout ON sessions (logout_time DESC) WHERE logout_time IS NOT NULL;
-- History ranges: `last --since/--until`, `report`.
CREATE INDEX sessions_login ON sessions (login_time);

-- Every attempt to log in, failed or not.
CREATE TABLE login_attempts (
    id             INTEGER PRIMARY KEY,
    username_typed TEXT    NOT NULL,
    user_id        INTEGER REFERENCES users (id),  -- NULL when the name is unknown
    at             INTEGER NOT NULL,
    host           TEXT,
    tty            TEXT,
    remote_ip      TEXT,
    outcome        TEXT    NOT NULL
                   CHECK (outcome IN ('success', 'bad_password', 'unknown_user',
                                      'disabled', 'locked', 'not_admin'))
);

CREATE INDEX login_attempts_at ON login_attempts (at);
CREATE INDEX login_attempts_user ON login_attempts (user_id, at);
-- Failures by the name as typed: `failures USER`, and the lockout of unknown names.
CREATE INDEX login_attempts_typed ON login_attempts (username_typed COLLATE NOCASE, at);
