#!/usr/bin/env bash
# CPU per durable append at 64 clients, and import speed and CPU per event,
# for several gpu-ledger binaries, interleaved round by round so that a busy
# machine weighs on each alike. CPU is measured, not wall time: the server's
# user + system time (/proc/PID/stat) over a whole http-load run, divided by
# the records it appended (the chain head before and after).
#
#   bench/scripts/append_cpu.sh BENCH WORKLOAD ROUNDS NAME=BIN...
#
# BENCH: a gpu-ledger-bench binary (its http-load drives the appends);
# WORKLOAD: a JSON Lines history (`gpu-ledger-bench workload --events N`);
# NAME=BIN: a label and a gpu-ledger binary, e.g. before=/work/base/target/release/gpu-ledger.
# Prints one Markdown row per binary and round.
set -euo pipefail
bench=$1 workload=$2 rounds=$3
shift 3
tck=$(getconf CLK_TCK)
events=$(wc -l <"$workload")
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
head_seq() { curl -sf "http://127.0.0.1:$1/v1/chain/head" | python3 -c 'import json, sys; print(json.load(sys.stdin)["seq"])'; }
echo "| binary | round | import events/s | import CPU per event | appends/s at 64 clients | server CPU per append |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for round in $(seq "$rounds"); do
  for named in "$@"; do
    name=${named%%=*} bin=${named#*=}
    dir=$(mktemp -d)
    /usr/bin/time -f '%e %U %S' -o "$dir/time" "$bin" --data "$dir/data" import "$workload" >/dev/null 2>&1
    read -r wall user sys <"$dir/time"
    port=$((20000 + RANDOM % 20000))
    "$bin" --data "$dir/data" serve --addr "127.0.0.1:$port" >/dev/null 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null; do sleep 0.1; done
    # Start-up work (replay, Merkle tree, snapshot) ends before measuring: idle is under 5% of a core.
    while :; do
      a=$(ticks "$pid"); sleep 1; b=$(ticks "$pid")
      [ $((b - a)) -lt $((tck / 20)) ] && break
    done
    h0=$(head_seq "$port") c0=$(ticks "$pid")
    "$bench" http-load --addr "127.0.0.1:$port" --clients 64 --seconds 5 --warmup 0.5 >"$dir/load"
    c1=$(ticks "$pid") h1=$(head_seq "$port")
    kill -INT "$pid"
    wait "$pid" || true
    python3 - "$name" "$round" "$events" "$wall" "$user" "$sys" "$h0" "$h1" "$c0" "$c1" "$tck" "$dir/load" <<'PY'
import re, sys
name, rnd, events, wall, user, sys_, h0, h1, c0, c1, tck, load = sys.argv[1:]
events, wall, cpu = int(events), float(wall), float(user) + float(sys_)
appended, server = int(h1) - int(h0), (int(c1) - int(c0)) / int(tck)
rate = re.search(r"= (\d+)/s", open(load).read()).group(1)
print(f"| {name} | {rnd} | {events / wall / 1000:.0f}k | {cpu / events * 1e6:.2f} µs | {int(rate) / 1000:.1f}k "
      f"| {server / appended * 1e6:.1f} µs ({appended:,} appends, {server:.2f} s of CPU) |")
PY
    rm -rf "$dir"
  done
done
