-- The review cycle: reviews (open, then closed with their document frozen) and the decisions
-- taken at them, with their expected effect and the outcome recorded at the follow-up.
CREATE TABLE reviews (
    id           TEXT PRIMARY KEY,
    period       TEXT NOT NULL,
    held_on      TEXT,
    participants TEXT NOT NULL,
    notes        TEXT,
    status       TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at    INTEGER NOT NULL,
    closed_at    INTEGER,
    closed_by    TEXT,
    snapshot_id  INTEGER REFERENCES snapshots (id),
    document     TEXT
);

CREATE TABLE decisions (
    id               TEXT PRIMARY KEY,
    review_id        TEXT REFERENCES reviews (id),
    action           TEXT NOT NULL CHECK (action IN ('stop', 'start', 'continue', 'more', 'less')),
    activity         TEXT,
    channel          TEXT,
    campaign         TEXT,
    kpis             TEXT NOT NULL,
    effect_kpi       TEXT,
    effect_direction TEXT CHECK (effect_direction IN ('up', 'down')),
    effect_size      REAL,
    owner            TEXT,
    rationale        TEXT,
    expected         TEXT,
    decided_on       TEXT NOT NULL,
    follow_up        TEXT,
    status           TEXT NOT NULL CHECK (status IN ('open', 'done', 'dropped')),
    outcome          TEXT CHECK (outcome IN ('worked', 'did_not_work', 'too_early')),
    outcome_note     TEXT,
    outcome_by       TEXT,
    outcome_at       INTEGER,
    created_at       INTEGER NOT NULL,
    author           TEXT NOT NULL,
    source           TEXT NOT NULL
);

CREATE INDEX decisions_review ON decisions (review_id);

-- One-time facts about the store, e.g. that reviews.toml was imported.
CREATE TABLE store_flags (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
