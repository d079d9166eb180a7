#!/usr/bin/env python3
"""Scores a `corridor analyse` report against a simulator scenario's truth.json.

Hubs, convoy pairs, clones and ranked precision at k, by the rules of
crates/analytics/src/eval.rs (which `analytics-eval` applies to scenarios it generates
itself); for scenarios too large for that harness (10M reads and more), imported into a
store and analysed with the CLI. Needs DuckDB (`pip install duckdb`) to read the plates
of the planted convoys' reads from the scenario's reads.parquet.

    scripts/score_report.py --truth DIR/truth.json --reads DIR/reads.parquet --report R.json
"""

import argparse
import json
import math

HUB_MATCH_M = 2000.0
EARTH_RADIUS_M = 6_371_008.8


def great_circle_m(lat_a, lon_a, lat_b, lon_b):
    phi_a, phi_b = math.radians(lat_a), math.radians(lat_b)
    d_phi, d_lambda = phi_b - phi_a, math.radians(lon_b - lon_a)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi_a) * math.cos(phi_b) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def ratio(hits, total):
    return None if total == 0 else hits / total


def truth_convoy_pairs(truth, reads_parquet):
    import duckdb

    occasions = [o for c in truth["convoys"] for o in c["occasions"] if o["camera_ids"]]
    ids = sorted({i for o in occasions for i in o["read_ids"]})
    con = duckdb.connect()
    con.execute("CREATE TABLE ids(id VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [(i,) for i in ids])
    plate_of = dict(
        con.execute(
            "SELECT read_id, plate FROM read_parquet(?) JOIN ids ON read_id = id", [reads_parquet]
        ).fetchall()
    )
    vehicle_of = {p["plate"]: p["vehicle_id"] for p in truth["network_plates"]}
    pairs = set()
    for occasion in occasions:
        plates = sorted({plate_of[i] for i in occasion["read_ids"] if plate_of.get(i) in vehicle_of})
        for idx, a in enumerate(plates):
            for b in plates[idx + 1 :]:
                if vehicle_of[a] != vehicle_of[b]:
                    pairs.add((a, b))
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truth", required=True)
    parser.add_argument("--reads", required=True, help="the scenario's reads.parquet")
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    truth = json.load(open(args.truth))
    report = json.load(open(args.report))

    visited = {v["hub_id"] for v in truth["hub_visits"]}
    planted_hubs = [(h["lat"], h["lon"]) for h in truth["hubs"] if h["id"] in visited]
    reported_hubs = [(h["lat"], h["lon"]) for h in report["hubs"]]
    near = lambda a, b: great_circle_m(a[0], a[1], b[0], b[1]) <= HUB_MATCH_M
    hubs = (
        ratio(sum(any(near(r, p) for p in planted_hubs) for r in reported_hubs), len(reported_hubs)),
        ratio(sum(any(near(r, p) for r in reported_hubs) for p in planted_hubs), len(planted_hubs)),
    )

    planted_pairs = truth_convoy_pairs(truth, args.reads)
    reported_pairs = {tuple(sorted(c["plates"][:2])) for c in report["convoys"]}
    hits = len(reported_pairs & planted_pairs)
    convoys = (ratio(hits, len(reported_pairs)), ratio(hits, len(planted_pairs)))

    planted_clones = {
        c["plate"]["plate"]
        for c in truth["clones"]
        if c["cloner"]["read_ids"] and c["innocent"]["read_ids"]
    }
    reported_clones = {c["plate"] for c in report["clones"] if c["kind"] != "swap"}
    hits = len(reported_clones & planted_clones)
    clones = (ratio(hits, len(reported_clones)), ratio(hits, len(planted_clones)))

    network = {p["plate"] for p in truth["network_plates"]}
    top = [v["plate"] for v in report["ranked_vehicles"]][: len(network)]
    p_at_k = ratio(sum(p in network for p in top), len(network))

    f = lambda v: "-" if v is None else f"{v:.2f}"
    print("| hubs P / R | convoys P / R | clones P / R | P@k (k) |")
    print("| --- | --- | --- | --- |")
    print(
        f"| {f(hubs[0])} / {f(hubs[1])} ({len(reported_hubs)} reported) "
        f"| {f(convoys[0])} / {f(convoys[1])} ({len(reported_pairs)} reported, {len(planted_pairs)} planted) "
        f"| {f(clones[0])} / {f(clones[1])} | {f(p_at_k)} ({len(network)}) |"
    )


if __name__ == "__main__":
    main()
