#!/usr/bin/env bash
# Cold start: whole-process time from exec to exit of a program whose work is one link dump
# (process start → first getLinks() result → exit), median of N runs, side by side:
#
#   nlroute-compiled   dist/nlroute link show -j            (npm run build:cli, bun build --compile)
#   nlroute-deno       deno run -A bench/cold_start.ts
#   nlroute-bun        bun bench/cold_start.ts
#   pyroute2           /usr/bin/python3 -c "import pyroute2; pyroute2.IPRoute().get_links()"
#   ip-link            ip link            ip-json: ip -j link
#
# Everything runs in one fresh network namespace (unshare -n; lo up and a veth pair), never in
# the host's. Runs are interleaved (each round runs every program once), so load from other work
# on a shared machine hits all alike; one warm-up round is not counted (page cache, Deno's
# transpile cache). Times come from bash's $EPOCHREALTIME around each command: the fork+exec of
# the command is included, identically for all. cpu_ms is the median user + system CPU time of
# the process (bash's `times`, 1 ms resolution): less sensitive than wall time to other load.
#
# Usage: bash bench/cold_start.sh [N]      (root; N defaults to 21; COLD_NO_BUILD=1 keeps dist/nlroute)
# Prints a table, then one last line of key=value pairs (milliseconds), e.g.
#   runs=21 compiled_ms=48.1 deno_ms=70.2 bun_ms=45.0 pyroute2_ms=310.5 ip_ms=2.1 ip_json_ms=2.3
#   compiled_vs_pyroute2=0.155 compiled_cpu_ms=40 pyroute2_cpu_ms=250      (illustrative)
set -u
cd "$(dirname "$0")/.."
bin=$PWD/node_modules/.bin

if [ "${1:-}" = "--inner" ]; then
  n=$2
  [ "$(readlink /proc/self/ns/net)" = "$HOST_NETNS" ] && { echo "refusing to run in the host network namespace" >&2; exit 2; }
  ip link set lo up
  ip link add cs0 type veth peer name cs1
  ip link set cs0 up
  names=(nlroute-compiled nlroute-deno nlroute-bun pyroute2 ip-link ip-json)
  cmd() {
    case $1 in
      nlroute-compiled) dist/nlroute link show -j ;;
      nlroute-deno) "$bin/deno" run -A bench/cold_start.ts ;;
      nlroute-bun) "$bin/bun" bench/cold_start.ts ;;
      pyroute2) /usr/bin/python3 -c "import pyroute2; pyroute2.IPRoute().get_links()" ;;
      ip-link) ip link ;;
      ip-json) ip -j link ;;
    esac
  }
  # user + system CPU seconds of all waited-for children so far (bash's `times`, second line)
  # (`times` runs in this shell, not in a $(...) subshell, and is parsed only after the second
  # snapshot: the parsing's own processes are children too)
  cpu_of() { sed -n 2p "$1" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
  declare -A samples cpu
  for round in $(seq 0 "$n"); do
    for name in "${names[@]}"; do
      times >"$TMPD/cpu0"
      t0=$EPOCHREALTIME
      if ! cmd "$name" >/dev/null 2>"$TMPD/err"; then
        echo "$name failed: $(tail -n 3 "$TMPD/err")" >&2
        exit 1
      fi
      t1=$EPOCHREALTIME
      times >"$TMPD/cpu1"
      c0=$(cpu_of "$TMPD/cpu0")
      c1=$(cpu_of "$TMPD/cpu1")
      # round 0 warms up and is not counted
      if [ "$round" -gt 0 ]; then
        samples[$name]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }') "
        cpu[$name]+="$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.0f", (b - a) * 1000 }') "
      fi
    done
  done
  stats() { # samples → "median min max"
    tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %.1f %.1f", m, v[1], v[NR] }'
  }
  declare -A median cpu_median
  printf '%-18s %10s %10s %10s %12s %12s\n' program median_ms min_ms max_ms vs_pyroute2 cpu_ms
  read -r pm _ _ <<<"$(stats "${samples[pyroute2]}")"
  for name in "${names[@]}"; do
    read -r med lo hi <<<"$(stats "${samples[$name]}")"
    read -r cmed _ _ <<<"$(stats "${cpu[$name]}")"
    median[$name]=$med
    cpu_median[$name]=$cmed
    printf '%-18s %10s %10s %10s %12s %12s\n' "$name" "$med" "$lo" "$hi" "$(awk -v a="$med" -v b="$pm" 'BEGIN { printf "%.3f", a / b }')" "$cmed"
  done
  ratio=$(awk -v a="${median[nlroute-compiled]}" -v b="$pm" 'BEGIN { printf "%.3f", a / b }')
  echo "runs=$n compiled_ms=${median[nlroute-compiled]} deno_ms=${median[nlroute-deno]} bun_ms=${median[nlroute-bun]} pyroute2_ms=${median[pyroute2]} ip_ms=${median[ip-link]} ip_json_ms=${median[ip-json]} compiled_vs_pyroute2=$ratio compiled_cpu_ms=${cpu_median[nlroute-compiled]} pyroute2_cpu_ms=${cpu_median[pyroute2]}"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "cold_start.sh needs root (it makes a network namespace)" >&2; exit 2; }
n=${1:-21}
if [ -z "${COLD_NO_BUILD:-}" ] || [ ! -x dist/nlroute ]; then
  "$bin/bun" run build:cli >/dev/null || { echo "npm run build:cli failed" >&2; exit 1; }
fi
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
export TMPD HOST_NETNS
HOST_NETNS=$(readlink /proc/self/ns/net)
unshare -n bash "$0" --inner "$n"
