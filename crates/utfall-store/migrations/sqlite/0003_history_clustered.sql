-- One KPI's history is read as a range of the primary key. Without a rowid the table is
-- stored in that key's order, so the range is contiguous pages instead of one lookup a row.
CREATE TABLE kpi_values_by_key (
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
) WITHOUT ROWID;

INSERT INTO kpi_values_by_key (snapshot_id, kpi_id, grain, period, period_start, value,
    target_low, target_high, status, definition_hash, definition_version, data_generation,
    computed_at)
SELECT snapshot_id, kpi_id, grain, period, period_start, value, target_low, target_high, status,
    definition_hash, definition_version, data_generation, computed_at
FROM kpi_values;

DROP TABLE kpi_values;

ALTER TABLE kpi_values_by_key RENAME TO kpi_values;

CREATE INDEX kpi_values_snapshot ON kpi_values (snapshot_id);
