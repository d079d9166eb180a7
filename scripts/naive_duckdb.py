#!/usr/bin/env python3
"""The naive SQL baseline for `analytics-eval`: what ANPR products do, in DuckDB.

Fixed-window co-occurrence counting for convoys, a fixed speed threshold for clones, the
most frequent stop cameras for hubs, the most frequent camera sequences for routes, and
co-occurrence counts with the seeds for ranking. Writes a report JSON shaped like
`corridor analyse`'s (only the fields the scorer reads) plus each query's time.

Usage: naive_duckdb.py READS.parquet CAMERAS.csv OUT.json [SEED,SEED,...]
Exit code 3 when the duckdb module is not installed.
"""

import json
import sys
import time

try:
    import duckdb
except ImportError:
    sys.stderr.write("duckdb is not installed (pip install duckdb); skipping the naive baseline\n")
    sys.exit(3)

WINDOW_SECS = 60
CO_OCCURRENCES_MIN = 3
SPEED_KMH_MAX = 150
STOP_SECS_MIN = 3600
TOP_HUBS = 10
TOP_ROUTES = 20


def timed(timings, name, con, sql, params=None):
    start = time.perf_counter()
    rows = con.execute(sql, params or []).fetchall()
    timings[name] = round(time.perf_counter() - start, 3)
    return rows


def main():
    reads, cameras, out = sys.argv[1], sys.argv[2], sys.argv[3]
    seeds = [s for s in (sys.argv[4].split(",") if len(sys.argv) > 4 else []) if s]
    con = duckdb.connect()
    timings = {}
    start = time.perf_counter()
    con.execute(f"CREATE TABLE reads AS SELECT plate, camera_id, epoch_us(ts) AS ts FROM read_parquet('{reads}')")
    con.execute(f"CREATE TABLE cameras AS SELECT camera_id, lat, lon FROM read_csv_auto('{cameras}')")
    timings["load"] = round(time.perf_counter() - start, 3)

    window_us = WINDOW_SECS * 1_000_000
    # The window join as an equi-join on (camera, time bucket of the window's width), each
    # read of `a` looking in its own bucket and the two beside it: a join on the camera
    # alone with a range condition compares every pair of reads of a camera (hours at
    # 10M reads); this gives the same pairs.
    convoy_sql = f"""
        WITH a AS (
          SELECT plate, camera_id, ts, ts // {window_us} + d AS bucket
          FROM reads, (VALUES (-1), (0), (1)) AS shift(d)),
        b AS (SELECT plate, camera_id, ts, ts // {window_us} AS bucket FROM reads)
        SELECT a.plate, b.plate, count(*) AS n
        FROM a JOIN b
          ON a.camera_id = b.camera_id AND a.bucket = b.bucket AND a.plate < b.plate
         AND b.ts BETWEEN a.ts - {window_us} AND a.ts + {window_us}
        GROUP BY 1, 2 HAVING count(*) >= {CO_OCCURRENCES_MIN}"""
    convoys = timed(timings, "convoy_discovery", con, convoy_sql)

    seed_list = ",".join("'" + s.replace("'", "") + "'" for s in seeds) or "''"
    targeted_sql = f"""
        WITH a AS (
          SELECT plate, camera_id, ts, ts // {window_us} + d AS bucket
          FROM reads, (VALUES (-1), (0), (1)) AS shift(d)
          WHERE plate IN ({seed_list})),
        b AS (SELECT plate, camera_id, ts, ts // {window_us} AS bucket FROM reads)
        SELECT b.plate, count(*) AS n
        FROM a JOIN b
          ON a.camera_id = b.camera_id AND a.bucket = b.bucket AND a.plate <> b.plate
         AND b.ts BETWEEN a.ts - {window_us} AND a.ts + {window_us}
        GROUP BY 1 ORDER BY n DESC"""
    targeted = timed(timings, "convoy_targeted", con, targeted_sql)

    clone_sql = f"""
        WITH hops AS (
          SELECT r.plate, c.lat, c.lon, r.ts,
                 lag(c.lat) OVER w AS plat, lag(c.lon) OVER w AS plon, lag(r.ts) OVER w AS pts
          FROM reads r JOIN cameras c USING (camera_id)
          WINDOW w AS (PARTITION BY r.plate ORDER BY r.ts))
        SELECT DISTINCT plate FROM hops
        WHERE pts IS NOT NULL AND ts > pts
          AND 2 * 6371 * asin(sqrt(pow(sin(radians(lat - plat) / 2), 2)
              + cos(radians(lat)) * cos(radians(plat)) * pow(sin(radians(lon - plon) / 2), 2)))
              / ((ts - pts) / 3.6e9) > {SPEED_KMH_MAX}"""
    clones = timed(timings, "clone_speed_check", con, clone_sql)

    stop_sql = f"""
        WITH g AS (
          SELECT plate, camera_id, ts, lead(ts) OVER (PARTITION BY plate ORDER BY ts) AS next_ts FROM reads)
        SELECT c.lat, c.lon, count(*) AS n
        FROM g JOIN cameras c USING (camera_id)
        WHERE next_ts - ts > {STOP_SECS_MIN * 1_000_000}
        GROUP BY c.lat, c.lon ORDER BY n DESC LIMIT {TOP_HUBS}"""
    hubs = timed(timings, "stop_candidates", con, stop_sql)

    route_sql = f"""
        WITH g AS (
          SELECT plate, camera_id, ts,
                 CASE WHEN ts - lag(ts) OVER (PARTITION BY plate ORDER BY ts) > 1800000000 THEN 1 ELSE 0 END AS brk
          FROM reads),
        t AS (SELECT plate, camera_id, ts, sum(brk) OVER (PARTITION BY plate ORDER BY ts) AS trip FROM g),
        s AS (SELECT plate, trip, string_agg(camera_id, '|' ORDER BY ts) AS seq, count(*) AS n FROM t GROUP BY 1, 2)
        SELECT seq, count(*) AS trips FROM s WHERE n >= 3 GROUP BY seq ORDER BY trips DESC LIMIT {TOP_ROUTES}"""
    routes = timed(timings, "route_sequences", con, route_sql)

    report = {
        "convoys": [{"plates": [a, b], "score": n} for a, b, n in convoys],
        "clones": [{"plate": p, "kind": "impossible_journey"} for (p,) in clones],
        "hubs": [{"lat": lat, "lon": lon, "score": n} for lat, lon, n in hubs],
        "routes": [{"cameras": seq.split("|"), "score": n} for seq, n in routes],
        "ranked_vehicles": [{"plate": s, "score": 1e9} for s in seeds]
        + [{"plate": p, "score": n} for p, n in targeted if p not in seeds],
        "timings_s": timings,
    }
    with open(out, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
