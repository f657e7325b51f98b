#!/usr/bin/env bash
# All benchmarks in one run (docs/BENCHMARKS.md): the ceilings (bare HTTP route, raw journal
# persists), B1 durable ingest in rate steps, B2/B3 with agents on the live stream, B4 retry storm
# with verification, B6 heap per idle entity. Everything on this machine, load on 127.0.0.1 only,
# every run bounded in time (about 20 minutes in all). Stops a running router first; leaves nothing
# running. Results: OUT/SUMMARY.md plus each run's files (summary.json, latency.hlog, report.html).
# B2/B3 run first (after a JIT warm-up on the demo workspace), on the bench team's empty queue; B1
# then runs with those agents still online (assignments go on until their capacity is full). Starts
# from fresh data: it stops the embedded Cassandra and deletes var/cassandra's data first
# (KEEP_DATA=1 keeps it) — a bench team left with queued conversations by an earlier run hands them
# all out when the 1,000 agents come online, and B2/B3 measures that (fourteenth session).
# Usage: scripts/bench.sh [OUT=var/bench/<UTC time>]
#   env: B1_STEPS=100,200,300,400,600,800  STEP_SECONDS=20  AGENTS=1000  B23_RATE=50  JIT_SECONDS=240
#        ENTITIES=100000  STORM_MAX=2000  ROUTER_CONF= (extra router config appended to the bench's)
#        KEEP_DATA=1 (run on the data already there)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-var/bench/$(date -u +%Y%m%dT%H%M%SZ)}
B1_STEPS=${B1_STEPS:-100,200,300,400,600,800}
STEP_SECONDS=${STEP_SECONDS:-20}
AGENTS=${AGENTS:-1000}
B23_RATE=${B23_RATE:-50}
JIT_SECONDS=${JIT_SECONDS:-240}
ENTITIES=${ENTITIES:-100000}
STORM_MAX=${STORM_MAX:-2000}
ROUTER_CONF=${ROUTER_CONF:-}
mkdir -p "$OUT"
. scripts/bench-lib.sh # lt, quiet, jit_warm, drained
step() { echo "== $(date -u +%T) $*" >&2; }

./omnirouter stop >/dev/null 2>&1 || true
trap './omnirouter stop >/dev/null 2>&1 || true' EXIT
if [ "${KEEP_DATA:-0}" != 1 ] && [ -d var/cassandra/data ]; then
  echo "fresh data: stopping the embedded Cassandra and deleting var/cassandra/{data,commitlog,saved_caches,hints} (KEEP_DATA=1 keeps them)" >&2
  fresh_data
