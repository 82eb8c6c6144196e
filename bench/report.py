"""Turn bench/run.sh's raw samples into the table and goal check on stdout and the JSON record.

usage: report.py RAW.tsv VERSIONS.tsv OUT.json RUNS ADDS EVENTS LINKS QUICK
RAW.tsv rows: workload, peer, status (ok|error|missing|skipped|summary), value, count, note.
A `summary` row carries a median computed by the workload's own script (cold_start.sh), with
"min=.. max=.." in the note.
"""
import datetime
import json
import os
import platform
import re
import statistics
import sys

raw_path, versions_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
runs, adds, events, links, quick = (int(x) for x in sys.argv[4:9])

PEER_ORDER = [
    "C floor", "Go vishvananda", "pyroute2", "ip -batch", "ip -j + json.load", "ip -j (no parse)", "ip (text)",
    "ip -d -j link", "ip netns (3 commands)", "ip link", "ip -j link",
    "nlroute-compiled", "nlroute-deno", "nlroute-deno (cold)", "nlroute-bun", "nlroute-bun (cold)", "setup",
]


def meta(w):
    """Title, unit and the workload whose peers are the reference (ratio to the best of them)."""
    if w.startswith("dump "):
        return f"1. dump + parse {int(w[5:]):,} IPv4 routes", "s", w
    return {
        "add": (f"2. {adds:,} sequential acked route adds", "s", "add"),
        "batch": (f"3. {adds:,} route adds pipelined (ipr.batch)", "s", "add"),
        "events": (f"4. {events:,}-route event burst", "s", "events"),
        "netns": ("5. netns create + open + dump links + remove", "ms/cycle", "netns"),
        "cold": ("6. cold start to first getLinks()", "ms", "cold"),
        "links": (f"7. dump {links:,} links, every attribute decoded", "s", "links"),
    }.get(w, (w, "s", w))


def workload_order(w):
    if w.startswith("dump "):
        return (1, int(w[5:]))
    return ({"add": 2, "batch": 3, "events": 4, "netns": 5, "cold": 6, "links": 7}.get(w, 9), 0)


groups = {}  # (workload, peer) -> record
for line in open(raw_path):
    parts = line.rstrip("\n").split("\t")
    if len(parts) < 6:
        continue
    w, peer, status, value, count, note = parts[:6]
    g = groups.setdefault((w, peer), {"samples": [], "counts": [], "problems": [], "status": "ok", "summary": None})
    if status in ("ok", "summary"):
        try:
            v = float(value)
        except ValueError:
            g["problems"].append(f"bad number {value!r}")
            continue
        if status == "summary":
            m = dict(re.findall(r"(\w+)=([\d.]+)", note))
            g["summary"] = {"median": v, "min": float(m.get("min", v)), "max": float(m.get("max", v)), "runs": int(count or 0)}
        else:
            g["samples"].append(v)
        if count:
            try:
                g["counts"].append(int(float(count)))
            except ValueError:
                pass
    else:
        g["status"] = status if not g["samples"] else "partial"
        g["problems"].append(note)

results = []
for (w, peer), g in sorted(groups.items(), key=lambda kv: (workload_order(kv[0][0]), PEER_ORDER.index(kv[0][1]) if kv[0][1] in PEER_ORDER else 99)):
    title, unit, _ = meta(w)
    s = g["samples"]
    r = {"workload": title, "key": w, "peer": peer, "unit": unit, "status": g["status"], "samples": s, "runs": len(s)}
    if g["counts"]:
        r["count_min"] = min(g["counts"])
        r["count_max"] = max(g["counts"])
    if s:
        r.update(median=statistics.median(s), min=min(s), max=max(s))
    elif g["summary"]:
        r.update(g["summary"])
        r["note"] = "median/min/max as computed by bench/cold_start.sh"
    if g["problems"]:
        r["error"] = "; ".join(dict.fromkeys(p for p in g["problems"] if p))
    results.append(r)


def is_nlroute(peer):
    return peer.startswith("nlroute")


def is_peer(r):
    return not is_nlroute(r["peer"]) and r["peer"] not in ("C floor", "setup") and "median" in r


by = {(r["key"], r["peer"]): r for r in results}
for r in results:
    _, _, ref = meta(r["key"])
    peers = [p for p in results if p["key"] == ref and is_peer(p)]
    # event bursts: only peers that received everything count as the reference
    if ref == "events":
        peers = [p for p in peers if p.get("count_min") == events]
    best = min(peers, key=lambda p: p["median"]) if peers else None
    r["best_peer"] = best["peer"] if best else None
    r["ratio_to_best_peer"] = r["median"] / best["median"] if best and "median" in r and best["median"] else None
    if r["key"].startswith("dump "):
        for ref_peer, key in (("Go vishvananda", "ratio_to_go"), ("C floor", "ratio_to_floor")):
            b = by.get((r["key"], ref_peer))
            r[key] = r["median"] / b["median"] if "median" in r and b and b.get("median") else None


# ------------------------------------------------------------------------------ goals of issue 8
def med(key, peer):
    r = by.get((key, peer))
    return r.get("median") if r else None


def goal(name, value, limit, unit="×", lower_is_better=True, why=""):
    if value is None:
        return {"goal": name, "status": "not measured", "limit": limit}
    met = value <= limit if lower_is_better else value >= limit
    g = {"goal": name, "value": round(value, 4), "limit": limit, "status": "met" if met else "missed"}
    if not met:
        g["missed_by"] = f"{(value / limit - 1) * 100:.0f}%" if lower_is_better else f"{limit - value:g} short"
    return g


