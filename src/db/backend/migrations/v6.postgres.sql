-- From version 5 to 6: names compared in any case by one rule on both backends,
-- konekte's own (Rust's lowercase, `model::folded`), kept beside the names it folds:
-- PostgreSQL's lower() folds 'İ' to 'i' and SQLite's folds no letter past ASCII. The
-- keys of the rows already there are written by konekte after this step
-- (`migrations::fold_existing_names`).

-- The full name folded: the monitor's filter finds "Édouard" typed in any case.
ALTER TABLE users ADD COLUMN full_name_key TEXT NOT NULL DEFAULT '';

-- The name typed at a failed login, folded: `failures NAME` and the lockout of an
-- unknown name count its every case as one.
ALTER TABLE login_attempts ADD COLUMN typed_key TEXT NOT NULL DEFAULT '';
DROP INDEX login_attempts_typed;
CREATE INDEX login_attempts_typed ON login_attempts (typed_key, at);

-- Who ended a session from the shell (`end-session`, `users disable`): the system
-- account that ran the command (SUDO_USER's when set). An admin of the monitor is
-- `ended_by`.
ALTER TABLE sessions ADD COLUMN ended_by_account TEXT;

-- When the session's process started (clock ticks after boot, /proc/PID/stat): a pid
-- given to another process since is not taken for the terminal.
ALTER TABLE sessions ADD COLUMN pid_start BIGINT;

-- The name unique as it is, as SQLite's schema has it since version 1 (the unique
-- index on username_key says more: unique in any case).
ALTER TABLE users ADD CONSTRAINT users_username_unique UNIQUE (username);
