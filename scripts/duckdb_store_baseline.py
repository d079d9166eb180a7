#!/usr/bin/env python3
"""DuckDB baseline for the store benchmark (issue 2).

Does what `store-bench` does to Corridor's store, with DuckDB, on the same Parquet file:
loads it into a fresh database file, reports load throughput and bytes per read, then
times one plate's history (exact) for the same plates, in the same order.

Usage: duckdb_store_baseline.py INPUT.parquet PLATES.txt WORK_DIR
PLATES.txt holds one `PLATE,COUNTRY` per line (COUNTRY may be empty).
Prints one JSON object on stdout.
"""

import json
import os
import statistics
import sys
import time

import duckdb


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    parquet_path, plates_path, work_dir = sys.argv[1:]
    os.makedirs(work_dir, exist_ok=True)
    db_path = os.path.join(work_dir, "baseline.duckdb")
    for stale in (db_path, db_path + ".wal"):
        if os.path.exists(stale):
            os.remove(stale)
    con = duckdb.connect(db_path)
    started = time.perf_counter()
    con.execute(f"CREATE TABLE reads AS SELECT * FROM read_parquet('{parquet_path}')")
    con.execute("CHECKPOINT")
    load_s = time.perf_counter() - started
    n_reads = con.execute("SELECT count(*) FROM reads").fetchone()[0]
    con.close()
    db_bytes = sum(
        os.path.getsize(path) for path in (db_path, db_path + ".wal") if os.path.exists(path)
    )
    con = duckdb.connect(db_path, read_only=True)
    with open(plates_path) as plates_file:
        plates = [line.rstrip("\n").split(",", 1) for line in plates_file if line.strip()]
    latencies_ms = []
    n_rows = 0
    for plate, country in plates:
        started = time.perf_counter()
        if country:
            rows = con.execute(
                "SELECT * FROM reads WHERE plate = ? AND country = ? ORDER BY ts",
                [plate, country],
            ).fetchall()
        else:
            rows = con.execute(
                "SELECT * FROM reads WHERE plate = ? ORDER BY ts", [plate]
            ).fetchall()
        latencies_ms.append((time.perf_counter() - started) * 1000.0)
        n_rows += len(rows)
    latencies_ms.sort()
    print(
        json.dumps(
            {
                "duckdb_version": duckdb.__version__,
                "n_reads": n_reads,
                "load_s": load_s,
                "load_reads_per_s": n_reads / load_s if load_s > 0 else None,
                "db_bytes": db_bytes,
                "bytes_per_read": db_bytes / n_reads if n_reads else None,
                "n_lookups": len(plates),
                "n_rows_returned": n_rows,
                "history_p50_ms": percentile(latencies_ms, 0.50),
                "history_p99_ms": percentile(latencies_ms, 0.99),
                "history_mean_ms": statistics.fmean(latencies_ms) if latencies_ms else None,
            }
        )
    )


if __name__ == "__main__":
    main()
