-- From version 3 to 4: what the monitor shows at every change, kept rather than counted;
-- ranges of history bounded on both ends; the last key of a session.

-- The number of users.
CREATE TABLE tallies (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    users    INTEGER NOT NULL
);
INSERT INTO tallies (only_row, users) SELECT 1, count(*) FROM users;

CREATE TRIGGER users_added AFTER INSERT ON users BEGIN
    UPDATE tallies SET users = users + 1;
END;

CREATE TRIGGER users_removed AFTER DELETE ON users BEGIN
    UPDATE tallies SET users = users - 1;
END;

-- Who is online: each account's open sessions.
ALTER TABLE users ADD COLUMN open_sessions INTEGER NOT NULL DEFAULT 0;
UPDATE users SET open_sessions = (SELECT count(*) FROM sessions s
                                  WHERE s.user_id = users.id AND s.logout_time IS NULL)
WHERE id IN (SELECT user_id FROM sessions WHERE logout_time IS NULL);
CREATE INDEX users_online ON users (username_key) WHERE open_sessions > 0;

DROP TRIGGER sessions_opened;
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

DROP TRIGGER sessions_closed;
CREATE TRIGGER sessions_closed AFTER UPDATE OF logout_time ON sessions
WHEN NEW.logout_time IS NOT NULL BEGIN
    UPDATE users SET
        last_logout = max(coalesce(last_logout, NEW.logout_time), NEW.logout_time),
        connected_ms = connected_ms + (NEW.logout_time - NEW.login_time)
                       - coalesce(OLD.logout_time - OLD.login_time, 0),
        open_sessions = open_sessions - CASE WHEN OLD.logout_time IS NULL THEN 1 ELSE 0 END
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER sessions_removed AFTER DELETE ON sessions
WHEN OLD.logout_time IS NULL BEGIN
    UPDATE users SET open_sessions = open_sessions - 1 WHERE id = OLD.user_id;
END;

-- The ended sessions longer than a day: a range of history reads its own logins and these.
CREATE INDEX sessions_long ON sessions (login_time)
    WHERE logout_time - login_time > 86400000;

-- The last key pressed in the session, told with each heartbeat (`who`'s idle time).
ALTER TABLE sessions ADD COLUMN last_key INTEGER;
