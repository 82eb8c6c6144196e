#!/usr/bin/env bash
# npm run bench: nlroute (Deno and Bun) against its peers (shared/peers: C floor, Go
# vishvananda/netlink, pyroute2, iproute2) on the seven workloads of issue 8, in one run:
#   1 dump   dump + parse N IPv4 routes (BENCH_SIZES, default "10000 100000"), get("dst") on each
#   2 add    5,000 sequential acknowledged route adds (nlroute bench/route_add.ts, ip -batch, Go, pyroute2)
#   3 batch  the same 5,000 adds pipelined (bench/route_batch.ts: ipr.batch()); compared with ip -batch
#   4 events 20,000-route burst added by `ip -batch` while the listener counts RTM_NEWROUTE (bench/events.ts)
#   5 netns  create + open a socket inside + dump links + remove, per cycle (bench/netns.ts, pyroute2_netns.py)
#   6 cold   process start to first getLinks() result (bench/cold_start.sh: compiled CLI, deno, bun, pyroute2, ip)
#   7 links  dump of 1,000 links, every attribute decoded (bench/links.ts, Go LinkList, pyroute2, ip -d -j)
# Everything runs in fresh network namespaces (unshare -n, or namespaces the scripts create and
# remove), never the host's. Rounds run every peer once each, so load from other work on a shared
# machine hits all peers alike. A missing peer or script is reported (with how to install it) and
# the rest still runs.
# Prints a table (median, min, max, ratio to the best peer) and the goals of issue 8 (met or
# missed, by how much), and writes every sample to bench/results/latest.json (BENCH_OUT).
#
# Environment: BENCH_QUICK=1 (smoke run: 10k dump, 1,000 adds, 2,000 events, 2 rounds, fewer cycles)
#   BENCH_RUNS=5  BENCH_SIZES="10000 100000"  BENCH_ADDS=5000  BENCH_EVENTS=20000  BENCH_LINKS=1000
#   BENCH_NETNS_CYCLES=1000 (nlroute)  BENCH_NETNS_PEER_CYCLES=100 (pyroute2, ip)  BENCH_COLD_RUNS=11
#   BENCH_WORKLOADS="dump add batch events netns cold links"  BENCH_TIMEOUT=120 (s per process)
#   BENCH_FULL=1 (pyroute2 at 100k too)  PEERS=dir  BENCH_OUT=path
set -u

