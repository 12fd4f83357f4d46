-- From version 10 to 11: the PCs' own logins (PAM). A session says how it was entered
-- (NULL for konekte's own screen) and the name the system gave; a name konekte has no
-- account of is kept with no user, as wtmp keeps it, and counted in no attendance.
ALTER TABLE sessions ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE sessions ADD COLUMN service TEXT;
ALTER TABLE sessions ADD COLUMN login_name TEXT;
-- The names seen without an account (`users list --unknown`).
CREATE INDEX sessions_unknown ON sessions (login_name) WHERE user_id IS NULL;

DROP FUNCTION konekte_open_session(BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, BIGINT, TEXT, TEXT,
                                   BIGINT, BIGINT, TEXT, BIGINT, BIGINT, TEXT);
CREATE FUNCTION konekte_open_session(p_user BIGINT, p_key TEXT, p_host TEXT, p_tty TEXT,
                                     p_remote_ip TEXT, p_terminal TEXT, p_pid BIGINT,
                                     p_boot_id TEXT, p_machine_id TEXT, p_login_time BIGINT,
                                     p_heartbeat_ms BIGINT, p_pid_ns TEXT, p_pid_start BIGINT,
                                     p_written_at BIGINT, p_body TEXT, p_service TEXT,
                                     p_login_name TEXT)
RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    session BIGINT;
BEGIN
    INSERT INTO sessions (user_id, session_key, host, tty, remote_ip, terminal, pid, boot_id,
                          machine_id, login_time, last_seen, heartbeat_ms, last_key, pid_ns,
                          pid_start, service, login_name)
    VALUES (p_user, p_key, p_host, p_tty, p_remote_ip, p_terminal, p_pid, p_boot_id,
            p_machine_id, p_login_time, p_login_time, p_heartbeat_ms,
            -- No key of a system login is seen: its idle time is the system's business.
            CASE WHEN p_service IS NULL THEN p_login_time END, p_pid_ns,
            p_pid_start, p_service, p_login_name)
    ON CONFLICT (session_key) DO NOTHING
    RETURNING id INTO session;
    IF session IS NULL THEN
        SELECT id INTO session FROM sessions WHERE session_key = p_key;
        RETURN session;
    END IF;
    PERFORM konekte_append(p_written_at, 'session.opened', session, p_body);
    RETURN session;
END
$$;

-- A session nobody beats for (heartbeat_ms 0) is never silent.
CREATE OR REPLACE FUNCTION konekte_close_lost(p_session BIGINT, p_process_gone BOOLEAN, p_missed BIGINT,
                                   p_now BIGINT, p_written_at BIGINT)
RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    judged_at BIGINT := least(p_now, konekte_server_now());
    ended BIGINT;
BEGIN
    UPDATE sessions SET logout_time = last_seen, end_reason = 'lost'
    WHERE id = p_session AND logout_time IS NULL
      AND (p_process_gone
           OR (heartbeat_ms > 0 AND last_seen + p_missed * heartbeat_ms < judged_at
               AND (SELECT ended_at FROM write_stalls) + p_missed * heartbeat_ms < judged_at))
    RETURNING logout_time INTO ended;
    IF FOUND THEN
        PERFORM konekte_append(p_written_at, 'session.ended', p_session,
                               konekte_ended_body(ended, 'lost'));
    END IF;
    RETURN ended;
END
$$;

-- The host agent's beat (`console agent`): every open session of this machine and boot
-- that no terminal of konekte's beats for (a PAM session), in one statement. Their
-- silence counts from now on (`p_heartbeat_ms`), until the agent stops and gives back
-- 0: a session nobody beats for is judged only on its own machine. How many it beat.
CREATE FUNCTION konekte_beat_host(p_machine_id TEXT, p_boot_id TEXT, p_now BIGINT,
                                  p_heartbeat_ms BIGINT)
RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    beaten BIGINT;
BEGIN
    UPDATE sessions SET last_seen = greatest(last_seen, p_now), heartbeat_ms = p_heartbeat_ms
    WHERE logout_time IS NULL AND service IS NOT NULL
      AND machine_id = p_machine_id AND boot_id = p_boot_id;
    GET DIAGNOSTICS beaten = ROW_COUNT;
    RETURN beaten;
END
$$;

CREATE OR REPLACE FUNCTION konekte_session_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A session of no account counts in no one's totals.
    IF TG_OP = 'DELETE' THEN
        IF OLD.user_id IS NULL THEN
            RETURN OLD;
        END IF;
    ELSIF NEW.user_id IS NULL THEN
        RETURN NEW;
    END IF;
    -- An insert that will meet its own key (a commit retried whose answer was lost)
    -- writes nothing, and counts nothing.
    IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM sessions WHERE session_key = NEW.session_key) THEN
        RETURN NEW;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.logout_time > OLD.login_time AND coalesce(OLD.correction, '') <> 'void' THEN
        UPDATE user_totals SET
        sessions = sessions - 1,
        corrected = corrected - (OLD.correction IS NOT NULL)::int,
        summed_ms = summed_ms - (OLD.logout_time - OLD.login_time),
        connected_ms = connected_ms - (OLD.logout_time - OLD.login_time) + (SELECT coalesce(sum(greatest(0, t - greatest(f, coalesce(pm, f)))), 0) FROM (
            SELECT f, t, max(t) OVER (ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
            FROM (SELECT greatest(login_time, OLD.login_time) AS f, least(logout_time, OLD.logout_time) AS t
                  FROM sessions
                  WHERE user_id = OLD.user_id AND id <> OLD.id
                    AND login_time > OLD.login_time - 86400000 AND login_time < OLD.logout_time
                    AND logout_time > OLD.login_time AND logout_time > login_time
                    AND coalesce(correction, '') <> 'void'
                  UNION ALL
                  SELECT greatest(login_time, OLD.login_time), least(logout_time, OLD.logout_time)
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
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.logout_time > NEW.login_time AND coalesce(NEW.correction, '') <> 'void' THEN
        INSERT INTO user_totals (user_id) VALUES (NEW.user_id) ON CONFLICT DO NOTHING;
        UPDATE user_totals SET
        sessions = sessions + 1,
        corrected = corrected + (NEW.correction IS NOT NULL)::int,
        summed_ms = summed_ms + (NEW.logout_time - NEW.login_time),
        connected_ms = connected_ms + (NEW.logout_time - NEW.login_time) - (SELECT coalesce(sum(greatest(0, t - greatest(f, coalesce(pm, f)))), 0) FROM (
            SELECT f, t, max(t) OVER (ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
            FROM (SELECT greatest(login_time, NEW.login_time) AS f, least(logout_time, NEW.logout_time) AS t
                  FROM sessions
                  WHERE user_id = NEW.user_id AND id <> NEW.id
                    AND login_time > NEW.login_time - 86400000 AND login_time < NEW.logout_time
                    AND logout_time > NEW.login_time AND logout_time > login_time
                    AND coalesce(correction, '') <> 'void'
                  UNION ALL
                  SELECT greatest(login_time, NEW.login_time), least(logout_time, NEW.logout_time)
                  FROM sessions
                  WHERE logout_time - login_time > 86400000 AND login_time <= NEW.login_time - 86400000
                    AND user_id = NEW.user_id AND id <> NEW.id
                    AND logout_time > NEW.login_time AND coalesce(correction, '') <> 'void') AS o) AS w),
        first_login = least(coalesce(first_login, NEW.login_time), NEW.login_time),
        last_logout = greatest(coalesce(last_logout, NEW.logout_time), NEW.logout_time)
    WHERE user_id = NEW.user_id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

-- Like every konekte function: this schema's tables only, and nobody's to call.
DO $$
DECLARE
    f REGPROCEDURE;
BEGIN
    FOR f IN SELECT p.oid::REGPROCEDURE FROM pg_proc p
             WHERE p.pronamespace = current_schema()::REGNAMESPACE
               AND p.proname LIKE 'konekte\_%'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;

-- The roles `console roles` made keep their rights: whoever could beat for a terminal may
-- open a session as it is now written, and beat for a host.
DO $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN SELECT DISTINCT grantee FROM information_schema.routine_privileges
             WHERE specific_schema = current_schema() AND routine_name = 'konekte_beat'
               AND privilege_type = 'EXECUTE' AND grantee NOT IN (current_user, 'PUBLIC')
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION konekte_open_session(BIGINT, TEXT, TEXT, TEXT,
                            TEXT, TEXT, BIGINT, TEXT, TEXT, BIGINT, BIGINT, TEXT, BIGINT, BIGINT,
                            TEXT, TEXT, TEXT), konekte_beat_host(TEXT, TEXT, BIGINT, BIGINT)
                        TO %I', r.grantee);
    END LOOP;
END
$$;
