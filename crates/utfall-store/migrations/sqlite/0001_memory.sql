-- Utfall's memory: people, KPI definition versions, snapshots of reported values, annotations,
-- comments and saved mix-model fits. Times are milliseconds since the Unix epoch (UTC); dates
-- and periods are ISO text (`2026-07-01`, `2026-Q3`), which sorts.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;

CREATE TABLE definition_versions (
    kpi_id     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    definition TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (kpi_id, version),
    UNIQUE (kpi_id, hash)
);

CREATE TABLE snapshots (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    taken_at        INTEGER NOT NULL,
    data_generation TEXT NOT NULL,
    definitions     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    values_written  INTEGER NOT NULL
);

CREATE TABLE kpi_values (
    snapshot_id        INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    kpi_id             TEXT NOT NULL,
    grain              TEXT NOT NULL,
    period             TEXT NOT NULL,
    period_start       TEXT NOT NULL,
    value              REAL,
    target_low         REAL,
    target_high        REAL,
    status             TEXT,
    definition_hash    TEXT NOT NULL,
    definition_version INTEGER NOT NULL,
    data_generation    TEXT NOT NULL,
    computed_at        INTEGER NOT NULL,
    PRIMARY KEY (kpi_id, grain, period, snapshot_id)
);

CREATE TABLE annotations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    scope      TEXT NOT NULL CHECK (scope IN ('kpi', 'goal', 'all')),
    scope_id   TEXT,
    starts_on  TEXT NOT NULL,
    ends_on    TEXT,
    body       TEXT NOT NULL,
    author     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('note', 'import', 'definition', 'activity', 'decision')),
    source_ref TEXT,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX annotations_system ON annotations (kind, source_ref) WHERE source_ref IS NOT NULL;
CREATE INDEX annotations_window ON annotations (starts_on);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kpi_id     TEXT NOT NULL,
    period     TEXT NOT NULL,
    parent_id  INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_value ON comments (kpi_id, period);

CREATE TABLE mmm_fits (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    kpi_id   TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX mmm_fits_kpi ON mmm_fits (kpi_id, id);
