-- From version 10 to 11: the PCs' own logins (PAM). A session says how it was entered
-- (NULL for konekte's own screen) and the name the system gave; a name konekte has no
-- account of is kept with no user, as wtmp keeps it, and counted in no attendance.
-- SQLite cannot drop a column's NOT NULL: konekte's step after this one does, in the
-- schema's own text (migrations/mod.rs, `allow_sessions_without_user`).
ALTER TABLE sessions ADD COLUMN service TEXT;
ALTER TABLE sessions ADD COLUMN login_name TEXT;
-- The names seen without an account (`users list --unknown`).
CREATE INDEX sessions_unknown ON sessions (login_name) WHERE user_id IS NULL;

-- A session of no account counts in no one's totals.
DROP TRIGGER totals_added;
DROP TRIGGER totals_changed;
DROP TRIGGER totals_removed;

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
