#!/usr/bin/env bash
# Event burst benchmark, side by side in one run: `ip -batch` adds N routes in another process
# while the listener counts RTM_NEWROUTE events. Listeners: nlroute on Deno and on Bun
# (bench/events.ts), Go vishvananda/netlink (gonl events) and pyroute2 (pyroute2_events.py).
# Every process gets a fresh network namespace (veth bv0/bv1, 10.255.0.1/16 on bv0), never the
# host's. Rounds alternate the listeners so that load from other work hits all of them alike.
#
#   bash bench/events.sh [N]        (root; N = 20000)
#
# Environment: BENCH_RUNS=3  BENCH_TIMEOUT=60 (s per process)  PEERS=dir (default ../shared/peers)
# Prints one line per process, then a table: received (min over runs) and seconds (median, min, max).
set -u
cd "$(dirname "$0")/.."
n=${1:-20000}
runs=${BENCH_RUNS:-3}
timeout_s=${BENCH_TIMEOUT:-60}
peers=${PEERS:-../shared/peers}
bin=node_modules/.bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=$tmp/raw.tsv
: >"$raw"

gobin=$tmp/gonl-bench
if ! (cd "$peers/gonl" && GO111MODULE=off GOPATH=/usr/share/gocode go build -o "$gobin" . 2>"$tmp/go-build.log"); then
  echo "go peer: build failed: $(tail -n 1 "$tmp/go-build.log")"
  gobin=
fi

# field LINE KEY: value of KEY=value in a line
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<" $1"; }

# record IMPL LINE: keep received/seconds of one process (or the error)
record() {
  local impl=$1 line=$2 rc=$3
  local received seconds
  received=$(field "$line" received)
  seconds=$(field "$line" seconds)
  echo "$impl: $line"
  if [ "$rc" -ne 0 ] || [ -z "$received" ] || [ -z "$seconds" ]; then
    printf '%s\terror\t\t%s\n' "$impl" "exit $rc: $(tr '\t' ' ' <<<"$line" | cut -c1-120)" >>"$raw"
  else
    # a run lost events when fewer than N arrived or the listener reported an error / overflow
    local lost=0 err ovf
    err=$(field "$line" error)$(field "$line" errors)
    ovf=$(field "$line" overflows)
    { [ "$received" -lt "$n" ] || { [ -n "$err" ] && [ "$err" != None ] && [ "$err" != 0 ]; } || { [ -n "$ovf" ] && [ "$ovf" != 0 ]; }; } && lost=1
    printf '%s\tok\t%s\t%s\t%s\n' "$impl" "$received" "$seconds" "$lost" >>"$raw"
  fi
}

# peer IMPL CMD...: run a peer in a fresh namespace set up like bench/events.ts does
peer() {
  local impl=$1 ns=nlb-ev-peer-$$ line rc; shift
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add bv0 type veth peer name bv1
  ip -n "$ns" addr add 10.255.0.1/16 dev bv0
  ip -n "$ns" link set bv0 up
  ip -n "$ns" link set bv1 up
  line=$(timeout -k 5 "$timeout_s" ip netns exec "$ns" "$@" 2>"$tmp/err" | tail -n 1)
  rc=${PIPESTATUS[0]}
  [ -z "$line" ] && line=$(tail -n 1 "$tmp/err")
  ip netns del "$ns"
  record "$impl" "$line" "$rc"
}

# the batch file gonl reads (pyroute2_events.py writes the same one itself)
write_batch() {
  /usr/bin/python3 - "$n" >/tmp/ev.batch <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print(f"route add 10.203.{(i>>8)&255}.{i&255}/32 via 10.255.0.2 dev bv0")
PY
}

for run in $(seq 1 "$runs"); do
  echo "--- round $run of $runs, N=$n"
  line=$(timeout -k 5 "$timeout_s" "$bin/deno" run -A bench/events.ts "$n" 2>"$tmp/err" | tail -n 1); rc=${PIPESTATUS[0]}
  [ -z "$line" ] && line=$(tail -n 1 "$tmp/err")
  record nlroute-deno "$line" "$rc"
  line=$(timeout -k 5 "$timeout_s" "$bin/bun" bench/events.ts "$n" 2>"$tmp/err" | tail -n 1); rc=${PIPESTATUS[0]}
  [ -z "$line" ] && line=$(tail -n 1 "$tmp/err")
  record nlroute-bun "$line" "$rc"
  if [ -n "$gobin" ]; then
    write_batch
    peer go-vishvananda "$gobin" events "$n"
  else
    printf 'go-vishvananda\terror\t\tbuild failed\n' >>"$raw"
  fi
  peer pyroute2 /usr/bin/python3 "$peers/pyroute2_events.py" "$n"
done

echo
/usr/bin/python3 - "$raw" "$n" <<'PY'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
order = ["nlroute-deno", "nlroute-bun", "go-vishvananda", "pyroute2"]
print(f"{'listener':<16} {'runs':>4} {'received (min)':>16} {'seconds median':>15} {'min':>8} {'max':>8}  note")
go = [float(r[3]) for r in rows if r[0] == "go-vishvananda" and r[1] == "ok"]
for impl in order:
    ok = [r for r in rows if r[0] == impl and r[1] == "ok"]
    bad = [r for r in rows if r[0] == impl and r[1] != "ok"]
    note = "; ".join(sorted({r[3] for r in bad}))
    if not ok:
        print(f"{impl:<16} {0:>4} {'-':>16} {'-':>15} {'-':>8} {'-':>8}  {note}")
        continue
    secs = [float(r[3]) for r in ok]
    recv = min(int(r[2]) for r in ok)
    med = statistics.median(secs)
    lost = sum(int(r[4]) for r in ok)
    if lost:
        note = (f"lost events (ENOBUFS) in {lost} of {len(ok)} runs; " + note).rstrip("; ")
    if go and impl != "go-vishvananda":
        note = (f"{med / statistics.median(go):.2f}x Go; " + note).rstrip("; ")
    print(f"{impl:<16} {len(ok):>4} {f'{recv}/{n}':>16} {med:>15.4f} {min(secs):>8.4f} {max(secs):>8.4f}  {note}")
PY