# field LINE KEY: value of KEY=value in a key=value line
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<" $1"; }
# rec WORKLOAD PEER STATUS VALUE COUNT NOTE
rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" >>"$RAW"; }
# run WORKLOAD PEER CMD...: one process with a timeout; sets $out (last stdout line) or records the error
run() {
  local w=$1 peer=$2; shift 2
  local err rc
  err=$(mktemp -p "$TMPD")
  out=$(timeout -k 5 "$TIMEOUT" "$@" 2>"$err")
  rc=$?
  out=$(tail -n 1 <<<"$out")
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    rec "$w" "$peer" error "" "" "timeout after ${TIMEOUT}s"; return 1
  elif [ "$rc" -ne 0 ] || [ -z "$out" ]; then
    rec "$w" "$peer" error "" "" "exit $rc: $(tail -n 1 "$err" | tr '\t' ' ' | cut -c1-160)"; return 1
  fi
  return 0
}
# one WORKLOAD PEER KEY COUNTKEY CMD...: one process, one sample (KEY=value)
one() {
  local w=$1 peer=$2 key=$3 ckey=$4 s; shift 4
  run "$w" "$peer" "$@" || return 1
  s=$(field "$out" "$key")
  if [ -z "$s" ]; then rec "$w" "$peer" error "" "" "unparsed output: $out"; return 1; fi
  rec "$w" "$peer" ok "$s" "$(field "$out" "$ckey")" ""
}
# multi WORKLOAD PEER COUNTKEY CMD...: one process = 1 cold + R warm samples (times=..., cold=...)
multi() {
  local w=$1 peer=$2 ckey=$3 count cold times t; shift 3
  run "$w" "$peer" "$@" || { rec "$w" "$peer (cold)" error "" "" "see $peer"; return 1; }
  count=$(field "$out" "$ckey"); cold=$(field "$out" cold); times=$(field "$out" times)
  if [ -z "$times" ] || [ -z "$cold" ]; then rec "$w" "$peer" error "" "" "unparsed output: $out"; return 1; fi
  for t in ${times//,/ }; do rec "$w" "$peer" ok "$t" "$count" ""; done
  rec "$w" "$peer (cold)" ok "$cold" "$count" ""
}
missing() { rec "$1" "$2" missing "" "" "$3"; }
in_host_netns() { [ "$(readlink /proc/self/ns/net)" = "$HOST_NETNS" ]; }

if [ "${1:-}" = "--inner" ]; then
  # ------------------------------------------------------ inside one namespace: dump and links
  w=$2
  in_host_netns && { echo "refusing to run in the host network namespace" >&2; exit 2; }
  declare -A on=()
  if [ "$w" = links ]; then
    ip link set lo up
    for ((i = 0; i < LINKS / 2; i++)); do echo "link add la$i type veth peer name lb$i"; done >"$TMPD/links.batch"
    if ! ip -batch "$TMPD/links.batch" >"$TMPD/setup.log" 2>&1; then rec "$w" setup error "" "" "ip -batch of veth pairs failed: $(tail -n 1 "$TMPD/setup.log")"; exit 0; fi
    echo "  namespace ready: $(ip -o link show | wc -l) links" >&2
    [ -x "$TMPD/gonl-bench" ] && on[go]=1 || missing "$w" "Go vishvananda" "$GO_MISSING"
    [ -z "$PY_MISSING" ] && on[py]=1 || missing "$w" pyroute2 "$PY_MISSING"
    [ -z "$IP_MISSING" ] && on[ip]=1 || missing "$w" "ip -d -j link" "$IP_MISSING"
    [ -n "$DENO_BIN" ] && on[deno]=1 || missing "$w" nlroute-deno "deno not found: npm install"
    [ -n "$BUN_BIN" ] && on[bun]=1 || missing "$w" nlroute-bun "bun not found: npm install"
    for ((round = 1; round <= RUNS; round++)); do
      echo "  round $round/$RUNS; load $(cut -d' ' -f1 /proc/loadavg)" >&2
      [ -n "${on[go]:-}" ] && { one "$w" "Go vishvananda" seconds links "$TMPD/gonl-bench" links 0 || unset 'on[go]'; }
      [ -n "${on[py]:-}" ] && { one "$w" pyroute2 seconds links "$PYTHON" "$PEERS/pyroute2_bench.py" links 0 || unset 'on[py]'; }
      [ -n "${on[ip]:-}" ] && { one "$w" "ip -d -j link" seconds links bash -c 's=$EPOCHREALTIME; ip -d -j link show >/dev/null || exit 1; e=$EPOCHREALTIME; echo "links=$(ip -o link show | wc -l) seconds=$(echo "$e - $s" | bc)"' || unset 'on[ip]'; }
      [ -n "${on[deno]:-}" ] && { multi "$w" nlroute-deno links "$DENO_BIN" run -A "$REPO/bench/links.ts" "$RUNS" || unset 'on[deno]'; }
      [ -n "${on[bun]:-}" ] && { multi "$w" nlroute-bun links "$BUN_BIN" "$REPO/bench/links.ts" "$RUNS" || unset 'on[bun]'; }
    done
    exit 0
  fi
  # dump N
  n=${w#dump }
  if ! bash "$TMPD/setup_routes.sh" "$n" >"$TMPD/setup.log" 2>&1; then
    rec "$w" setup error "" "" "setup_routes.sh failed: $(tail -n 1 "$TMPD/setup.log")"
    exit 0
  fi
  echo "  namespace ready: $(ip -4 route show table main | wc -l) routes in table main" >&2
  [ -x "$TMPD/floor" ] && on[floor]=1 || missing "$w" "C floor" "$FLOOR_MISSING"
  [ -x "$TMPD/gonl-bench" ] && on[go]=1 || missing "$w" "Go vishvananda" "$GO_MISSING"
  if [ -n "$PY_MISSING" ]; then missing "$w" pyroute2 "$PY_MISSING"
  elif [ "$n" -le 10000 ] || [ "${BENCH_FULL:-0}" = 1 ]; then on[py]=1
  else rec "$w" pyroute2 skipped "" "" "skipped above 10k (5.5 s at 100k); BENCH_FULL=1 runs it"; fi
  if [ -n "$IP_MISSING" ]; then missing "$w" "ip -j + json.load" "$IP_MISSING"; missing "$w" "ip (text)" "$IP_MISSING"; else on[ip]=1; on[ipj]=1; fi
  [ -n "$DENO_BIN" ] && on[deno]=1 || missing "$w" nlroute-deno "deno not found: npm install (devDependency) or put deno on PATH"
  [ -n "$BUN_BIN" ] && on[bun]=1 || missing "$w" nlroute-bun "bun not found: npm install (devDependency) or put bun on PATH"
  for ((round = 1; round <= RUNS; round++)); do
    echo "  round $round/$RUNS; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    [ -n "${on[floor]:-}" ] && { one "$w" "C floor" seconds routes "$TMPD/floor" dump || unset 'on[floor]'; }
    [ -n "${on[go]:-}" ] && { one "$w" "Go vishvananda" seconds routes "$TMPD/gonl-bench" dump "$n" || unset 'on[go]'; }
    [ -n "${on[py]:-}" ] && { one "$w" pyroute2 seconds routes "$PYTHON" "$PEERS/pyroute2_bench.py" dump "$n" || unset 'on[py]'; }
    if [ -n "${on[ip]:-}" ]; then
      if run "$w" "ip -j + json.load" bash "$PEERS/iproute2_bench.sh" dump "$n"; then
        rec "$w" "ip -j + json.load" ok "$(field "$out" json_seconds)" "$(field "$out" routes)" ""
        rec "$w" "ip (text)" ok "$(field "$out" text_seconds)" "$(field "$out" routes)" ""
      else rec "$w" "ip (text)" error "" "" "see ip -j + json.load"; unset 'on[ip]'; fi
    fi
    # ip -j alone: iproute2_bench.sh's json figure includes python3 start-up and json.load
    [ -n "${on[ipj]:-}" ] && { one "$w" "ip -j (no parse)" seconds routes bash -c 's=$EPOCHREALTIME; ip -4 -j route show table main >/dev/null || exit 1; e=$EPOCHREALTIME; echo "seconds=$(echo "$e - $s" | bc)"' || unset 'on[ipj]'; }
    [ -n "${on[deno]:-}" ] && { multi "$w" nlroute-deno routes "$DENO_BIN" run -A "$REPO/bench/dump_routes.ts" "$RUNS" || unset 'on[deno]'; }
    [ -n "${on[bun]:-}" ] && { multi "$w" nlroute-bun routes "$BUN_BIN" "$REPO/bench/dump_routes.ts" "$RUNS" || unset 'on[bun]'; }
  done
  exit 0
fi

# -------------------------------------------------------------------- outside: build, dispatch
if [ "$(id -u)" -ne 0 ]; then echo "bench/run.sh needs root (namespaces, veth, routes)" >&2; exit 1; fi
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/peers}
[ -f "$PEERS/setup_routes.sh" ] || PEERS=/work/shared/peers
if [ ! -f "$PEERS/setup_routes.sh" ]; then echo "peer scripts not found (expected ../shared/peers or /work/shared/peers; set PEERS=dir)" >&2; exit 1; fi
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
  RUNS=${BENCH_RUNS:-2}; SIZES=${BENCH_SIZES:-10000}; ADDS=${BENCH_ADDS:-1000}; EVENTS=${BENCH_EVENTS:-2000}
  LINKS=${BENCH_LINKS:-200}; NETNS_CYCLES=${BENCH_NETNS_CYCLES:-100}; NETNS_PEER_CYCLES=${BENCH_NETNS_PEER_CYCLES:-20}; COLD_RUNS=${BENCH_COLD_RUNS:-3}
else
  RUNS=${BENCH_RUNS:-5}; SIZES=${BENCH_SIZES:-10000 100000}; ADDS=${BENCH_ADDS:-5000}; EVENTS=${BENCH_EVENTS:-20000}
  LINKS=${BENCH_LINKS:-1000}; NETNS_CYCLES=${BENCH_NETNS_CYCLES:-1000}; NETNS_PEER_CYCLES=${BENCH_NETNS_PEER_CYCLES:-100}; COLD_RUNS=${BENCH_COLD_RUNS:-11}
fi
WORKLOADS=${BENCH_WORKLOADS:-dump add batch events netns cold links}
TIMEOUT=${BENCH_TIMEOUT:-120}
OUT=${BENCH_OUT:-$REPO/bench/results/latest.json}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/nlroute-bench.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
HOST_NETNS=$(readlink /proc/self/ns/net)
RAW=$TMPD/raw.tsv
: >"$RAW"
hint() { echo "  ! $1" >&2; }
has() { [[ " $WORKLOADS " == *" $1 "* ]]; }

echo "peers: $PEERS; workloads: $WORKLOADS; $RUNS rounds$([ "$QUICK" = 1 ] && echo ' (BENCH_QUICK)')" >&2
# The peer scripts write fixed paths in /tmp (routes.batch, add.batch, ev.batch); private copies
# write to $TMPD so that concurrent runs do not clobber each other (only those paths change).
for f in setup_routes.sh iproute2_bench.sh pyroute2_events.py; do
  sed -e "s#/tmp/routes.batch#$TMPD/routes.batch#g" -e "s#/tmp/add.batch#$TMPD/add.batch#g" -e "s#/tmp/ev.batch#$TMPD/ev.batch#g" "$PEERS/$f" >"$TMPD/$f"
done

# fresh CMD...: CMD in a fresh namespace set up by setup_routes.sh 0 (veth bv0/bv1, 10.255.0.1/16)
cat >"$TMPD/fresh" <<EOF
#!/usr/bin/env bash
exec unshare -n bash -c 'bash "$TMPD/setup_routes.sh" 0 >/dev/null 2>&1 || { echo "namespace setup failed" >&2; exit 3; }; exec "\$@"' fresh "\$@"
EOF
chmod +x "$TMPD/fresh"

FLOOR_MISSING="" GO_MISSING="" PY_MISSING="" IP_MISSING=""
if command -v gcc >/dev/null; then
  gcc -O2 -o "$TMPD/floor" "$PEERS/floor.c" 2>"$TMPD/floor.log" || { FLOOR_MISSING="gcc failed: $(tail -n 1 "$TMPD/floor.log")"; hint "$FLOOR_MISSING"; }
else
  FLOOR_MISSING="gcc not found: apt-get install -y gcc libc6-dev"; hint "$FLOOR_MISSING"
fi
if ! command -v go >/dev/null; then
  GO_MISSING="go not found: apt-get install -y golang-go golang-github-vishvananda-netlink-dev"; hint "$GO_MISSING"
elif [ ! -d /usr/share/gocode/src/github.com/vishvananda/netlink ]; then
  GO_MISSING="vishvananda/netlink not found: apt-get install -y golang-github-vishvananda-netlink-dev"; hint "$GO_MISSING"
else
  # the peer directory may be read-only: build from a copy (events mode reads a private batch file)
  mkdir -p "$TMPD/gonl" && sed "s#/tmp/ev.batch#$TMPD/ev.batch#g" "$PEERS/gonl/main.go" >"$TMPD/gonl/main.go"
  echo "building the Go peer..." >&2
  (cd "$TMPD/gonl" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$TMPD/gonl-bench" .) 2>"$TMPD/go.log" ||
    { GO_MISSING="go build failed: $(tail -n 1 "$TMPD/go.log")"; hint "$GO_MISSING"; }
fi
if ! "$PYTHON" -c 'import pyroute2' 2>/dev/null; then PY_MISSING="pyroute2 not importable by $PYTHON: apt-get install -y python3-pyroute2"; hint "$PY_MISSING"; fi
if ! command -v ip >/dev/null || ! command -v bc >/dev/null; then IP_MISSING="ip or bc not found: apt-get install -y iproute2 bc"; hint "$IP_MISSING"; fi
DENO_BIN=$([ -x "$REPO/node_modules/.bin/deno" ] && echo "$REPO/node_modules/.bin/deno" || command -v deno || true)
BUN_BIN=$([ -x "$REPO/node_modules/.bin/bun" ] && echo "$REPO/node_modules/.bin/bun" || command -v bun || true)
[ -n "$DENO_BIN" ] || hint "deno not found: npm install (devDependency) or install Deno"
[ -n "$BUN_BIN" ] || hint "bun not found: npm install (devDependency) or install Bun"

mkdir -p "$TMPD/bin" && ln -s "$PYTHON" "$TMPD/bin/python3"
export PATH="$TMPD/bin:$PATH"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
export REPO PEERS RUNS TIMEOUT TMPD PYTHON HOST_NETNS RAW LINKS FLOOR_MISSING GO_MISSING PY_MISSING IP_MISSING DENO_BIN BUN_BIN
START=$EPOCHREALTIME

# ---- 1 dump, 7 links: one namespace each, every peer once per round
if has dump; then
  for n in $SIZES; do
    echo "workload 1: dump $n IPv4 routes (fresh namespace, $RUNS rounds)" >&2
    unshare -n bash "$REPO/bench/run.sh" --inner "dump $n" || echo "  ! namespace run for dump $n failed (exit $?)" >&2
  done
fi

# ---- 2 add, 3 batch: a fresh namespace per process (the routes must not exist yet)
if has add || has batch; then
  echo "workloads 2+3: $ADDS route adds, sequential and pipelined (fresh namespace per process, $RUNS rounds)" >&2
  declare -A on=()
  for p in ip go py deno bun deno-batch bun-batch; do on[$p]=1; done
  [ -n "$IP_MISSING" ] && { missing add "ip -batch" "$IP_MISSING"; unset 'on[ip]'; }
  [ -x "$TMPD/gonl-bench" ] || { missing add "Go vishvananda" "$GO_MISSING"; unset 'on[go]'; }
  [ -n "$PY_MISSING" ] && { missing add pyroute2 "$PY_MISSING"; unset 'on[py]'; }
  [ -n "$DENO_BIN" ] || { missing add nlroute-deno "deno not found: npm install"; missing batch nlroute-deno "deno not found: npm install"; unset 'on[deno]' 'on[deno-batch]'; }
  [ -n "$BUN_BIN" ] || { missing add nlroute-bun "bun not found: npm install"; missing batch nlroute-bun "bun not found: npm install"; unset 'on[bun]' 'on[bun-batch]'; }
  has add || unset 'on[go]' 'on[py]' 'on[deno]' 'on[bun]'
  has batch || unset 'on[deno-batch]' 'on[bun-batch]'
  for s in route_add route_batch; do
    if [ ! -f "$REPO/bench/$s.ts" ]; then
      w=$([ $s = route_add ] && echo add || echo batch)
      missing "$w" nlroute-deno "bench/$s.ts is missing"; missing "$w" nlroute-bun "bench/$s.ts is missing"
      [ $s = route_add ] && unset 'on[deno]' 'on[bun]' || unset 'on[deno-batch]' 'on[bun-batch]'
    fi
  done
  for ((round = 1; round <= RUNS; round++)); do
    echo "  round $round/$RUNS; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    [ -n "${on[ip]:-}" ] && { one add "ip -batch" seconds routes "$TMPD/fresh" bash "$TMPD/iproute2_bench.sh" add "$ADDS" || unset 'on[ip]'; }
    [ -n "${on[go]:-}" ] && { one add "Go vishvananda" seconds routes "$TMPD/fresh" "$TMPD/gonl-bench" add "$ADDS" || unset 'on[go]'; }
    [ -n "${on[py]:-}" ] && { one add pyroute2 seconds routes "$TMPD/fresh" "$PYTHON" "$PEERS/pyroute2_bench.py" add "$ADDS" || unset 'on[py]'; }
    [ -n "${on[deno]:-}" ] && { one add nlroute-deno seconds count "$TMPD/fresh" "$DENO_BIN" run -A "$REPO/bench/route_add.ts" "$ADDS" --here || unset 'on[deno]'; }
    [ -n "${on[bun]:-}" ] && { one add nlroute-bun seconds count "$TMPD/fresh" "$BUN_BIN" "$REPO/bench/route_add.ts" "$ADDS" --here || unset 'on[bun]'; }
    [ -n "${on[deno-batch]:-}" ] && { one batch nlroute-deno seconds count "$TMPD/fresh" "$DENO_BIN" run -A "$REPO/bench/route_batch.ts" "$ADDS" --here || unset 'on[deno-batch]'; }
    [ -n "${on[bun-batch]:-}" ] && { one batch nlroute-bun seconds count "$TMPD/fresh" "$BUN_BIN" "$REPO/bench/route_batch.ts" "$ADDS" --here || unset 'on[bun-batch]'; }
  done
  unset on
fi

# ---- 4 events: bench/events.ts makes and removes its own namespace; peers get a fresh one
if has events; then
  echo "workload 4: $EVENTS-route event burst ($RUNS rounds)" >&2
  declare -A on=([go]=1 [py]=1 [deno]=1 [bun]=1)
  if [ ! -f "$REPO/bench/events.ts" ]; then missing events nlroute-deno "bench/events.ts is missing"; missing events nlroute-bun "bench/events.ts is missing"; unset 'on[deno]' 'on[bun]'; fi
  [ -n "$DENO_BIN" ] || { missing events nlroute-deno "deno not found: npm install"; unset 'on[deno]'; }
  [ -n "$BUN_BIN" ] || { missing events nlroute-bun "bun not found: npm install"; unset 'on[bun]'; }
  [ -x "$TMPD/gonl-bench" ] || { missing events "Go vishvananda" "$GO_MISSING"; unset 'on[go]'; }
  [ -n "$PY_MISSING" ] && { missing events pyroute2 "$PY_MISSING"; unset 'on[py]'; }
  "$PYTHON" - "$EVENTS" >"$TMPD/ev.batch" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print(f"route add 10.203.{(i>>8)&255}.{i&255}/32 via 10.255.0.2 dev bv0")
PY
  for ((round = 1; round <= RUNS; round++)); do
    echo "  round $round/$RUNS; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    [ -n "${on[deno]:-}" ] && { one events nlroute-deno seconds received "$DENO_BIN" run -A "$REPO/bench/events.ts" "$EVENTS" || unset 'on[deno]'; }
    [ -n "${on[bun]:-}" ] && { one events nlroute-bun seconds received "$BUN_BIN" "$REPO/bench/events.ts" "$EVENTS" || unset 'on[bun]'; }
    [ -n "${on[go]:-}" ] && { one events "Go vishvananda" seconds received "$TMPD/fresh" "$TMPD/gonl-bench" events "$EVENTS" || unset 'on[go]'; }
    # pyroute2 crashes with ENOBUFS under the burst (its known result): a failed run is recorded, later rounds still run
    [ -n "${on[py]:-}" ] && one events pyroute2 seconds received "$TMPD/fresh" "$PYTHON" "$TMPD/pyroute2_events.py" "$EVENTS"
  done
  unset on
fi

# ---- 5 netns cycle: namespaces made and removed by the scripts themselves (inside unshare -n)
if has netns; then
  echo "workload 5: netns cycle ($NETNS_CYCLES cycles nlroute, $NETNS_PEER_CYCLES pyroute2/ip; $RUNS rounds)" >&2
  declare -A on=([deno]=1 [bun]=1 [py]=1)
  if [ ! -f "$REPO/bench/netns.ts" ]; then missing netns nlroute-deno "bench/netns.ts is missing"; missing netns nlroute-bun "bench/netns.ts is missing"; unset 'on[deno]' 'on[bun]'; fi
  [ -n "$DENO_BIN" ] || { missing netns nlroute-deno "deno not found: npm install"; unset 'on[deno]'; }
  [ -n "$BUN_BIN" ] || { missing netns nlroute-bun "bun not found: npm install"; unset 'on[bun]'; }
  [ -n "$PY_MISSING" ] && { missing netns pyroute2 "$PY_MISSING"; missing netns "ip netns (3 commands)" "$PY_MISSING"; unset 'on[py]'; }
  for ((round = 1; round <= RUNS; round++)); do
    echo "  round $round/$RUNS; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    [ -n "${on[deno]:-}" ] && { one netns nlroute-deno ms_per_cycle cycles unshare -n "$DENO_BIN" run -A "$REPO/bench/netns.ts" "$NETNS_CYCLES" || unset 'on[deno]'; }
    [ -n "${on[bun]:-}" ] && { one netns nlroute-bun ms_per_cycle cycles unshare -n "$BUN_BIN" "$REPO/bench/netns.ts" "$NETNS_CYCLES" || unset 'on[bun]'; }
    if [ -n "${on[py]:-}" ]; then
      pyout=$(timeout -k 5 "$TIMEOUT" unshare -n "$PYTHON" "$PEERS/pyroute2_netns.py" "$NETNS_PEER_CYCLES" 2>"$TMPD/netns.err")
      for peer in pyroute2 iproute2; do
        line=$(grep "^$peer " <<<"$pyout" | tail -n 1)
        name=$([ $peer = pyroute2 ] && echo pyroute2 || echo "ip netns (3 commands)")
        ms=$(field "$line" per_cycle_ms)
        if [ -n "$ms" ]; then rec netns "$name" ok "$ms" "$(field "$line" netns_cycles)" ""
        else rec netns "$name" error "" "" "$(tail -n 1 "$TMPD/netns.err" | tr '\t' ' ' | cut -c1-160)"; unset 'on[py]'; fi
      done
    fi
  done
  unset on
fi

# ---- 6 cold start: bench/cold_start.sh runs its own interleaved rounds in its own namespace
if has cold; then
  echo "workload 6: cold start ($COLD_RUNS interleaved runs, bench/cold_start.sh)" >&2
  if [ ! -f "$REPO/bench/cold_start.sh" ]; then
    missing cold nlroute-compiled "bench/cold_start.sh is missing"
  elif ! bash "$REPO/bench/cold_start.sh" "$COLD_RUNS" >"$TMPD/cold.out" 2>"$TMPD/cold.err"; then
    rec cold nlroute-compiled error "" "" "cold_start.sh failed: $(tail -n 1 "$TMPD/cold.err" | tr '\t' ' ' | cut -c1-160)"
  else
    # table rows: program median_ms min_ms max_ms ...; one record per statistic (report.py reads them)
    while read -r name med lo hi _; do
      case "$name" in nlroute-compiled|nlroute-deno|nlroute-bun|pyroute2|ip-link|ip-json) ;; *) continue ;; esac
      label=$name; [ "$name" = ip-link ] && label="ip link"; [ "$name" = ip-json ] && label="ip -j link"
      rec cold "$label" summary "$med" "$COLD_RUNS" "min=$lo max=$hi"
    done <"$TMPD/cold.out"
  fi
