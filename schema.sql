-- konekte schema, version 11, for SQLite: what a new database is created with. An older database is
-- brought here by the steps in src/db/backend/migrations/ (a test checks that both agree).
-- Every time is an INTEGER of milliseconds since 1970-01-01 UTC. PostgreSQL's is
-- schema.postgres.sql, the same tables in its dialect.

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
    created_at           INTEGER NOT NULL,
    -- Kept by the triggers below, so that they outlive a prune of the history.
    last_login           INTEGER,
    last_logout          INTEGER,
    sessions_count       INTEGER NOT NULL DEFAULT 0,
    connected_ms         INTEGER NOT NULL DEFAULT 0,   -- of the ended sessions
    -- The name in any case as one key, which SQLite and PostgreSQL order alike.
    username_key         TEXT GENERATED ALWAYS AS (lower(username)) VIRTUAL,
    -- Its sessions still open, kept by the triggers below: who is online, at a glance.
    open_sessions        INTEGER NOT NULL DEFAULT 0,
    -- The full name folded by konekte (`model::folded`), one rule on both backends:
    -- the monitor's filter finds "Édouard" typed in any case.
    full_name_key        TEXT    NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX users_username_key ON users (username_key);
CREATE INDEX users_role ON users (role, username_key);
-- The monitor's "latest login first" order.
CREATE INDEX users_recent ON users (-coalesce(last_login, 0), username_key);
-- Those online: the "Online now" pane reads them, not 100 000 users.
CREATE INDEX users_online ON users (username_key) WHERE open_sessions > 0;

-- How many users there are, kept by the triggers below: the monitor shows it at every
-- change, and PostgreSQL counts 100 000 rows in 25 ms.
CREATE TABLE tallies (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    users    INTEGER NOT NULL
);
INSERT INTO tallies (only_row, users) VALUES (1, 0);

CREATE TRIGGER users_added AFTER INSERT ON users BEGIN
    UPDATE tallies SET users = users + 1;
END;

CREATE TRIGGER users_removed AFTER DELETE ON users BEGIN
    UPDATE tallies SET users = users - 1;
END;

-- The whole life of one login, from login to its end, however it ended.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    -- NULL for a name the system logged in that konekte has no account of (PAM): kept,
    -- as wtmp keeps it, and counted in no attendance.
    user_id      INTEGER REFERENCES users (id),
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
    machine_id   TEXT,                          -- /etc/machine-id of its machine
    last_key     INTEGER,                       -- the last key pressed, told with the heartbeat
    pid_ns       TEXT,                          -- the PID namespace its pid belongs to
    -- Who ended it from the shell: the system account (SUDO_USER's when set).
    ended_by_account TEXT,
    -- When its process started (clock ticks after boot): a reused pid is not it.
    pid_start    INTEGER,
    -- A correction, never an overwrite: the end moved, a session added from the paper
    -- register, or voided (left out of the reports); the journal keeps the original.
    correction   TEXT CHECK (correction IN ('end', 'added', 'void')),
    correction_note TEXT,
    -- How it was entered: NULL for konekte's own screen, else the PAM service (sshd,
    -- login, gdm…), with the name the system gave (`console pam`).
    service      TEXT,
    login_name   TEXT,
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
-- "Is this user online?", one probe per user.
CREATE INDEX sessions_open_user ON sessions (user_id) WHERE logout_time IS NULL;
-- The ended sessions longer than a day, few: every other session that overlaps a range
-- began at most a day before it, so a range reads its own logins and these
-- (src/db/history.rs).
CREATE INDEX sessions_long ON sessions (login_time)
    WHERE logout_time - login_time > 86400000;
-- The names seen without an account (`users list --unknown`).
CREATE INDEX sessions_unknown ON sessions (login_name) WHERE user_id IS NULL;

CREATE TRIGGER sessions_opened AFTER INSERT ON sessions BEGIN
    UPDATE users SET
        last_login = max(coalesce(last_login, NEW.login_time), NEW.login_time),
        last_logout = CASE WHEN NEW.logout_time IS NULL THEN last_logout
                           ELSE max(coalesce(last_logout, NEW.logout_time), NEW.logout_time) END,
        sessions_count = sessions_count + 1,
        connected_ms = connected_ms + coalesce(NEW.logout_time - NEW.login_time, 0),
        open_sessions = open_sessions + CASE WHEN NEW.logout_time IS NULL THEN 1 ELSE 0 END
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER sessions_closed AFTER UPDATE OF logout_time ON sessions
WHEN NEW.logout_time IS NOT NULL BEGIN
    UPDATE users SET
        last_logout = max(coalesce(last_logout, NEW.logout_time), NEW.logout_time),
        connected_ms = connected_ms + (NEW.logout_time - NEW.login_time)
                       - coalesce(OLD.logout_time - OLD.login_time, 0),
        open_sessions = open_sessions - CASE WHEN OLD.logout_time IS NULL THEN 1 ELSE 0 END
    WHERE id = NEW.user_id;
