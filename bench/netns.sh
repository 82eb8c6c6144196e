#!/usr/bin/env bash
# Namespace cycle benchmark, nlroute next to its peers in ONE run: per cycle create a namespace,
# open an RTNL socket inside it, dump its links, close, remove.
#   nlroute on Deno and Bun:  bench/netns.ts (BENCH_NETNS_CYCLES cycles, default 1000)
#   pyroute2 and `ip netns`:  ../shared/peers/pyroute2_netns.py (BENCH_NETNS_PEER_CYCLES, default
#                             200: pyroute2 forks a helper per NetNS, ip runs 3 processes a cycle)
# Rounds (BENCH_RUNS, default 3) run every peer once each, so load from other work on a shared
# machine hits all alike; the table shows the median and the range of ms per cycle, and the ratio
# to nlroute on Deno; for nlroute also the CPU time of its own process per cycle (the kernel's
# deferred clean-up of each namespace runs elsewhere and competes for the same CPUs).
# Needs root; touches only namespaces it creates (nlb-*, pb*, ib*).
set -u
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/peers}
RUNS=${BENCH_RUNS:-3}
CYCLES=${BENCH_NETNS_CYCLES:-1000}
PEER_CYCLES=${BENCH_NETNS_PEER_CYCLES:-200}
PY=/usr/bin/python3
bin=node_modules/.bin
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT

# field LINE KEY: value of KEY=value in LINE
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<" $1"; }
rec() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$raw"; }

for ((r = 1; r <= RUNS; r++)); do
  echo "round $r/$RUNS" >&2
  for rt in deno bun; do
    if [ "$rt" = deno ]; then out=$("$bin/deno" run -A bench/netns.ts "$CYCLES" 2>&1); else out=$("$bin/bun" bench/netns.ts "$CYCLES" 2>&1); fi
    line=$(tail -n 1 <<<"$out")
    ms=$(field "$line" ms_per_cycle)
    if [ -n "$ms" ]; then rec "nlroute-$rt" "$ms" "$(field "$line" cpu_ms_per_cycle)"; else echo "nlroute-$rt failed: $line" >&2; rec "nlroute-$rt" error; fi
  done
  if [ -x "$PY" ] && "$PY" -c 'import pyroute2' 2>/dev/null; then
    out=$("$PY" "$PEERS/pyroute2_netns.py" "$PEER_CYCLES" 2>&1)
    for peer in pyroute2 iproute2; do
      ms=$(field "$(grep "^$peer " <<<"$out" | tail -n 1)" per_cycle_ms)
      if [ -n "$ms" ]; then rec "$peer" "$ms"; else echo "$peer failed: $(tail -n 1 <<<"$out")" >&2; rec "$peer" error; fi
    done
  else
    rec pyroute2 missing; rec iproute2 missing
  fi
done

echo
echo "netns cycle: create + open RTNL socket inside + dump links + remove (ms per cycle, $RUNS rounds)"
"$PY" - "$raw" "$CYCLES" "$PEER_CYCLES" <<'PYEOF'
import statistics, sys
rows, cpus = {}, {}
for line in open(sys.argv[1]):
    peer, v, cpu = line.rstrip("\n").split("\t")
    rows.setdefault(peer, []).append(v)
    if cpu:
        cpus.setdefault(peer, []).append(float(cpu))
order = ["nlroute-deno", "nlroute-bun", "pyroute2", "iproute2"]
cycles = {"nlroute-deno": sys.argv[2], "nlroute-bun": sys.argv[2]}
nums = {p: [float(v) for v in vs if v not in ("error", "missing")] for p, vs in rows.items()}
base = statistics.median(nums["nlroute-deno"]) if nums.get("nlroute-deno") else None
print(f"{'peer':<14} {'cycles':>7} {'median':>8} {'min':>8} {'max':>8} {'vs nlroute-deno':>16} {'cpu (own process)':>18}")
for p in order:
    vs = nums.get(p, [])
    if not vs:
        print(f"{p:<14} {'-':>7} {(rows.get(p) or ['missing'])[-1]:>8}")
        continue
    med = statistics.median(vs)
    ratio = f"{med / base:.1f}x" if base else "-"
    cpu = f"{statistics.median(cpus[p]):.3f}" if p in cpus else "-"
    print(f"{p:<14} {cycles.get(p, sys.argv[3]):>7} {med:>8.3f} {min(vs):>8.3f} {max(vs):>8.3f} {ratio:>16} {cpu:>18}")
PYEOF
