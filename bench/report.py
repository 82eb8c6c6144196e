"""Turn bench/run.sh's raw samples into the table on stdout and the JSON record.

usage: report.py RAW.tsv VERSIONS.tsv OUT.json RUNS
RAW.tsv rows: N, peer, status (ok|error|missing|skipped), seconds, routes, note.
"""
import datetime
import json
import os
import platform
import statistics
import sys

raw_path, versions_path, out_path, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

ORDER = [
    "C floor", "Go vishvananda", "pyroute2", "ip -j + json.load", "ip -j (no parse)", "ip (text)",
    "nlroute-deno", "nlroute-deno (cold)", "nlroute-bun", "nlroute-bun (cold)", "setup",
]

groups = {}  # (n, peer) -> {samples, routes, errors, status}
for line in open(raw_path):
    parts = line.rstrip("\n").split("\t")
    if len(parts) < 6:
        continue
    n, peer, status, seconds, routes, note = parts[:6]
    g = groups.setdefault((int(n), peer), {"samples": [], "routes": None, "problems": [], "status": "ok"})
    if status == "ok":
        try:
            g["samples"].append(float(seconds))
        except ValueError:
            g["problems"].append(f"bad number {seconds!r}")
        if routes:
            g["routes"] = int(routes)
    else:
        g["status"] = status if not g["samples"] else "partial"
        g["problems"].append(note)

results = []
for (n, peer), g in sorted(groups.items(), key=lambda kv: (kv[0][0], ORDER.index(kv[0][1]) if kv[0][1] in ORDER else 99)):
    s = g["samples"]
    r = {"workload": f"dump {n} IPv4 routes", "n": n, "peer": peer, "status": g["status"], "routes": g["routes"],
         "samples": s, "runs": len(s)}
    if s:
        r.update(median=statistics.median(s), min=min(s), max=max(s))
    if g["problems"]:
        r["error"] = "; ".join(dict.fromkeys(p for p in g["problems"] if p))
    results.append(r)

by = {(r["n"], r["peer"]): r for r in results}
for r in results:
    for ref, key in (("Go vishvananda", "ratio_to_go"), ("C floor", "ratio_to_floor")):
        b = by.get((r["n"], ref))
        r[key] = r["median"] / b["median"] if "median" in r and b and b.get("median") else None


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


versions = {}
for line in open(versions_path):
    k, _, v = line.rstrip("\n").partition("\t")
    versions[k] = v
load = {k: versions.pop(k) for k in list(versions) if k.startswith("loadavg")}

record = {
    "benchmark": "route dump: dump + parse IPv4 routes, every route's dst read (bench/run.sh)",
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu": cpu_model(), "arch": platform.machine(), **load},
    "versions": versions,
    "method": {
        "runs_per_peer": runs,
        "namespace": "one fresh unshare -n namespace per N, set up by shared/peers/setup_routes.sh N; all peers run in it one after the other",
        "peers": "one dump per process, timed inside the process (the peers' own scripts), BENCH_RUNS processes",
        "nlroute": "BENCH_RUNS processes of bench/dump_routes.ts, each 1 cold dump (row '(cold)') + BENCH_RUNS warm dumps (row without suffix); socket already open; getRoutes({family: 2}) + get('dst') on every route",
        "ip -j + json.load": "as iproute2_bench.sh measures it: ip -j piped into python3 json.load, including interpreter start-up",
        "routes": "nlroute and pyroute2 dump every table (main + local); Go, ip and the C floor count main table only (Go, ip) or every message (floor)",
    },
    "results": results,
}
with open(out_path, "w") as f:
    json.dump(record, f, indent=2)
    f.write("\n")


def fmt(x, spec="{:.4f}"):
    return spec.format(x) if x is not None else "–"


header = ["workload", "peer", "median s", "min s", "max s", "× Go", "× C floor", "runs", "note"]
rows = []
for r in results:
    rows.append([
        r["workload"], r["peer"], fmt(r.get("median")), fmt(r.get("min")), fmt(r.get("max")),
        fmt(r["ratio_to_go"], "{:.2f}"), fmt(r["ratio_to_floor"], "{:.2f}"), str(r["runs"]),
        (r["status"] + ": " + r.get("error", "")) if r["status"] != "ok" else "",
    ])
widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
print(f"\n{record['date']}  {record['machine']['cpu']}, {record['machine']['cpus']} cpus, Linux {record['machine']['kernel']}  → {out_path}")
