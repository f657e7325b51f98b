#!/usr/bin/env bash
# B1 on a warm, quiet router (eleventh session): on fresh data, the bench workspace with no agent
# online, the JIT warm-up on the demo workspace (JIT_SECONDS, 240), bench.sh's B1 warm-up (60 s at
# 150/s), a wait until the router uses < 15 % of a core, then the B1 steps; prints each step, the
# JIT compilations during them, and both JVMs' GC pauses during the steps and the router's over the
# whole run (their gc.log files).
# Usage: scripts/bench-b1.sh NAME ["extra router config"]; results in var/ab/NAME.
#   env: STEPS=100,200,300,400  JIT_SECONDS=240  OMNIROUTER_JAVA_OPTS (router JVM flags, e.g. another collector)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
ab_router "$1" "${2:-}"
jit_warm "$OUT" "${JIT_SECONDS:-240}"
warm_for_b1 "$OUT"
c0=$(compiles); rg0=$(gc_mark $ROUTER_GC); cg0=$(gc_mark $CASSANDRA_GC)
lt replay --workspace bench --capture "$OUT/b1.jsonl" --steps "${STEPS:-100,200,300,400}" --step-seconds 20 --out "$OUT/b1" >/dev/null 2>&1
echo "$OUT JIT compilations during the steps: $(($(compiles) - c0)); $(cat "$OUT/jit.txt")"
echo "$OUT during the steps: $(gc_pauses router $ROUTER_GC "$rg0")"
echo "$OUT during the steps: $(gc_pauses Cassandra $CASSANDRA_GC "$cg0")"
echo "$OUT whole run: $(gc_pauses router $ROUTER_GC 0)"
python3 - "$OUT" <<'PY'
import json, sys
o = sys.argv[1]
for s in json.load(open(o + '/b1/summary.json'))['steps']:
    print(o, 'B1', s['target_rate'], s['statuses'], 'p50', s['p50_ms'], 'p99', s['p99_ms'], 'max', s['max_ms'])
PY
./omnirouter stop >/dev/null 2>&1; ./omnirouter cassandra stop >/dev/null 2>&1
