"""Scorecard benchmark helper: generates a large workspace's data with DuckDB, and computes the
b2b template's KPIs per month with hand-written DuckDB SQL over the same Parquet files.

  python scorecard.py generate DATA_DIR WEB_EVENTS   writes Parquet files and _manifest.json
  python scorecard.py reference DATA_DIR OUT.csv     kpi,period,value by DuckDB (timed inside)
  python scorecard.py compare UTFALL.csv DUCKDB.csv  every value equal within 1e-9 relative

Timestamps are UTC instants; months are calendar months in Europe/Stockholm, as Utfall's b2b
template (its time zone) computes them. Random values come from hash(i), so a size gives the
same data every time.
"""

import csv
import json
import math
import os
import sys
import time

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

START = 1701388800  # 2023-12-01T00:00:00Z
SPAN = 1096 * 86400  # three years
TZ = "Europe/Stockholm"


def u(expr, salt):
    """A uniform number in [0, 1) from the hash of an expression."""
    return f"((hash(({expr}) * 7919 + {salt}) % 1000003) / 1000003.0)"


# The columns Utfall's catalog declares required (crates/utfall-model/src/catalog.rs).
REQUIRED = {
    "web_events": {"event_time", "event_date", "event_name", "anonymous_id", "session_id", "channel", "is_key_event"},
    "contacts": {"person_id", "created_at", "original_channel"},
    "deals": {"deal_id", "created_at", "stage", "is_closed", "is_won", "amount", "currency"},
    "spend": {"date", "platform", "channel", "campaign_id", "campaign_name", "cost", "currency"},
}


