-- The audit log: who changed what, when. Written by the web app and the CLI for every change a
-- person makes (imports, definition edits, notes, comments, reviews, decisions, people), never
-- edited or removed by Utfall. `actor` is a user id, or `cli:NAME` for the command line.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
