-- One KPI's history is read as a range of the primary key. The table's rows lie in the order
-- they were written (snapshot by snapshot), so a covering index lets that range be read from
-- the index alone (an index-only scan once autovacuum has marked the pages visible).
CREATE INDEX kpi_values_history ON kpi_values (kpi_id, grain, period, snapshot_id)
    INCLUDE (computed_at, value, target_low, target_high, status, definition_version,
             definition_hash, data_generation);
