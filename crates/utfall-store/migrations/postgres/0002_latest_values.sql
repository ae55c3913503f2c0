-- Each (KPI, grain, period)'s newest snapshot value, kept beside the history so that a snapshot
-- compares against it without scanning the history (which grows with every snapshot).
CREATE TABLE latest_values (
    kpi_id          TEXT NOT NULL,
    grain           TEXT NOT NULL,
    period          TEXT NOT NULL,
    snapshot_id     BIGINT NOT NULL,
    value           DOUBLE PRECISION,
    target_low      DOUBLE PRECISION,
    target_high     DOUBLE PRECISION,
    status          TEXT,
    definition_hash TEXT NOT NULL,
    PRIMARY KEY (kpi_id, grain, period)
);
INSERT INTO latest_values (kpi_id, grain, period, snapshot_id, value, target_low, target_high, status, definition_hash)
SELECT v.kpi_id, v.grain, v.period, v.snapshot_id, v.value, v.target_low, v.target_high, v.status, v.definition_hash
FROM kpi_values v
JOIN (SELECT kpi_id, grain, period, MAX(snapshot_id) AS snapshot_id FROM kpi_values GROUP BY kpi_id, grain, period) m
  ON v.kpi_id = m.kpi_id AND v.grain = m.grain AND v.period = m.period AND v.snapshot_id = m.snapshot_id;
