-- From version 9 to 10: each person's totals over the whole history, kept as sessions end.

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
WHEN NEW.logout_time > NEW.login_time AND coalesce(NEW.correction, '') <> 'void' BEGIN
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
BEGIN
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
WHEN OLD.logout_time > OLD.login_time AND coalesce(OLD.correction, '') <> 'void' BEGIN
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

-- The totals of the history so far.
INSERT INTO user_totals (user_id, sessions, corrected, connected_ms, summed_ms, first_login, last_logout)
SELECT user_id, count(*), sum(correction IS NOT NULL),
       sum(max(0, logout_time - max(login_time, coalesce(pm, login_time)))),
       sum(logout_time - login_time), min(login_time), max(logout_time)
FROM (SELECT user_id, login_time, logout_time, correction,
             max(logout_time) OVER (PARTITION BY user_id ORDER BY login_time, logout_time
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm
      FROM sessions WHERE logout_time > login_time AND coalesce(correction, '') <> 'void')
GROUP BY user_id;