def generate(data, n_web):
    os.makedirs(data, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    tables = {}

    def write(name, sql, rows_sql):
        # Streamed through Arrow to give the columns Utfall's catalog types: required columns
        # non-null, instants as UTC microseconds.
        os.makedirs(f"{data}/{name}", exist_ok=True)
        path = f"{name}/part-bench.parquet"
        reader = con.sql(sql).to_arrow_reader(1_000_000)
        fields = []
        for field in reader.schema:
            kind = field.type
            if pa.types.is_timestamp(kind):
                kind = pa.timestamp("us", tz="+00:00")
            fields.append(pa.field(field.name, kind, nullable=field.name not in REQUIRED[name]))
        schema = pa.schema(fields)
        rows = 0
        with pq.ParquetWriter(f"{data}/{path}", schema, compression="snappy") as writer:
            for batch in reader:
                table = pa.Table.from_batches([batch]).cast(schema)
                writer.write_table(table, row_group_size=1_000_000)
                rows += batch.num_rows
        tables[name] = {"file": path, "rows": rows}

    # Web events: sessions of four events a minute apart, 2 % key events.
    write(
        "web_events",
        f"""
        WITH e AS (
          SELECT i, i // 4 AS s,
                 to_timestamp({START} + floor({u('i // 4', 1)} * {SPAN - 600})::BIGINT + (i % 4) * 60) AS t
          FROM range({n_web}) r(i))
        SELECT t AS event_time,
               (t AT TIME ZONE '{TZ}')::DATE AS event_date,
               CASE WHEN {u('i', 2)} < 0.02 THEN 'generate_lead' ELSE 'page_view' END AS event_name,
               'a' || (s // 3)::VARCHAR AS anonymous_id,
               NULL::VARCHAR AS user_id,
               's' || s::VARCHAR AS session_id,
               NULL::VARCHAR AS page_location, NULL::VARCHAR AS page_referrer,
               NULL::VARCHAR AS source, NULL::VARCHAR AS medium, NULL::VARCHAR AS campaign,
               NULL::VARCHAR AS term, NULL::VARCHAR AS content,
               (['organic_search', 'paid_search', 'paid_social', 'direct', 'email'])[1 + floor({u('s', 3)} * 5)::INT] AS channel,
               {u('i', 2)} < 0.02 AS is_key_event,
               NULL::DOUBLE AS value, NULL::VARCHAR AS currency, NULL::VARCHAR AS device_category, NULL::VARCHAR AS country
        FROM e""",
        "SELECT count(*) FROM FILE",
    )
    # Contacts: 1 M; 80 % become leads at creation, half of those MQLs within a month, a third
    # of the MQLs SQLs within 0–120 days (so some beyond the 90-day conversion window).
    write(
        "contacts",
        f"""
        WITH c AS (SELECT i, to_timestamp({START} + floor({u('i', 11)} * {SPAN})::BIGINT) AS created FROM range(1000000) r(i)),
        l AS (SELECT *, CASE WHEN {u('i', 12)} < 0.8 THEN created END AS lead FROM c),
        m AS (SELECT *, CASE WHEN {u('i', 13)} < 0.5 THEN lead + to_seconds(floor({u('i', 14)} * 30 * 86400)::BIGINT) END AS mql FROM l)
        SELECT 'p' || i::VARCHAR AS person_id, NULL::VARCHAR AS account_id, NULL::VARCHAR AS email_hash,
               created AS created_at, lead AS became_lead_at, mql AS became_mql_at,
               CASE WHEN {u('i', 15)} < 0.33 THEN mql + to_seconds(floor({u('i', 16)} * 120 * 86400)::BIGINT) END AS became_sql_at,
               NULL::TIMESTAMPTZ AS became_opportunity_at, NULL::TIMESTAMPTZ AS became_customer_at,
               NULL::VARCHAR AS original_source, 'organic_search' AS original_channel, NULL::VARCHAR AS latest_source
        FROM m""",
        "SELECT count(*) FROM FILE",
    )
    # Deals: 200 000 over 60 000 accounts; 70 % close within 200 days, a third of those won.
    write(
        "deals",
        f"""
        WITH d AS (
          SELECT i, to_timestamp({START} + floor({u('i', 21)} * {SPAN})::BIGINT) AS created,
                 {u('i', 22)} < 0.7 AS closes, {u('i', 23)} < 0.34 AS wins FROM range(200000) r(i))
        SELECT 'd' || i::VARCHAR AS deal_id, 'acc' || (hash(i * 31 + 5) % 60000)::VARCHAR AS account_id,
               NULL::VARCHAR AS primary_person_id, created AS created_at,
               CASE WHEN closes THEN created + to_seconds(floor({u('i', 24)} * 200 * 86400)::BIGINT) END AS closed_at,
               CASE WHEN closes AND wins THEN 'closedwon' WHEN closes THEN 'closedlost' ELSE 'proposal' END AS stage,
               closes AS is_closed, closes AND wins AS is_won,
               round(10000 + {u('i', 25)} * 490000) AS amount, 'SEK' AS currency, NULL::VARCHAR AS pipeline,
               (['paid_search', 'organic_search', 'events', 'sales_outbound', 'partner', NULL])[1 + floor({u('i', 26)} * 6)::INT] AS source,
               NULL::VARCHAR AS campaign_id, NULL::VARCHAR AS owner
        FROM d""",
        "SELECT count(*) FROM FILE",
    )
    # Spend: three years of daily costs, six channels × two campaigns.
    write(
        "spend",
        f"""
        SELECT (DATE '2023-12-01' + d::INTEGER) AS date, 'bench' AS platform, ch AS channel,
               ch || '_' || k::VARCHAR AS campaign_id, ch || ' ' || k::VARCHAR AS campaign_name,
               NULL::VARCHAR AS activity_id,
               round(100 + {u('d * 100 + k * 10 + hash(ch) % 7', 31)} * 900, 2) AS cost,
               'SEK' AS currency, NULL::BIGINT AS impressions, NULL::BIGINT AS clicks, NULL::DOUBLE AS platform_conversions
        FROM range(1096) r(d), (VALUES ('paid_search'), ('paid_social'), ('events'), ('email'), ('print'), ('pr')) c(ch), range(2) q(k)""",
        "SELECT count(*) FROM FILE",
    )
    with open(f"{data}/_manifest.json", "w") as f:
        json.dump({"version": 1, "tables": tables, "imports": []}, f, indent=2)


def reference(data, out):
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{TZ}'")
    for t in ["web_events", "contacts", "deals", "spend"]:
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{data}/{t}/*.parquet')")
    month = lambda col: f"strftime(date_trunc('month', ({col}) AT TIME ZONE '{TZ}'), '%Y-%m')"
    dmonth = lambda col: f"strftime({col}, '%Y-%m')"
    sql = f"""
    WITH months AS (SELECT strftime(DATE '2023-12-01' + INTERVAL (m) MONTH, '%Y-%m') AS period FROM range(36) r(m)),
    won AS (SELECT {month('closed_at')} AS period, sum(amount) AS won_revenue, count(*) AS won_deals FROM deals WHERE is_won GROUP BY 1),
    closed AS (SELECT {month('closed_at')} AS period, count(*) AS closed_deals FROM deals WHERE is_closed GROUP BY 1),
    created AS (SELECT {month('created_at')} AS period, sum(amount) AS pipeline_created, count(*) AS opportunities,
                       sum(amount) FILTER (WHERE source IS NOT NULL AND source NOT IN ('sales_outbound', 'partner', 'sales')) AS marketing_sourced_pipeline
                FROM deals GROUP BY 1),
    firsts AS (SELECT account_id, min(closed_at) AS first_won FROM deals WHERE is_won AND account_id IS NOT NULL AND closed_at IS NOT NULL GROUP BY 1),
    newc AS (SELECT {month('first_won')} AS period, count(*) AS new_customers FROM firsts GROUP BY 1),
    sp AS (SELECT {dmonth('date')} AS period, sum(cost) AS marketing_spend,
                  sum(cost) FILTER (WHERE channel = 'paid_search') AS spend_paid_search,
                  sum(cost) FILTER (WHERE channel = 'paid_social') AS spend_paid_social,
                  sum(cost) FILTER (WHERE channel = 'events') AS spend_events,
                  sum(cost) FILTER (WHERE channel NOT IN ('paid_search', 'paid_social', 'events')) AS spend_other_channels
           FROM spend GROUP BY 1),
    mq AS (SELECT {month('became_mql_at')} AS period, count(*) AS mqls,
                  count(*) FILTER (WHERE became_sql_at IS NOT NULL AND became_sql_at >= became_mql_at
                                   AND epoch_us(became_sql_at) - epoch_us(became_mql_at) <= 90 * 86400000000) AS sql_hits
           FROM contacts WHERE became_mql_at IS NOT NULL GROUP BY 1),
    ld AS (SELECT {month('became_lead_at')} AS period, count(*) AS leads FROM contacts WHERE became_lead_at IS NOT NULL GROUP BY 1),
    -- Distinct sessions per month as two GROUP BYs: 2.4× faster in DuckDB than COUNT(DISTINCT).
    ws AS (SELECT {dmonth('event_date')} AS period, session_id, bool_or(is_key_event) AS key FROM web_events GROUP BY 1, 2),
    we AS (SELECT period, count(*) AS sessions, count(*) FILTER (WHERE key) AS key_sessions FROM ws GROUP BY 1)
    SELECT months.period, won_revenue, won_deals, closed_deals,
           won_deals / closed_deals AS win_rate, won_revenue / won_deals AS avg_deal_size,
           marketing_spend / new_customers AS cac, marketing_spend, spend_paid_search, spend_paid_social,
           spend_events, spend_other_channels, new_customers,
           marketing_sourced_pipeline / pipeline_created AS marketing_sourced_pipeline_share,
           marketing_sourced_pipeline, pipeline_created, opportunities,
           pipeline_created / opportunities AS avg_opportunity_size, mqls, leads, sessions,
           key_sessions / sessions AS web_conversion_rate, sql_hits / mqls AS mql_to_sql_rate
    FROM months LEFT JOIN won USING (period) LEFT JOIN closed USING (period) LEFT JOIN created USING (period)
         LEFT JOIN newc USING (period) LEFT JOIN sp USING (period) LEFT JOIN mq USING (period)
         LEFT JOIN ld USING (period) LEFT JOIN we USING (period)
    ORDER BY 1"""
    started = time.perf_counter()
    result = con.execute(sql)
    columns = [d[0] for d in result.description]
    rows = result.fetchall()
    seconds = time.perf_counter() - started
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kpi", "period", "value"])
        for row in rows:
            for name, value in zip(columns[1:], row[1:]):
                w.writerow([name, row[0], "" if value is None else repr(float(value))])
    print(f"{seconds:.3f}")


def compare(ours, theirs):
    def load(path):
        with open(path) as f:
            return {(r["kpi"], r["period"]): r["value"] for r in csv.DictReader(f)}

    a, b = load(ours), load(theirs)
    checked = mismatched = 0
    for key, want in b.items():
        got = a.get(key)
        if got is None:
            print(f"missing in Utfall: {key}")
            mismatched += 1
            continue
        checked += 1
        if want == "" or got == "":
            if want != got:
                print(f"{key}: Utfall {got!r}, DuckDB {want!r}")
                mismatched += 1
            continue
        x, y = float(got), float(want)
        if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
            print(f"{key}: Utfall {x}, DuckDB {y}")
            mismatched += 1
    print(f"{checked} values compared, {mismatched} differ")
    sys.exit(1 if mismatched else 0)


if __name__ == "__main__":
    {"generate": lambda: generate(sys.argv[2], int(sys.argv[3])),
     "reference": lambda: reference(sys.argv[2], sys.argv[3]),
     "compare": lambda: compare(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
