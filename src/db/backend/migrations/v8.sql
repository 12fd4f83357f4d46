-- From version 7 to 8: nothing on SQLite. PostgreSQL gains the functions through which
-- a terminal role writes (`console roles`); a SQLite file has no roles: whoever can
-- write it can write anything, and `verify` with a witness is what finds it.
SELECT 1;
