-- From version 6 to 7: the journal, and corrections. Every fact konekte writes is also an entry here,
-- in the same transaction, chained to the entry before by its hash (README, "The
-- journal"). The first entry, written by konekte after this step, commits to the rows
-- already there: history before the journal.

CREATE TABLE journal (
    id        INTEGER PRIMARY KEY,          -- 1, 2, 3…: no gap
    at        INTEGER NOT NULL,             -- when it was written
    kind      TEXT    NOT NULL,             -- session.opened, session.ended, attempt…
    subject   INTEGER,                      -- the row it is about: account, session, attempt
    body      TEXT    NOT NULL,             -- the fact, canonical JSON
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL UNIQUE
);

-- The entries of a kind, of a row: the latest anchor, the admin actions of `audit`,
-- the end a session had before its correction.
CREATE INDEX journal_kind ON journal (kind, subject, id);

-- The chain's last entry: each append reads and moves it under the write lock (on
-- PostgreSQL, a lock on this row), so that the chain stays one line.
CREATE TABLE journal_head (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    id       INTEGER NOT NULL,
    hash     TEXT    NOT NULL
);
INSERT INTO journal_head (only_row, id, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Corrections, never overwrites: an end moved, a session added from the paper
-- register, a session voided (left out of the reports). The row shows the corrected
-- values; the journal keeps what was recorded before.
ALTER TABLE sessions ADD COLUMN correction TEXT CHECK (correction IN ('end', 'added', 'void'));
ALTER TABLE sessions ADD COLUMN correction_note TEXT;
