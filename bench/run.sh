#!/usr/bin/env bash
# npm run bench: nlroute against its peers (shared/peers) on the route-dump workload.
#
# For each N in BENCH_SIZES, in ONE fresh network namespace (unshare -n; never the host's):
# setup_routes.sh N, then BENCH_RUNS rounds, each running every peer once (so that load from
# other work on a shared machine hits all peers alike):
#   C floor (floor.c: recv only, no parsing), Go vishvananda/netlink, pyroute2 (10k only unless
#   BENCH_FULL=1), iproute2 (`ip -j` + json.load as iproute2_bench.sh measures it, `ip -j` alone,
#   text), nlroute on Deno and on Bun (each process: 1 cold dump + BENCH_RUNS warm dumps).
# python3 means /usr/bin/python3 for the peers (the Debian pyroute2; a pyenv shim on PATH would
# add ~1.5 s of start-up to iproute2_bench.sh's json figure).
# Prints a table (median, min, max, ratio to Go and to the C floor) and writes every sample to
# bench/results/latest.json (BENCH_OUT to change). A peer that is missing, fails or times out is
# reported in the table; the rest still runs.
#
# Environment: BENCH_SIZES="10000 100000"  BENCH_RUNS=5  BENCH_TIMEOUT=120 (s per process)
#              BENCH_FULL=1 (pyroute2 at 100k too)  PEERS=dir (default: ../shared/peers)
#              BENCH_OUT=path (default bench/results/latest.json)
set -u

