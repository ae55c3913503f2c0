"""Import benchmark helpers (DuckDB from PyPI).

  import.py generate FILE ROWS    a web-events CSV in the shape of the canonical table
  import.py duckdb FILE OUT       DuckDB's COPY (SELECT * FROM read_csv(FILE)) TO OUT (Parquet)
"""
import sys
import time

import duckdb


def generate(path, rows):
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"""
        COPY (
          SELECT
            strftime(TIMESTAMP '2024-01-01' + INTERVAL (i * 3) SECOND, '%Y-%m-%dT%H:%M:%SZ') AS event_time,
            strftime(TIMESTAMP '2024-01-01' + INTERVAL (i * 3) SECOND, '%Y-%m-%d') AS event_date,
            ['page_view', 'session_start', 'scroll', 'generate_lead', 'click'][1 + (hash(i) % 5)::INT] AS event_name,
            (hash(i // 7) % 100000000)::VARCHAR || '.' || (1700000000 + (i // 7) % 50000000)::VARCHAR AS anonymous_id,
            CASE WHEN hash(i // 7) % 10 = 0 THEN 'p' || (hash(i // 7) % 200000)::VARCHAR END AS user_id,
            (hash(i // 7) % 100000000)::VARCHAR || '.' || (1700000000 + (i // 7))::VARCHAR AS session_id,
            'https://nordkraft.se/' || ['', 'produkter', 'kontakt', 'blogg/energi', 'priser'][1 + (hash(i + 1) % 5)::INT] AS page_location,
            CASE WHEN i % 3 = 0 THEN 'https://www.google.com/' END AS page_referrer,
            ['google', '(direct)', 'linkedin.com', 'newsletter', 'bing'][1 + (hash(i // 7) % 5)::INT] AS source,
            ['cpc', '(none)', 'social', 'email', 'organic'][1 + (hash(i // 7) % 5)::INT] AS medium,
            CASE WHEN hash(i // 7) % 2 = 0 THEN 'Kampanj ' || (hash(i // 7) % 40)::VARCHAR END AS campaign,
            NULL AS term,
            NULL AS content,
            ['paid_search', 'direct', 'organic_social', 'email', 'organic_search'][1 + (hash(i // 7) % 5)::INT] AS channel,
            (hash(i) % 50 = 0) AS is_key_event,
            CASE WHEN hash(i) % 50 = 0 THEN round((hash(i) % 100000) / 100.0, 2) END AS value,
            CASE WHEN hash(i) % 50 = 0 THEN 'SEK' END AS currency,
            ['desktop', 'mobile', 'tablet'][1 + (hash(i // 7) % 3)::INT] AS device_category,
            'Sweden' AS country
          FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)


def copy(path, out):
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    started = time.perf_counter()
    con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{out}' (FORMAT parquet)")
    elapsed = time.perf_counter() - started
    n = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
    print(f"{elapsed:.2f} {n}")


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "duckdb":
        copy(sys.argv[2], sys.argv[3])
