#!/usr/bin/env bash
# A/B harness (eighth session): on fresh data and a cold router, B2/B3 with 1,000 agents for 35 s,
# then B1 at 300/s and 600/s for 20 s each (no drain in between: harsher than scripts/bench.sh).
# Prints webhook statuses and latencies, and for B2/B3 the router's own webhook handling time and
# ingest wait (acknowledged → in its conversation) from /metrics.
# Usage: scripts/bench-ab.sh NAME ["extra router config"]; results in var/ab/NAME.
#   env: B23_RATE=50 (new conversations/s in B2/B3)  B1_STEPS=300,600 (empty: no B1)
#        JIT_SECONDS=0 (> 0: jit_warm on the demo workspace first, as bench.sh does — a warm router)
#        AGENTS_WARM=1 (then agents_warm: B2/B3's agent loop run once on other customers first)
#        JFR=1 (a Flight Recorder profile of the router during B2/B3: $OUT/b23.jfr, `jfr print` reads it)
#        B23_LOADTEST_JAVA_OPTS, LT_NICE=N (the B2/B3 load tool's JVM flags — C1 only by default — and
#        nice level; see lt_b23 in bench-lib.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
B23_RATE=${B23_RATE:-50}; B1_STEPS=${B1_STEPS-300,600}
. scripts/bench-lib.sh
ab_router "$1" "${2:-}"
[ "${JIT_SECONDS:-0}" -gt 0 ] && { jit_warm "$OUT" "$JIT_SECONDS"; drained; }
[ "${AGENTS_WARM:-0}" = 1 ] && agents_warm "$OUT"
lt generate --workspace bench --seed 3 --out "$OUT/b23.jsonl" --duration 40 --rate "$B23_RATE" --contacts 5000 --burst-every 0 >/dev/null
metrics_snap "$OUT/b23-before.prom"
[ "${JFR:-0}" = 1 ] && jcmd "$(cat var/router.pid)" JFR.start name=b23 settings=profile duration=45s \
  filename="$PWD/$OUT/b23.jfr" >/dev/null
cpu_sample "$OUT/b23-cpu.txt" & sampler=$!
k0=$(compiles)
lt_b23 replay --workspace bench --capture "$OUT/b23.jsonl" --rate "$B23_RATE" --max-seconds 35 --agents 1000 --think 5 --settle 10 --out "$OUT/b23" >/dev/null 2>&1
kill "$sampler"
echo "   router JIT compilations during B2/B3: $(($(compiles) - k0))" >"$OUT/b23-jit.txt"
sleep 11; metrics_snap "$OUT/b23-after.prom" # after Kamon's next tick
router_histograms "$OUT/b23-before.prom" "$OUT/b23-after.prom" | sed 's/^/   router /' >"$OUT/b23-router.txt"
if [ -n "$B1_STEPS" ]; then
  lt generate --workspace bench --seed 2 --out "$OUT/b1.jsonl" --duration 60 --rate 700 --contacts 5000 --burst-every 0 >/dev/null
  lt replay --workspace bench --capture "$OUT/b1.jsonl" --steps "$B1_STEPS" --step-seconds 20 --out "$OUT/b1" >/dev/null 2>&1
fi
python3 - "$OUT" <<'PY'
import json,os,sys
o=sys.argv[1]
b=json.load(open(o+'/b23/summary.json'))
print(o,'B23 webhooks',b['statuses'],'p50',b['p50_ms'],'p99',b['p99_ms'])
a=b.get('agents',{})
for k in ('webhook_to_agent_visible','webhook_to_supervisor_visible','queued_to_assigned','queued_to_decided'):
  v=a.get(k,{}); print('  ',k,v.get('count'),v.get('p50_ms'),v.get('p99_ms'))
print('  assigned',a.get('assigned'))
b=json.load(open(o+'/b1/summary.json')) if os.path.exists(o+'/b1/summary.json') else {'steps':[]}
for s in b['steps']: print('  B1',s['target_rate'],s['statuses'],'p50',s['p50_ms'],'p99',s['p99_ms'])
PY
cat "$OUT/b23-router.txt" "$OUT/b23-jit.txt" "$OUT/agents-warm.txt" 2>/dev/null
# the replay's clock starts after its JVM, the agents' streams and its warm-up: the middle of the 35 s
start=$(awk '$4 > 0 {print $1; exit}' "$OUT/b23-cpu.txt")
cpu_share "$OUT/b23-cpu.txt" $((start + 15)) $((start + 40)) | sed 's/^/   /'
./omnirouter stop >/dev/null 2>&1; ./omnirouter cassandra stop >/dev/null 2>&1
