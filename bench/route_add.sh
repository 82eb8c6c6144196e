#!/usr/bin/env bash
# 5,000 sequential acknowledged route adds (N /32 routes via 10.255.0.2 on veth bv0), nlroute on
# Deno and Bun against `ip -batch` (iproute2_bench.sh add), pyroute2 (pyroute2_bench.py add) and
# Go vishvananda/netlink (gonl add) from the peers directory.
#
# Every sample runs in its own fresh network namespace (unshare -n, then setup_routes.sh 0:
# lo up, veth bv0/bv1 up, 10.255.0.1/16 on bv0; never the host's namespace). Samples are
# interleaved in rounds (each round runs every implementation once, in a rotated order) so
# that load from other work on a shared machine hits all of them alike. Prints the median, min
# and max per implementation and the ratio of medians to `ip -batch`, then one summary line
# `route_add n=N rounds=R ip=S deno=S bun=S pyroute2=S go=S` (seconds, median).
#
#   bench/route_add.sh [N] [ROUNDS]          (defaults 5000 and 5; needs root)
# Environment: PEERS=dir (default ../shared/peers next to the repository), PYTHON (default
# /usr/bin/python3, the Debian pyroute2), BENCH_TIMEOUT=120 (seconds per sample).
set -u
n=${1:-5000}
rounds=${2:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS:-$(cd "$repo/../shared/peers" 2>/dev/null && pwd)}
python=${PYTHON:-/usr/bin/python3}
timeout=${BENCH_TIMEOUT:-120}
[ "$(id -u)" -eq 0 ] || { echo "route_add.sh needs root (unshare -n, veth, routes)" >&2; exit 1; }
[ -n "$peers" ] && [ -f "$peers/setup_routes.sh" ] || { echo "peers not found: set PEERS=dir (shared/peers)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
deno=$([ -x "$repo/node_modules/.bin/deno" ] && echo "$repo/node_modules/.bin/deno" || command -v deno || true)
bun=$([ -x "$repo/node_modules/.bin/bun" ] && echo "$repo/node_modules/.bin/bun" || command -v bun || true)

impls=()
declare -A cmd=()
[ -n "$deno" ] && { impls+=(deno); cmd[deno]="$deno run -A $repo/bench/route_add.ts $n --here"; }
[ -n "$bun" ] && { impls+=(bun); cmd[bun]="$bun $repo/bench/route_add.ts $n --here"; }
impls+=(ip); cmd[ip]="bash $peers/iproute2_bench.sh add $n"
if "$python" -c 'import pyroute2' 2>/dev/null; then impls+=(pyroute2); cmd[pyroute2]="$python $peers/pyroute2_bench.py add $n"
else echo "pyroute2 skipped: not importable by $python" >&2; fi
cp -r "$peers/gonl" "$tmp/gonl"
if (cd "$tmp/gonl" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$tmp/gonl-bench" .) 2>"$tmp/go.log"; then
  impls+=(go); cmd[go]="$tmp/gonl-bench add $n"
else echo "Go skipped: $(tail -n 1 "$tmp/go.log")" >&2; fi

export HOST_NETNS
HOST_NETNS=$(readlink /proc/self/ns/net)
# one sample: a fresh namespace, set up, the command; prints its seconds or nothing
sample() {
  local out
  out=$(timeout -k 5 "$timeout" unshare -n bash -c '
    [ "$(readlink /proc/self/ns/net)" = "$HOST_NETNS" ] && exit 2
    bash "$2/setup_routes.sh" 0 >/dev/null 2>&1 || exit 3
    shift 2; eval "$*"' _ unused "$peers" "$@" 2>"$tmp/err" | tail -n 1)
  sed -n 's/.*[[:space:]]seconds=\([0-9.]*\).*/\1/p' <<<" $out" | sed 's/^\./0./'
}

for ((r = 0; r < rounds; r++)); do
  k=${#impls[@]}
  for ((j = 0; j < k; j++)); do
    impl=${impls[$(((j + r) % k))]}
    s=$(sample "${cmd[$impl]}")
    if [ -n "$s" ]; then echo "$s" >>"$tmp/$impl"; else echo "  round $((r + 1)) $impl failed: $(tail -n 1 "$tmp/err")" >&2; fi
  done
  echo "  round $((r + 1))/$rounds done; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

median() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR == 0) print ""; else if (NR % 2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
base=$([ -s "$tmp/ip" ] && median "$tmp/ip")
printf '\n%-10s %8s %8s %8s %6s  %s\n' impl median min max runs "ratio to ip -batch"
summary="route_add n=$n rounds=$rounds"
for impl in ip deno bun pyroute2 go; do
  [ -s "$tmp/$impl" ] || { [ -n "${cmd[$impl]:-}" ] && printf '%-10s %s\n' "$impl" "no successful sample"; continue; }
  m=$(median "$tmp/$impl")
  ratio=$([ -n "$base" ] && awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2fx", a / b}' || echo "-")
  printf '%-10s %8.4f %8.4f %8.4f %6d  %s\n' "$impl" "$m" "$(sort -g "$tmp/$impl" | head -1)" "$(sort -g "$tmp/$impl" | tail -1)" "$(wc -l <"$tmp/$impl")" "$ratio"
  summary+=" $impl=$m"
done
echo
echo "$summary"
