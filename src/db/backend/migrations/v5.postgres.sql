-- From version 4 to 5: a lock held elsewhere is no evidence of death, and a heartbeat
-- undoes a lost verdict; a pid is judged only within its PID namespace; a lockout per
-- source.

-- When the database last became writable again after a write had to wait for it (a
-- backup, a long import): terminals could not beat meanwhile, so the lost-session sweep
-- counts silence from then on (src/db/sessions.rs).
CREATE TABLE write_stalls (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    ended_at BIGINT NOT NULL
);
INSERT INTO write_stalls (only_row, ended_at) VALUES (1, 0);

-- The PID namespace of the session's process (/proc/self/ns/pid): its pid means
-- something only in that namespace.
ALTER TABLE sessions ADD COLUMN pid_ns TEXT;

-- Failures from one place (a remote address, else a host's terminal): the lockout of
-- a source that tries many names.
CREATE INDEX login_attempts_source ON login_attempts
    ((CASE WHEN remote_ip IS NOT NULL THEN 'ip ' || remote_ip
           ELSE 'tty ' || coalesce(host, '') || ' ' || coalesce(tty, '') END), at);

-- A session taken for lost whose terminal beats again is open again: its heartbeat
-- proves what the sweep only guessed (a clock that jumped, a lock held elsewhere).
CREATE FUNCTION konekte_session_reopened() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET
        connected_ms = connected_ms - (OLD.logout_time - OLD.login_time),
        open_sessions = open_sessions + 1,
        last_logout = CASE WHEN last_logout = OLD.logout_time
                           THEN (SELECT max(logout_time) FROM sessions WHERE user_id = NEW.user_id)
                           ELSE last_logout END
    WHERE id = NEW.user_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_reopened AFTER UPDATE OF logout_time ON sessions
    FOR EACH ROW WHEN (OLD.logout_time IS NOT NULL AND NEW.logout_time IS NULL)
    EXECUTE FUNCTION konekte_session_reopened();
