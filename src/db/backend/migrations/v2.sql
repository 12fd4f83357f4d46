-- From version 1 to 2: what `users list` and the monitor show of each account is kept on
-- the account, by triggers, so that pruning the history does not erase a user's last
-- login and a listing of 100 000 users does not read every session.

ALTER TABLE users ADD COLUMN last_login INTEGER;
ALTER TABLE users ADD COLUMN last_logout INTEGER;
ALTER TABLE users ADD COLUMN sessions_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN connected_ms INTEGER NOT NULL DEFAULT 0;

UPDATE users SET
    last_login = (SELECT max(login_time) FROM sessions s WHERE s.user_id = users.id),
    last_logout = (SELECT max(logout_time) FROM sessions s WHERE s.user_id = users.id),
    sessions_count = (SELECT count(*) FROM sessions s WHERE s.user_id = users.id),
    connected_ms = (SELECT coalesce(sum(logout_time - login_time), 0) FROM sessions s
                    WHERE s.user_id = users.id AND logout_time IS NOT NULL);

CREATE INDEX users_recent ON users (-coalesce(last_login, 0), username);
CREATE INDEX sessions_open_user ON sessions (user_id) WHERE logout_time IS NULL;

CREATE TRIGGER sessions_opened AFTER INSERT ON sessions BEGIN
    UPDATE users SET
        last_login = max(coalesce(last_login, NEW.login_time), NEW.login_time),
        last_logout = CASE WHEN NEW.logout_time IS NULL THEN last_logout
                           ELSE max(coalesce(last_logout, NEW.logout_time), NEW.logout_time) END,
        sessions_count = sessions_count + 1,
        connected_ms = connected_ms + coalesce(NEW.logout_time - NEW.login_time, 0)
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER sessions_closed AFTER UPDATE OF logout_time ON sessions
WHEN NEW.logout_time IS NOT NULL BEGIN
    UPDATE users SET
        last_logout = max(coalesce(last_logout, NEW.logout_time), NEW.logout_time),
        connected_ms = connected_ms + (NEW.logout_time - NEW.login_time)
                       - coalesce(OLD.logout_time - OLD.login_time, 0)
    WHERE id = NEW.user_id;
END;
