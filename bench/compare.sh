#!/usr/bin/env bash
# Builds muon (`muon bench`), the Pion program and the str0m program, runs BENCH-PROTOCOL.md
# modes dc and conns alternately (muon pion str0m, muon pion str0m, ...) and prints a table of
# medians with muon's ratios to each peer. Progress goes to stderr, the table to stdout.
#
#   bench/compare.sh [--rounds N] [--quick] [--total SIZE] [--msg BYTES] [--conns N]
#                    [--current-thread] [--no-build] [--table FILE]
#
# --current-thread: every program on one thread (tokio current-thread runtime for muon and
# str0m, GOMAXPROCS=1 for Pion) instead of one worker per core. --table FILE: only print
# the table of an earlier run's raw results (its RESULTS file).
#
# Environment: MUON_TARGET_DIR (default: $CARGO_TARGET_DIR or <repo>/target),
# STR0M_TARGET_DIR (default: <repo>/bench/str0m/target), PION_BIN (default:
# <repo>/bench/pion/pion-bench), RESULTS (default: a temporary file; one JSON line per run).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3
total=256M
msg=16384
conns=100
build=1
rt_flag=""
table_only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --quick) total=32M; conns=20; shift ;;
        --total) total="$2"; shift 2 ;;
        --msg) msg="$2"; shift 2 ;;
        --conns) conns="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        --current-thread) rt_flag=--current-thread; shift ;;
        --table) table_only="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ "$rounds" -ge 1 ] 2>/dev/null || { echo "compare.sh: --rounds needs a positive number" >&2; exit 2; }

muon_target="${MUON_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}}"
str0m_target="${STR0M_TARGET_DIR:-$root/bench/str0m/target}"
pion_bin="${PION_BIN:-$root/bench/pion/pion-bench}"
muon_bin="$muon_target/release/muon"
str0m_bin="$str0m_target/release/bench-str0m"
say() { echo "compare: $*" >&2; }
if [ -n "$table_only" ]; then
    results="$table_only"
    build=0
else
    results="${RESULTS:-$(mktemp -t muon-compare.XXXXXX)}"
    : > "$results"
fi

if [ "$build" = 1 ]; then
    say "building muon (release)"
    (cd "$root" && CARGO_TARGET_DIR="$muon_target" cargo build --release -p muon-cli >&2)
    say "building the str0m program (release)"
    (cd "$root/bench/str0m" && CARGO_TARGET_DIR="$str0m_target" cargo build --release --locked >&2)
    say "building the Pion program"
    (cd "$root/bench/pion" && go build -buildvcs=false -o "$pion_bin" . >&2)
fi

impls=()
if [ -n "$table_only" ]; then
    for impl in muon pion str0m; do
        grep -q "\"impl\":\"$impl\"" "$results" && impls+=("$impl")
    done
elif [ -x "$muon_bin" ] && "$muon_bin" bench --help >/dev/null 2>&1; then
    impls+=(muon)
else
    say "muon has no 'bench' subcommand yet ($muon_bin): comparing the other two only"
fi
if [ -z "$table_only" ]; then
    [ -x "$pion_bin" ] && impls+=(pion) || say "no Pion program at $pion_bin"
    [ -x "$str0m_bin" ] && impls+=(str0m) || say "no str0m program at $str0m_bin"
fi
[ ${#impls[@]} -gt 0 ] || { say "nothing to run"; exit 1; }

cmd_of() {
    case "$1" in
        muon) echo "$muon_bin bench" ;;
        pion) if [ -n "$rt_flag" ]; then echo "env GOMAXPROCS=1 $pion_bin"; else echo "$pion_bin"; fi ;;
        str0m) echo "$str0m_bin" ;;
    esac
}

# One run: the last stdout line is the protocol's JSON line.
run_one() {
    local impl="$1" mode="$2" out line
    local args
    if [ "$mode" = dc ]; then args="dc --total $total --msg $msg"; else args="conns --conns $conns"; fi
    # Pion takes GOMAXPROCS instead (see cmd_of).
    if [ -n "$rt_flag" ] && [ "$impl" != pion ]; then args="$args $rt_flag"; fi
    say "round $r/$rounds: $impl $args"
    # shellcheck disable=SC2046
    if out="$(timeout 600 $(cmd_of "$impl") $args 2>/dev/null)"; then
        line="$(printf '%s\n' "$out" | tail -n 1)"
        say "  $line"
        printf '%s\n' "$line" >> "$results"
    else
        say "  $impl $mode FAILED (exit $?)"
    fi
}

if [ -z "$table_only" ]; then
    for r in $(seq 1 "$rounds"); do
        for mode in dc conns; do
            for impl in "${impls[@]}"; do
                run_one "$impl" "$mode"
            done
        done
    done
    say "raw results: $results"
fi

# field IMPL MODE KEY: the values of KEY over every run of IMPL in MODE, one per line.
field() {
    grep "\"impl\":\"$1\"" "$results" | grep "\"mode\":\"$2\"" |
        sed -n "s/.*\"$3\":\([-0-9.eE+]*\).*/\1/p" || true
}
# median of stdin numbers ("-" if none).
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-" }
        else if (NR % 2) { print v[(NR + 1) / 2] }
        else { printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}
declare -A med
for impl in "${impls[@]}"; do
    med[$impl,mib_per_s]="$(field "$impl" dc mib_per_s | median)"
    med[$impl,setup_ms]="$(field "$impl" dc setup_ms | median)"
    med[$impl,dc_rss]="$(field "$impl" dc peak_rss_mib | median)"
    med[$impl,rss_per_conn_kib]="$(field "$impl" conns rss_per_conn_kib | median)"
    med[$impl,all_open_ms]="$(field "$impl" conns all_open_ms | median)"
done
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2fx\n", a / b }'
}

cols=(mib_per_s setup_ms rss_per_conn_kib all_open_ms dc_rss)
echo
if [ -n "$table_only" ]; then
    echo "Medians of the runs in $results"
else
    echo "Medians of $rounds round(s): dc --total $total --msg $msg; conns --conns $conns${rt_flag:+; $rt_flag}"
fi
printf '%-16s %12s %10s %18s %13s %14s\n' "" "dc MiB/s" "setup_ms" "rss_per_conn_kib" "all_open_ms" "dc peak MiB"
for impl in "${impls[@]}"; do
    printf '%-16s' "$impl"
    for c in "${cols[@]}"; do printf ' %s' "${med[$impl,$c]}"; done | awk '{ printf " %12s %10s %18s %13s %14s\n", $1, $2, $3, $4, $5 }'
done
if [[ " ${impls[*]} " == *" muon "* ]]; then
    for peer in "${impls[@]}"; do
        [ "$peer" = muon ] && continue
        printf '%-16s' "muon / $peer"
        for c in "${cols[@]}"; do printf ' %s' "$(ratio "${med[muon,$c]}" "${med[$peer,$c]}")"; done |
            awk '{ printf " %12s %10s %18s %13s %14s\n", $1, $2, $3, $4, $5 }'
    done
    echo "(ratios muon/peer: above 1x is better for MiB/s, below 1x is better for the others)"
fi
