-- From version 7 to 8: the terminal's writes as functions (least privilege, `console
-- roles`), and the journal's append computed by the server, in one round trip.

-- The journal's append, on PostgreSQL: the entry after the chain's head, its hash
-- computed here as the README's "The journal" says (sha256 over the previous hash, id,
-- time, kind, subject and body, one per line), the head locked until the transaction
-- ends. Every entry is written through it; only the functions below and the admin
-- role may call it.
CREATE FUNCTION konekte_append(p_at BIGINT, p_kind TEXT, p_subject BIGINT, p_body TEXT)
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    head journal_head%ROWTYPE;
    entry_hash TEXT;
BEGIN
    SELECT * INTO head FROM journal_head WHERE only_row = 1 FOR UPDATE;
    entry_hash := encode(sha256(convert_to(concat_ws(E'\n', head.hash, head.id + 1, p_at,
                  p_kind, coalesce(p_subject::text, ''), p_body), 'UTF8')), 'hex');
    INSERT INTO journal (id, at, kind, subject, body, prev_hash, hash)
    VALUES (head.id + 1, p_at, p_kind, p_subject, p_body, head.hash, entry_hash);
    UPDATE journal_head SET id = head.id + 1, hash = entry_hash WHERE only_row = 1;
    RETURN head.id + 1;
END
$$;

-- The server's clock, in milliseconds: what silence is judged by when a terminal asks.
CREATE FUNCTION konekte_server_now() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$
    SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT
$$;

-- What a terminal may do, and nothing more (`console roles`): each function below runs
-- as the schema's owner (SECURITY DEFINER), writes its rows and their journal entries,
-- and is the terminal role's only way to write. Every konekte connection on
-- PostgreSQL uses them for these writes, so that they are the path the tests take.

-- What a login needs of one name: its account, with its password's hash.
CREATE FUNCTION konekte_login_account(p_username_key TEXT) RETURNS SETOF users
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT * FROM users WHERE username_key = p_username_key
$$;

-- An account's lockout state after an attempt (the terminal judged it: it checks the
-- password).
CREATE FUNCTION konekte_set_lockout(p_user BIGINT, p_failures BIGINT, p_window_start BIGINT,
                                    p_locked_until BIGINT)
RETURNS VOID LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    UPDATE users SET failed_attempts = p_failures, failure_window_start = p_window_start,
                     locked_until = p_locked_until
    WHERE id = p_user;
END
$$;

-- A login attempt and its entry.
CREATE FUNCTION konekte_record_attempt(p_typed TEXT, p_user BIGINT, p_at BIGINT, p_host TEXT,
                                       p_tty TEXT, p_remote_ip TEXT, p_outcome TEXT,
                                       p_key TEXT, p_typed_key TEXT, p_written_at BIGINT,
                                       p_body TEXT)
RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    attempt BIGINT;
BEGIN
    INSERT INTO login_attempts (username_typed, user_id, at, host, tty, remote_ip, outcome,
                                attempt_key, typed_key)
    VALUES (p_typed, p_user, p_at, p_host, p_tty, p_remote_ip, p_outcome, p_key, p_typed_key)
    RETURNING id INTO attempt;
    PERFORM konekte_append(p_written_at, 'attempt', attempt, p_body);
    RETURN attempt;
END
$$;

-- A session opened, under the terminal's own key; the one already written under that
-- key if this is a retry whose first answer was lost.
CREATE FUNCTION konekte_open_session(p_user BIGINT, p_key TEXT, p_host TEXT, p_tty TEXT,
                                     p_remote_ip TEXT, p_terminal TEXT, p_pid BIGINT,
                                     p_boot_id TEXT, p_machine_id TEXT, p_login_time BIGINT,
                                     p_heartbeat_ms BIGINT, p_pid_ns TEXT, p_pid_start BIGINT,
                                     p_written_at BIGINT, p_body TEXT)
RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    session BIGINT;
BEGIN
    INSERT INTO sessions (user_id, session_key, host, tty, remote_ip, terminal, pid, boot_id,
                          machine_id, login_time, last_seen, heartbeat_ms, last_key, pid_ns,
                          pid_start)
    VALUES (p_user, p_key, p_host, p_tty, p_remote_ip, p_terminal, p_pid, p_boot_id,
            p_machine_id, p_login_time, p_login_time, p_heartbeat_ms, p_login_time, p_pid_ns,
            p_pid_start)
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

-- A heartbeat of the session holding this key: NULL while it is open (again, if it
-- was taken for lost), else how it ended.
CREATE FUNCTION konekte_beat(p_session BIGINT, p_key TEXT, p_now BIGINT, p_last_key BIGINT,
                             p_written_at BIGINT)
RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    reason TEXT;
BEGIN
    UPDATE sessions SET last_seen = greatest(last_seen, p_now), last_key = p_last_key
    WHERE id = p_session AND session_key = p_key AND logout_time IS NULL;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE sessions SET last_seen = greatest(last_seen, p_now), last_key = p_last_key,
                        logout_time = NULL, end_reason = NULL
    WHERE id = p_session AND session_key = p_key AND end_reason = 'lost';
    IF FOUND THEN
        PERFORM konekte_append(p_written_at, 'session.reopened', p_session, '{}');
        RETURN NULL;
    END IF;
    SELECT end_reason INTO reason FROM sessions WHERE id = p_session AND session_key = p_key;
    RETURN coalesce(reason, 'lost');
END
$$;

-- The entry of an end no admin wrote: no author, no note.
CREATE FUNCTION konekte_ended_body(p_logout_time BIGINT, p_reason TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('{"ended_by":null,"ended_by_account":null,"logout_time":%s,"note":null,"reason":"%s"}',
                  p_logout_time, p_reason)
$$;

-- The terminal's own end of the session holding this key (logout, idle, hangup), once;
-- one taken for lost gets its real end. 'now' when it ended it; the reason it had if
-- it had ended already; NULL when no session holds that key.
CREATE FUNCTION konekte_end_own(p_session BIGINT, p_key TEXT, p_reason TEXT, p_at BIGINT,
                                p_written_at BIGINT)
RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    ended BIGINT;
    reason TEXT;
BEGIN
    IF p_reason NOT IN ('logout', 'idle', 'hangup') THEN
        RAISE EXCEPTION 'a terminal ends its session as logout, idle or hangup, not %', p_reason
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE sessions SET logout_time = greatest(p_at, login_time), end_reason = p_reason
    WHERE id = p_session AND session_key = p_key
      AND (logout_time IS NULL OR end_reason = 'lost')
    RETURNING logout_time INTO ended;
    IF FOUND THEN
        PERFORM konekte_append(p_written_at, 'session.ended', p_session,
                               konekte_ended_body(ended, p_reason));
        RETURN 'now';
    END IF;
    SELECT end_reason INTO reason FROM sessions WHERE id = p_session AND session_key = p_key;
    RETURN reason;
END
$$;

-- Holds a session's row until the transaction ends: a sweep locks every row it may
-- close before it closes any, so that the chain's head is taken last.
CREATE FUNCTION konekte_lock_session(p_session BIGINT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    PERFORM 1 FROM sessions WHERE id = p_session FOR UPDATE;
END
$$;

-- Closes as lost, at its last heartbeat, a session whose process its terminal's
-- machine says is gone, or that is silent by the server's clock: a terminal whose
-- clock runs ahead closes nobody early. Its logout time, or NULL if it stays open.
CREATE FUNCTION konekte_close_lost(p_session BIGINT, p_process_gone BOOLEAN, p_missed BIGINT,
                                   p_now BIGINT, p_written_at BIGINT)
RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    judged_at BIGINT := least(p_now, konekte_server_now());
    ended BIGINT;
BEGIN
    UPDATE sessions SET logout_time = last_seen, end_reason = 'lost'
    WHERE id = p_session AND logout_time IS NULL
      AND (p_process_gone
           OR (last_seen + p_missed * heartbeat_ms < judged_at
               AND (SELECT ended_at FROM write_stalls) + p_missed * heartbeat_ms < judged_at))
    RETURNING logout_time INTO ended;
    IF FOUND THEN
        PERFORM konekte_append(p_written_at, 'session.ended', p_session,
                               konekte_ended_body(ended, 'lost'));
    END IF;
    RETURN ended;
END
$$;

-- The database is writable again as of this time (never later than the server's
-- clock): silence counts from then.
CREATE FUNCTION konekte_stall_ended(p_at BIGINT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    UPDATE write_stalls SET ended_at = least(p_at, konekte_server_now())
    WHERE ended_at < least(p_at, konekte_server_now());
END
$$;

-- A temporary password replaced by its owner at first login: only an account that
-- must change its password, and never to say it must not any more without a new one.
CREATE FUNCTION konekte_change_temporary_password(p_user BIGINT, p_hash TEXT,
                                                  p_written_at BIGINT)
RETURNS VOID LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    UPDATE users SET password_hash = p_hash, must_change_password = FALSE
    WHERE id = p_user AND must_change_password;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % has no temporary password to change', p_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM konekte_append(p_written_at, 'account.changed', p_user,
        format('{"must_change_password":false,"password":"%s"}',
               encode(sha256(convert_to(p_hash, 'UTF8')), 'hex')));
END
$$;

-- Each function finds konekte's tables in this schema and nowhere else (not in a
-- caller's temporary schema), and nobody may call one until `console roles` says who.
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
