"""The README's benchmark table from a bench/run.sh record.

usage: python3 bench/readme_table.py [bench/results/latest.json]
One row per workload: nlroute on Deno and Bun, the peers (median, seconds or ms), and each
nlroute figure as a ratio to the best peer; then the goals of issue 8, met or missed.
"""
import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json"
rec = json.load(open(path))
rows = {}
for r in rec["results"]:
    rows.setdefault(r["workload"], []).append(r)


def val(r):
    if "median" not in r:
        return r["status"]
    v = r["median"]
    s = f"{v:.2f} ms" if r["unit"] in ("ms", "ms/cycle") else (f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s")
    if r["key"] == "events" and "count_min" in r and r["count_min"] != r.get("count_max"):
        s += f" ({r['count_min']:,}–{r['count_max']:,} received)"
    elif r["key"] == "events" and "count_min" in r:
        s += f" ({r['count_min']:,} received)"
    return s


print("| workload | nlroute Deno | nlroute Bun | peers (median) |")
print("|---|---|---|---|")
for w, rs in rows.items():
    cells = []
    for rt in ("nlroute-deno", "nlroute-bun"):
        r = next((x for x in rs if x["peer"] == rt), None)
        if r is None:
            cells.append("–")
            continue
        ratio = r.get("ratio_to_best_peer")
        cells.append(val(r) + (f" ({ratio:.2f}× {r['best_peer']})" if ratio is not None else ""))
    peers = [x for x in rs if not x["peer"].startswith("nlroute") and x["peer"] != "setup"]
    extra = [x for x in rs if x["peer"] == "nlroute-compiled"]
    ptxt = "; ".join(f"{x['peer']} {val(x)}" for x in extra + peers)
    print(f"| {w} | {cells[0]} | {cells[1]} | {ptxt} |")
print()
for g in rec["goals"]:
    v = g.get("value")
    miss = f", missed by {g['missed_by']}" if "missed_by" in g else ""
    print(f"- **{g['status']}** — {g['goal']}: {v if v is not None else '–'} (limit {g['limit']}){miss}")
m = rec["machine"]
print(f"\n{rec['date']}, {m['cpu']} ({m['cpus']} CPUs), Linux {m['kernel']}, load average {m.get('loadavg_start', '?')} at start;"
      f" {rec['versions'].get('deno', '')}, bun {rec['versions'].get('bun', '')}, nlroute {rec['versions'].get('nlroute_commit', '')}.")