END;

-- A session taken for lost whose terminal beats again is open again: its heartbeat
-- proves what the sweep only guessed (a clock that jumped, a lock held elsewhere).
CREATE TRIGGER sessions_reopened AFTER UPDATE OF logout_time ON sessions
WHEN OLD.logout_time IS NOT NULL AND NEW.logout_time IS NULL BEGIN
    UPDATE users SET
        connected_ms = connected_ms - (OLD.logout_time - OLD.login_time),
        open_sessions = open_sessions + 1,
        last_logout = CASE WHEN last_logout = OLD.logout_time
                           THEN (SELECT max(logout_time) FROM sessions WHERE user_id = NEW.user_id)
                           ELSE last_logout END
    WHERE id = NEW.user_id;
END;

-- The history outlives a prune (ended sessions only); an open session deleted by hand
-- is no longer open.
CREATE TRIGGER sessions_removed AFTER DELETE ON sessions
WHEN OLD.logout_time IS NULL BEGIN
    UPDATE users SET open_sessions = open_sessions - 1 WHERE id = OLD.user_id;
END;

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
                                      'disabled', 'locked', 'not_admin')),
    -- Written once, however often its transaction is tried.
    attempt_key    TEXT,
    -- The name as typed, folded by konekte (`model::folded`): its every case is one.
    typed_key      TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX login_attempts_at ON login_attempts (at);