fi
{
  echo "date:    $(date -u +%FT%TZ)"
  echo "commit:  $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)')"
  echo "cpu:     $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory:  $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
  echo "java:    $(java -version 2>&1 | head -1)"
  echo "setup:   router, embedded Cassandra (1 GB heap) and load tool on the same cores"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

step "Cassandra"
./omnirouter cassandra start
step "ceiling: raw journal persists (no router running)"
./omnirouter bench journal --steps 250,500,1000,2000 --step-seconds 10 >"$OUT/journal.json"
./omnirouter bench journal --steps 250,500,1000 --step-seconds 10 --tagged true >"$OUT/journal-tagged.json"

step "router with a $AGENTS-agent bench workspace"
lt workspace --out "$OUT/bench.conf" --agents "$AGENTS" --capacity 5
[ -n "$ROUTER_CONF" ] && echo "$ROUTER_CONF" >>"$OUT/bench.conf"
./omnirouter start --config "$OUT/bench.conf" >&2

step "ceiling: bare GET /health, same client"
lt generate --out "$OUT/probe.jsonl" --duration 60 --rate 1300 --mix telegram=1 --contacts 10 \
  --statuses 0 --redeliveries 0 --burst-every 0 >/dev/null
lt replay --capture "$OUT/probe.jsonl" --probe /health --rate 500 --max-seconds 10 >/dev/null # JIT warm-up
lt replay --capture "$OUT/probe.jsonl" --probe /health --steps 500,1000,2000,4000 --step-seconds 10 \
  --out "$OUT/bare" >/dev/null

step "JIT warm-up on the demo workspace (its own teams, no agent online): ${JIT_SECONDS}s at 150/s"
# B2/B3 and B1 measure a running router, not its first minutes: on a cold JVM the first ~20 s of
# B2/B3 timed out webhooks (eleventh session), and after one minute of traffic the JIT compiler
# still took ~40 % of the router's CPU (thirteenth session; docs/BENCHMARKS.md)
jit_warm "$OUT" "$JIT_SECONDS"
cat "$OUT/jit.txt" >&2
drained

step "agent loop warm-up: B2/B3's shape for 35 s on other customers"
# jit_warm sends webhooks only; without this B2/B3 was the router's first work with agents online
# (sixteenth session)
agents_warm "$OUT"
cat "$OUT/agents-warm.txt" >&2

step "B2/B3: $AGENTS agents on the live stream, $B23_RATE messages/s for 60 s"
lt generate --workspace bench --seed 3 --out "$OUT/b23.jsonl" --duration 65 --rate "$B23_RATE" \
  --contacts 5000 --burst-every 0 >/dev/null
metrics_snap "$OUT/b23-before.prom"
k0=$(compiles)
lt_b23 replay --workspace bench --capture "$OUT/b23.jsonl" --rate "$B23_RATE" --max-seconds 60 \
  --agents "$AGENTS" --think 5 --settle 15 --out "$OUT/b23" >/dev/null || echo "B2/B3 run failed" >&2
k1=$(compiles)
drained
metrics_snap "$OUT/b23-after.prom" # the replay's 15 s settle spans Kamon's next tick
mkdir -p "$OUT/b23"
{ router_histograms "$OUT/b23-before.prom" "$OUT/b23-after.prom"
  echo "router JIT compilations during B2/B3: $((k1 - k0))"; } | tee "$OUT/b23/router.txt" >&2

step "B1: warm-up (the busiest contacts become known), then rate steps $B1_STEPS × ${STEP_SECONDS}s"
# 60 s at 150/s: the busiest contacts become known, and the JIT has compiled the hot path
lt generate --workspace bench --seed 1 --out "$OUT/warm.jsonl" --duration 60 --rate 150 --contacts 5000 >/dev/null
lt replay --workspace bench --capture "$OUT/warm.jsonl" --rate 150 --max-seconds 60 >/dev/null
drained
lt generate --workspace bench --seed 2 --out "$OUT/b1.jsonl" --duration 150 --rate 500 --contacts 5000 \
  --burst-every 0 >/dev/null
lt replay --workspace bench --capture "$OUT/b1.jsonl" --steps "$B1_STEPS" --step-seconds "$STEP_SECONDS" \
  --out "$OUT/b1" >/dev/null || echo "B1 run failed" >&2
curl -s 127.0.0.1:9095/metrics | grep -E '^omnirouter_ingest_(backlog|oldest)' >"$OUT/b1/backlog-after.txt" || true
drained

B1=$(lt summary --dir "$OUT" --print b1-rate || echo 50)
STORM=$((B1 * 10))
# the load tool shares the two cores: beyond ~2,000/s it measures itself, not the router
[ "$STORM" -gt "$STORM_MAX" ] && STORM=$STORM_MAX
step "B4: retry storm at ${STORM}/s (10 × ${B1}, at most $STORM_MAX) for 60 s, 30 % redeliveries"
lt generate --workspace bench --seed 4 --out "$OUT/storm.jsonl" --duration 65 --rate $((STORM * 11 / 10)) \
  --contacts 5000 --redeliveries 0.3 --burst-every 0 >/dev/null
lt replay --workspace bench --capture "$OUT/storm.jsonl" --rate "$STORM" --max-seconds 60 \
  --connections 512 --out "$OUT/b4" >/dev/null || true
grep VmHWM "/proc/$(cat var/router.pid)/status" | awk '{printf "%.0f MB\n", $2/1024}' >"$OUT/b4/rss.txt"
lt verify --workspace bench --token bench-supervisor-token --acked "$OUT/b4/acked.json" --settle 180 \
  >"$OUT/b4/verify.json" || true

step "B6: heap per idle conversation entity ($ENTITIES)"
./omnirouter stop >/dev/null
./omnirouter cassandra start
./omnirouter bench entities --count "$ENTITIES" >"$OUT/b6.json"
./omnirouter cassandra stop

lt summary --dir "$OUT" | tee "$OUT/SUMMARY.md"
