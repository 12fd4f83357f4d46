-- From version 9 to 10: each person's totals over the whole history, kept as sessions end.

-- Each person's ended sessions as `report` counts them over the whole history (the
-- voided left out, the overlaps of two terminals at once counted once), kept by the
-- triggers below as sessions end, are corrected and are pruned: a report of everything
-- reads one row a person instead of every session. An open session is not in it.
CREATE TABLE user_totals (
    user_id      BIGINT PRIMARY KEY,
    sessions     BIGINT NOT NULL DEFAULT 0,
    corrected    BIGINT NOT NULL DEFAULT 0,
    connected_ms BIGINT NOT NULL DEFAULT 0,   -- their union
    summed_ms    BIGINT NOT NULL DEFAULT 0,
    first_login  BIGINT,
    last_logout  BIGINT
);

-- A session's part of its person's totals: its length, less what their other sessions
-- already cover of it (the ones that began in the day before it, and the long ones).
CREATE FUNCTION konekte_session_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
-- Before each row, not after the statement: a statement that changes many sessions at
-- once (a prune, a sweep) has each row see the ones before it as changed and the ones
-- after it as they were, as SQLite's row triggers do, so that no overlap between two of
-- them is counted twice.
CREATE TRIGGER sessions_totals
    BEFORE INSERT OR UPDATE OF login_time, logout_time, correction OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION konekte_session_totals();

-- Like every konekte function: this schema's tables only, and nobody's to call.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION konekte_session_totals() SET search_path = %I, pg_temp',
                   current_schema());
    REVOKE EXECUTE ON FUNCTION konekte_session_totals() FROM PUBLIC;
END
$$;

-- The totals of the history so far.
INSERT INTO user_totals (user_id, sessions, corrected, connected_ms, summed_ms, first_login, last_logout)
SELECT user_id, count(*), sum((correction IS NOT NULL)::int),
       sum(greatest(0, logout_time - greatest(login_time, coalesce(pm, login_time)))),
       sum(logout_time - login_time), min(login_time), max(logout_time)
FROM (SELECT user_id, login_time, logout_time, correction,
             max(logout_time) OVER (PARTITION BY user_id ORDER BY login_time, logout_time
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
      FROM sessions WHERE logout_time > login_time AND coalesce(correction, '') <> 'void') AS s
GROUP BY user_id;