goals = []
dumps = sorted((r["key"] for r in results if r["key"].startswith("dump ")), key=lambda k: int(k[5:]))
if dumps:
    big = dumps[-1]
    for rt in ("nlroute-deno", "nlroute-bun"):
        m, go, fl = med(big, rt), med(big, "Go vishvananda"), med(big, "C floor")
        goals.append(goal(f"{big}: {rt} no slower than Go", m / go if m and go else None, 1.0))
        goals.append(goal(f"{big}: {rt} within 2.5× of the C floor", m / fl if m and fl else None, 2.5))
ipb = med("add", "ip -batch")
for rt in ("nlroute-deno", "nlroute-bun"):
    m = med("add", rt)
    goals.append(goal(f"sequential adds: {rt} within 1.2× of ip -batch", m / ipb if m and ipb else None, 1.2))
for rt in ("nlroute-deno", "nlroute-bun"):
    m = med("batch", rt)
    goals.append(goal(f"pipelined adds: {rt} at most 0.5× of ip -batch", m / ipb if m and ipb else None, 0.5))
for rt in ("nlroute-deno", "nlroute-bun"):
    r = by.get(("events", rt))
    got = r.get("count_min") if r else None
    goals.append(goal(f"event burst: {rt} receives {events:,}/{events:,} (fewest over runs)", got, events, unit="events", lower_is_better=False))
for rt in ("nlroute-deno", "nlroute-bun"):
    goals.append(goal(f"netns cycle: {rt} under 1 ms", med("netns", rt), 1.0, unit="ms"))
py = med("cold", "pyroute2")
for rt in ("nlroute-compiled", "nlroute-deno", "nlroute-bun"):
    m = med("cold", rt)
    goals.append(goal(f"cold start: {rt} under a quarter of pyroute2's", m / py if m and py else None, 0.25))


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
wall = versions.pop("wall_seconds", None)

record = {
    "benchmark": "issue 8: nlroute (Deno, Bun) and its peers on seven netlink workloads (bench/run.sh)",
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "quick": bool(quick),
    "machine": {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu": cpu_model(), "arch": platform.machine(), **load},
    "wall_seconds": float(wall) if wall else None,
    "versions": versions,
    "method": {
        "rounds": runs,
        "interleaving": "each round runs every peer once, so load from other work on a shared machine hits all peers alike",
        "dump": "one fresh unshare -n namespace per N (shared/peers/setup_routes.sh N); peers time one dump per process; nlroute processes (bench/dump_routes.ts) do 1 cold dump (row '(cold)') + RUNS warm dumps; getRoutes({family: 2}) + get('dst') on every route; the C floor reads bytes only",
        "add/batch": "a fresh namespace per process (setup_routes.sh 0); ip -batch of N 'route add' lines, Go RouteAdd loop, pyroute2 route('add') loop, nlroute bench/route_add.ts (awaited one by one) and bench/route_batch.ts (ipr.batch + commit); ratios against ip -batch",
        "events": "ip -batch adds N routes while the listener counts RTM_NEWROUTE; seconds until all arrived or ip exited; count = events received (fewest over runs in count_min)",
        "netns": "bench/netns.ts (netns.create, IPRoute inside, getLinks, close, remove) vs shared/peers/pyroute2_netns.py (pyroute2 NetNS, and ip netns add / ip -n link / ip netns del)",
        "cold": "bench/cold_start.sh: whole-process wall time from exec to exit of a program whose work is one link dump, medians of interleaved runs",
        "links": "one namespace with LINKS/2 veth pairs; nlroute bench/links.ts: getLinks() + toJSON() of every link (every attribute decoded); Go LinkList(); pyroute2 get_links() (eager parse); ip -d -j link show",
        "ratio_to_best_peer": "median / the smallest median among the non-nlroute peers of that workload (for 'batch' the peers of 'add'; the C floor is not a peer)",
    },
    "goals": goals,
    "results": results,
}
with open(out_path, "w") as f:
    json.dump(record, f, indent=2)
    f.write("\n")


def fmt(x, unit):
    if x is None:
        return "–"
    return f"{x:.2f}" if unit in ("ms", "ms/cycle") else f"{x:.4f}"


header = ["workload", "peer", "median", "min", "max", "unit", "runs", "× best peer", "note"]
rows = []
for r in results:
    note = ""
    if r["key"] == "events" and "count_min" in r:
        note = f"received {r['count_min']:,}" + (f"–{r['count_max']:,}" if r["count_max"] != r["count_min"] else "") + f" of {events:,}"
    if r["status"] != "ok":
        note = (note + "; " if note else "") + r["status"] + ": " + r.get("error", "")
    ratio = r.get("ratio_to_best_peer")
    rows.append([
        r["workload"], r["peer"], fmt(r.get("median"), r["unit"]), fmt(r.get("min"), r["unit"]), fmt(r.get("max"), r["unit"]),
        r["unit"], str(r.get("runs") or ""), f"{ratio:.2f} ({r['best_peer']})" if ratio is not None else "–", note[:110],
    ])
widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
print("\nGoals of issue 8 (ratios of medians from this run):")
for g in goals:
    val = g.get("value")
    detail = f"{val:g}" if val is not None else "–"
    extra = f", missed by {g['missed_by']}" if "missed_by" in g else ""
    print(f"  {g['status'].upper():12} {g['goal']}: {detail} (limit {g['limit']}){extra}")
m = record["machine"]
print(f"\n{record['date']}  {m['cpu']}, {m['cpus']} cpus, Linux {m['kernel']}, load {m.get('loadavg_start', '?')} → {m.get('loadavg_end', '?')}"
      f"{'  (BENCH_QUICK)' if quick else ''}  → {out_path}")