if [ "${1:-}" = "--inner" ]; then
  # ---------------------------------------------------------------- inside the namespace
  n=$2
  raw=$3
  [ "$(readlink /proc/self/ns/net)" = "$HOST_NETNS" ] && { echo "refusing to run in the host network namespace" >&2; exit 2; }
  # record N PEER STATUS SECONDS ROUTES NOTE
  rec() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" >>"$raw"; }
  # field LINE KEY: value of KEY=value in a peer's output line
  field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<" $1"; }
  # run PEER CMD...: one process with a timeout; sets $out (last stdout line), returns 0 or records an error
  run() {
    local peer=$1; shift
    local err rc
    err=$(mktemp -p "$TMPD")
    out=$(timeout -k 5 "$TIMEOUT" "$@" 2>"$err")
    rc=$?
    out=$(tail -n 1 <<<"$out")
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      rec "$n" "$peer" error "" "" "timeout after ${TIMEOUT}s"; return 1
    elif [ "$rc" -ne 0 ] || [ -z "$out" ]; then
      rec "$n" "$peer" error "" "" "exit $rc: $(tail -n 1 "$err" | tr '\t' ' ' | cut -c1-160)"; return 1
    fi
    return 0
  }
  missing() { rec "$n" "$1" missing "" "" "$2"; }
  # one PEER KEY CMD...: one process, one sample (KEY=seconds)
  one() {
    local peer=$1 key=$2 s; shift 2
    run "$peer" "$@" || return 1
    s=$(field "$out" "$key")
    if [ -z "$s" ]; then rec "$n" "$peer" error "" "" "unparsed output: $out"; return 1; fi
    rec "$n" "$peer" ok "$s" "$(field "$out" routes)" ""
  }
  # nlroute RUNTIME CMD...: one process = 1 cold dump + RUNS warm dumps
  nlroute() {
    local peer=nlroute-$1 routes cold times t; shift
    run "$peer" "$@" || { rec "$n" "$peer (cold)" error "" "" "see $peer"; return 1; }
    routes=$(field "$out" routes); cold=$(field "$out" cold); times=$(field "$out" times)
    if [ -z "$times" ] || [ -z "$cold" ]; then rec "$n" "$peer" error "" "" "unparsed output: $out"; return 1; fi
    for t in ${times//,/ }; do rec "$n" "$peer" ok "$t" "$routes" ""; done
    rec "$n" "$peer (cold)" ok "$cold" "$routes" ""
  }

  if ! bash "$TMPD/setup_routes.sh" "$n" >"$TMPD/setup.log" 2>&1; then
    rec "$n" setup error "" "" "setup_routes.sh failed: $(tail -n 1 "$TMPD/setup.log")"
    exit 0
  fi
  echo "  namespace ready: $(ip -4 route show table main | wc -l) routes in table main; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

  # which peers run; a peer that fails or times out is dropped from later rounds
  declare -A on=()
  if [ -x "$TMPD/floor" ]; then on[floor]=1; else missing "C floor" "$FLOOR_MISSING"; fi
  if [ -x "$TMPD/gonl-bench" ]; then on[go]=1; else missing "Go vishvananda" "$GO_MISSING"; fi
  if [ -n "$PY_MISSING" ]; then missing pyroute2 "$PY_MISSING"
  elif [ "$n" -le 10000 ] || [ "${BENCH_FULL:-0}" = 1 ]; then on[py]=1
  else rec "$n" pyroute2 skipped "" "" "skipped above 10k (5.5 s at 100k); BENCH_FULL=1 runs it"; fi
  if [ -n "$IP_MISSING" ]; then missing "ip -j + json.load" "$IP_MISSING"; missing "ip (text)" "$IP_MISSING"; else on[ip]=1; on[ipj]=1; fi
  if [ -n "$DENO_BIN" ]; then on[deno]=1; else missing nlroute-deno "deno not found: npm install (devDependency) or put deno on PATH"; fi
  if [ -n "$BUN_BIN" ]; then on[bun]=1; else missing nlroute-bun "bun not found: npm install (devDependency) or put bun on PATH"; fi

  # rounds: every peer once per round, so load changes on a shared machine hit every peer alike
  for ((round = 1; round <= RUNS; round++)); do
    echo "  round $round/$RUNS; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    [ -n "${on[floor]:-}" ] && { one "C floor" seconds "$TMPD/floor" dump || unset 'on[floor]'; }
    [ -n "${on[go]:-}" ] && { one "Go vishvananda" seconds "$TMPD/gonl-bench" dump "$n" || unset 'on[go]'; }
    [ -n "${on[py]:-}" ] && { one pyroute2 seconds "$PYTHON" "$PEERS/pyroute2_bench.py" dump "$n" || unset 'on[py]'; }
    if [ -n "${on[ip]:-}" ]; then
      if run "ip -j + json.load" bash "$PEERS/iproute2_bench.sh" dump "$n"; then
        rec "$n" "ip -j + json.load" ok "$(field "$out" json_seconds)" "$(field "$out" routes)" ""
        rec "$n" "ip (text)" ok "$(field "$out" text_seconds)" "$(field "$out" routes)" ""
      else rec "$n" "ip (text)" error "" "" "see ip -j + json.load"; unset 'on[ip]'; fi
    fi
    # ip -j alone: iproute2_bench.sh's json figure includes python3 start-up and json.load
    [ -n "${on[ipj]:-}" ] && { one "ip -j (no parse)" seconds bash -c 's=$(date +%s.%N); ip -4 -j route show table main >/dev/null || exit 1; e=$(date +%s.%N); echo "seconds=$(echo "$e - $s" | bc)"' || unset 'on[ipj]'; }
    [ -n "${on[deno]:-}" ] && { nlroute deno "$DENO_BIN" run -A "$REPO/bench/dump_routes.ts" "$RUNS" || unset 'on[deno]'; }
    [ -n "${on[bun]:-}" ] && { nlroute bun "$BUN_BIN" "$REPO/bench/dump_routes.ts" "$RUNS" || unset 'on[bun]'; }
  done
  exit 0
fi

# -------------------------------------------------------------------- outside: build, dispatch
if [ "$(id -u)" -ne 0 ]; then echo "bench/run.sh needs root (unshare -n, veth, routes)" >&2; exit 1; fi
REPO=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/peers}
[ -f "$PEERS/setup_routes.sh" ] || PEERS=/work/shared/peers
if [ ! -f "$PEERS/setup_routes.sh" ]; then echo "peer scripts not found (expected ../shared/peers or /work/shared/peers; set PEERS=dir)" >&2; exit 1; fi
SIZES=${BENCH_SIZES:-10000 100000}
RUNS=${BENCH_RUNS:-5}
TIMEOUT=${BENCH_TIMEOUT:-120}
OUT=${BENCH_OUT:-$REPO/bench/results/latest.json}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/nlroute-bench.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
HOST_NETNS=$(readlink /proc/self/ns/net)
hint() { echo "  ! $1" >&2; }

echo "peers: $PEERS" >&2
# setup_routes.sh writes its batch to the shared /tmp/routes.batch; a private copy writes to $TMPD
# so that concurrent runs do not clobber each other's batch (only that path is changed).
sed "s#/tmp/routes.batch#$TMPD/routes.batch#g" "$PEERS/setup_routes.sh" >"$TMPD/setup_routes.sh"

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
  # the peer directory may be read-only: build from a copy
  mkdir -p "$TMPD/gonl" && cp "$PEERS/gonl/main.go" "$TMPD/gonl/"
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
export REPO PEERS RUNS TIMEOUT TMPD PYTHON HOST_NETNS FLOOR_MISSING GO_MISSING PY_MISSING IP_MISSING DENO_BIN BUN_BIN
raw=$TMPD/raw.tsv
: >"$raw"
for n in $SIZES; do
  echo "workload: dump $n IPv4 routes (fresh namespace, $RUNS runs per peer)" >&2
  unshare -n bash "$REPO/bench/run.sh" --inner "$n" "$raw" || echo "  ! namespace run for N=$n failed (exit $?)" >&2
done

versions=$TMPD/versions.tsv
{
  printf 'loadavg_start\t%s\n' "$LOAD_START"
  printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
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
"$PYTHON" "$REPO/bench/report.py" "$raw" "$versions" "$OUT" "$RUNS"