fi

if has links; then
  echo "workload 7: dump of $LINKS links with every attribute decoded (fresh namespace, $RUNS rounds)" >&2
  unshare -n bash "$REPO/bench/run.sh" --inner links || echo "  ! namespace run for links failed (exit $?)" >&2
fi

versions=$TMPD/versions.tsv
{
  printf 'loadavg_start\t%s\n' "$LOAD_START"
  printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'wall_seconds\t%s\n' "$(echo "$EPOCHREALTIME - $START" | bc)"
  printf 'deno\t%s\n' "$([ -n "$DENO_BIN" ] && "$DENO_BIN" --version 2>/dev/null | head -n 1)"
  printf 'bun\t%s\n' "$([ -n "$BUN_BIN" ] && "$BUN_BIN" --version 2>/dev/null)"
  printf 'go\t%s\n' "$(go version 2>/dev/null)"
  printf 'python\t%s\n' "$("$PYTHON" --version 2>&1)"
  printf 'pyroute2\t%s\n' "$(dpkg-query -W -f '${Version}' python3-pyroute2 2>/dev/null)"
  printf 'vishvananda-netlink\t%s\n' "$(dpkg-query -W -f '${Version}' golang-github-vishvananda-netlink-dev 2>/dev/null)"
  printf 'iproute2\t%s\n' "$(ip -V 2>/dev/null)"
  printf 'gcc\t%s\n' "$(gcc --version 2>/dev/null | head -n 1)"
  printf 'nlroute_commit\t%s\n' "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet HEAD -- src ffi mod.ts 2>/dev/null || echo '+dirty')"
} >"$versions"
mkdir -p "$(dirname "$OUT")"
"$PYTHON" "$REPO/bench/report.py" "$RAW" "$versions" "$OUT" "$RUNS" "$ADDS" "$EVENTS" "$LINKS" "$QUICK"