CREATE INDEX login_attempts_user ON login_attempts (user_id, at);
-- Failures by the name as typed: `failures USER`, and the lockout of unknown names.
CREATE INDEX login_attempts_typed ON login_attempts (typed_key, at);
CREATE UNIQUE INDEX login_attempts_key ON login_attempts (attempt_key);
-- Failures from one place (a remote address, else a host's terminal): the lockout of
-- a source that tries many names.
CREATE INDEX login_attempts_source ON login_attempts
    ((CASE WHEN remote_ip IS NOT NULL THEN 'ip ' || remote_ip
           ELSE 'tty ' || coalesce(host, '') || ' ' || coalesce(tty, '') END), at);

-- When the database last became writable again after a write had to wait for it (a
-- backup, a long import): terminals could not beat meanwhile, so the lost-session sweep
-- counts silence from then on (src/db/sessions.rs).
CREATE TABLE write_stalls (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    ended_at INTEGER NOT NULL
);
INSERT INTO write_stalls (only_row, ended_at) VALUES (1, 0);

-- The journal: every fact konekte writes, chained by hashes (README, "The journal").
CREATE TABLE journal (
    id        INTEGER PRIMARY KEY,          -- 1, 2, 3…: no gap
    at        INTEGER NOT NULL,             -- when it was written
    kind      TEXT    NOT NULL,             -- session.opened, session.ended, attempt…
    subject   INTEGER,                      -- the row it is about: account, session, attempt
    body      TEXT    NOT NULL,             -- the fact, canonical JSON
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL UNIQUE
);

-- The entries of a kind, of a row: the latest anchor, the admin actions of `audit`,
-- the end a session had before its correction.
CREATE INDEX journal_kind ON journal (kind, subject, id);

-- The chain's last entry: each append reads and moves it under the write lock (on
-- PostgreSQL, a lock on this row), so that the chain stays one line.
CREATE TABLE journal_head (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    id       INTEGER NOT NULL,
    hash     TEXT    NOT NULL
);
INSERT INTO journal_head (only_row, id, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Expected hours (`console schedule`): a role's week, or a person's (which overrides
-- its role's), from a date on, as the spans of each day in the office's wall-clock time, kept as one
-- JSON text (`schedule::Week`) that the journal holds too.
CREATE TABLE schedules (
    id      INTEGER PRIMARY KEY,
    role    TEXT CHECK (role IN ('admin', 'directeur', 'secretaire', 'archives')),
    user_id INTEGER REFERENCES users (id),
    -- From this local date on (YYYY-MM-DD; empty: from the beginning), until the
    -- next schedule of the same role or person.
    from_day TEXT NOT NULL DEFAULT '',
    week    TEXT NOT NULL,
    CHECK ((role IS NULL) <> (user_id IS NULL))
);
CREATE UNIQUE INDEX schedules_role ON schedules (role, from_day) WHERE role IS NOT NULL;
CREATE UNIQUE INDEX schedules_user ON schedules (user_id, from_day) WHERE user_id IS NOT NULL;

-- Days off for everyone (`console holiday`), by their local date, YYYY-MM-DD.
CREATE TABLE holidays (
    id   INTEGER PRIMARY KEY,
    day  TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

-- A person's leave (`console leave`), from one local date to another, both included.
CREATE TABLE leaves (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    from_day TEXT NOT NULL,
    to_day   TEXT NOT NULL,
    reason   TEXT NOT NULL,
    CHECK (from_day <= to_day)
);
CREATE INDEX leaves_user ON leaves (user_id, from_day);

-- Months closed (`console close-month`): their record is signed; nothing that would
-- change them is written until they are reopened.
CREATE TABLE closed_months (
    id    INTEGER PRIMARY KEY,
    month TEXT NOT NULL UNIQUE,
    note  TEXT
);

-- Each person's ended sessions as `report` counts them over the whole history (the
-- voided left out, the overlaps of two terminals at once counted once), kept by the
-- triggers below as sessions end, are corrected and are pruned: a report of everything
-- reads one row a person instead of every session. An open session is not in it.
CREATE TABLE user_totals (
    user_id      INTEGER PRIMARY KEY,
    sessions     INTEGER NOT NULL DEFAULT 0,
    corrected    INTEGER NOT NULL DEFAULT 0,
    connected_ms INTEGER NOT NULL DEFAULT 0,   -- their union
    summed_ms    INTEGER NOT NULL DEFAULT 0,
    first_login  INTEGER,
    last_logout  INTEGER
);

-- A session's part of its person's totals: its length, less what their other sessions
-- already cover of it (the ones that began in the day before it, and the long ones).
CREATE TRIGGER totals_added AFTER INSERT ON sessions
WHEN NEW.user_id IS NOT NULL AND NEW.logout_time > NEW.login_time AND coalesce(NEW.correction, '') <> 'void' BEGIN
    INSERT OR IGNORE INTO user_totals (user_id) VALUES (NEW.user_id);
    UPDATE user_totals SET
        sessions = sessions + 1,
        corrected = corrected + (NEW.correction IS NOT NULL),
        summed_ms = summed_ms + (NEW.logout_time - NEW.login_time),
        connected_ms = connected_ms + (NEW.logout_time - NEW.login_time) - (SELECT coalesce(sum(max(0, t - max(f, coalesce(pm, f)))), 0) FROM (
            SELECT f, t, max(t) OVER (ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
            FROM (SELECT max(login_time, NEW.login_time) AS f, min(logout_time, NEW.logout_time) AS t
                  FROM sessions
                  WHERE user_id = NEW.user_id AND id <> NEW.id
                    AND login_time > NEW.login_time - 86400000 AND login_time < NEW.logout_time
                    AND logout_time > NEW.login_time AND logout_time > login_time
                    AND coalesce(correction, '') <> 'void'
                  UNION ALL
                  SELECT max(login_time, NEW.login_time), min(logout_time, NEW.logout_time)
                  FROM sessions
                  WHERE logout_time - login_time > 86400000 AND login_time <= NEW.login_time - 86400000
                    AND user_id = NEW.user_id AND id <> NEW.id
                    AND logout_time > NEW.login_time AND coalesce(correction, '') <> 'void') AS o) AS w),
        first_login = min(coalesce(first_login, NEW.login_time), NEW.login_time),
        last_logout = max(coalesce(last_logout, NEW.logout_time), NEW.logout_time)
    WHERE user_id = NEW.user_id;
END;

CREATE TRIGGER totals_changed AFTER UPDATE OF login_time, logout_time, correction ON sessions
WHEN NEW.user_id IS NOT NULL BEGIN
    UPDATE user_totals SET
        sessions = sessions - 1,
        corrected = corrected - (OLD.correction IS NOT NULL),
        summed_ms = summed_ms - (OLD.logout_time - OLD.login_time),
        connected_ms = connected_ms - (OLD.logout_time - OLD.login_time) + (SELECT coalesce(sum(max(0, t - max(f, coalesce(pm, f)))), 0) FROM (
            SELECT f, t, max(t) OVER (ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
            FROM (SELECT max(login_time, OLD.login_time) AS f, min(logout_time, OLD.logout_time) AS t
                  FROM sessions
                  WHERE user_id = OLD.user_id AND id <> OLD.id
                    AND login_time > OLD.login_time - 86400000 AND login_time < OLD.logout_time
                    AND logout_time > OLD.login_time AND logout_time > login_time
                    AND coalesce(correction, '') <> 'void'
                  UNION ALL
                  SELECT max(login_time, OLD.login_time), min(logout_time, OLD.logout_time)
                  FROM sessions
                  WHERE logout_time - login_time > 86400000 AND login_time <= OLD.login_time - 86400000
                    AND user_id = OLD.user_id AND id <> OLD.id
                    AND logout_time > OLD.login_time AND coalesce(correction, '') <> 'void') AS o) AS w),
        first_login = CASE WHEN first_login = OLD.login_time
                           THEN (SELECT min(login_time) FROM sessions
                           WHERE user_id = OLD.user_id AND id <> OLD.id AND logout_time > login_time
                             AND coalesce(correction, '') <> 'void')
                           ELSE first_login END,
        last_logout = CASE WHEN last_logout = OLD.logout_time
                           THEN (SELECT max(logout_time) FROM sessions
                           WHERE user_id = OLD.user_id AND id <> OLD.id AND logout_time > login_time
                             AND coalesce(correction, '') <> 'void')
                           ELSE last_logout END
    WHERE user_id = OLD.user_id
      AND OLD.logout_time > OLD.login_time AND coalesce(OLD.correction, '') <> 'void';
    INSERT OR IGNORE INTO user_totals (user_id) SELECT NEW.user_id
        WHERE NEW.logout_time > NEW.login_time AND coalesce(NEW.correction, '') <> 'void';
    UPDATE user_totals SET
        sessions = sessions + 1,
        corrected = corrected + (NEW.correction IS NOT NULL),
        summed_ms = summed_ms + (NEW.logout_time - NEW.login_time),
        connected_ms = connected_ms + (NEW.logout_time - NEW.login_time) - (SELECT coalesce(sum(max(0, t - max(f, coalesce(pm, f)))), 0) FROM (
            SELECT f, t, max(t) OVER (ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
            FROM (SELECT max(login_time, NEW.login_time) AS f, min(logout_time, NEW.logout_time) AS t
                  FROM sessions
                  WHERE user_id = NEW.user_id AND id <> NEW.id
                    AND login_time > NEW.login_time - 86400000 AND login_time < NEW.logout_time
                    AND logout_time > NEW.login_time AND logout_time > login_time
                    AND coalesce(correction, '') <> 'void'
                  UNION ALL
                  SELECT max(login_time, NEW.login_time), min(logout_time, NEW.logout_time)
                  FROM sessions
                  WHERE logout_time - login_time > 86400000 AND login_time <= NEW.login_time - 86400000
                    AND user_id = NEW.user_id AND id <> NEW.id
                    AND logout_time > NEW.login_time AND coalesce(correction, '') <> 'void') AS o) AS w),
        first_login = min(coalesce(first_login, NEW.login_time), NEW.login_time),
        last_logout = max(coalesce(last_logout, NEW.logout_time), NEW.logout_time)
    WHERE user_id = NEW.user_id
      AND NEW.logout_time > NEW.login_time AND coalesce(NEW.correction, '') <> 'void';
END;

CREATE TRIGGER totals_removed AFTER DELETE ON sessions
WHEN OLD.user_id IS NOT NULL AND OLD.logout_time > OLD.login_time AND coalesce(OLD.correction, '') <> 'void' BEGIN
    UPDATE user_totals SET
        sessions = sessions - 1,
        corrected = corrected - (OLD.correction IS NOT NULL),
        summed_ms = summed_ms - (OLD.logout_time - OLD.login_time),
        connected_ms = connected_ms - (OLD.logout_time - OLD.login_time) + (SELECT coalesce(sum(max(0, t - max(f, coalesce(pm, f)))), 0) FROM (
            SELECT f, t, max(t) OVER (ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
            FROM (SELECT max(login_time, OLD.login_time) AS f, min(logout_time, OLD.logout_time) AS t
                  FROM sessions
                  WHERE user_id = OLD.user_id AND id <> OLD.id
                    AND login_time > OLD.login_time - 86400000 AND login_time < OLD.logout_time
                    AND logout_time > OLD.login_time AND logout_time > login_time
                    AND coalesce(correction, '') <> 'void'
                  UNION ALL
                  SELECT max(login_time, OLD.login_time), min(logout_time, OLD.logout_time)
                  FROM sessions
                  WHERE logout_time - login_time > 86400000 AND login_time <= OLD.login_time - 86400000
                    AND user_id = OLD.user_id AND id <> OLD.id
                    AND logout_time > OLD.login_time AND coalesce(correction, '') <> 'void') AS o) AS w),
        first_login = CASE WHEN first_login = OLD.login_time
                           THEN (SELECT min(login_time) FROM sessions
                           WHERE user_id = OLD.user_id AND id <> OLD.id AND logout_time > login_time
                             AND coalesce(correction, '') <> 'void')
                           ELSE first_login END,
        last_logout = CASE WHEN last_logout = OLD.logout_time
                           THEN (SELECT max(logout_time) FROM sessions
                           WHERE user_id = OLD.user_id AND id <> OLD.id AND logout_time > login_time
                             AND coalesce(correction, '') <> 'void')
                           ELSE last_logout END
    WHERE user_id = OLD.user_id;
END;
