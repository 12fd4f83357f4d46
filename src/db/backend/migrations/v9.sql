-- From version 8 to 9: expected hours, holidays, leave and closed months (attendance).

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
