#!/usr/bin/env bash
# Drill: restart every node of a local 3-node cluster (./omnirouter cluster start 3), one at a time
# with SIGTERM (graceful leave: shards hand over), under steady webhook load spread over the three
# nodes. The load tool acts like a load balancer: a request it could not deliver to a node that is
# gone goes to the next (safe: a redelivered webhook is stored once). Counts failed requests and
# verifies every acknowledged message is stored exactly once.
# With AGENTS=N, the load is the bench workspace's six-channel mix with N of its agents on the live
# stream, replying and resolving through the API (an inbox frontend's traffic) while the nodes restart:
# their calls and streams move to the next node as behind a load balancer, a stream resumes with its
# last event id, and every reply answered 2xx is looked up in its thread afterwards (lost, duplicated).
# Usage: scripts/drill-rolling-restart.sh [RATE=20] [OUT=var/drills/rolling-restart]
#        AGENTS=50 scripts/drill-rolling-restart.sh 20 var/drills/rolling-restart-agents
# EXTRA_CONFIG=FILE: one more --config for the nodes as they restart (start the cluster with it too).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
RATE=${1:-20}
OUT=${2:-var/drills/rolling-restart}
# long enough for all three restarts to fall inside the load (a node takes ~80 s to start here)
DURATION=${DURATION:-360}
WARMUP=${WARMUP:-30}
AGENTS=${AGENTS:-0}
URLS=http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083
CLUSTER=(3)
EXTRA_CONFIG=${EXTRA_CONFIG:-}
if [ "$AGENTS" -gt 0 ]; then
  WORKSPACE=var/drills/bench-workspace.conf
  CLUSTER=(3 --config "$WORKSPACE")
  require_ready "./omnirouter loadtest workspace --out $WORKSPACE --agents $AGENTS --capacity 5 && ./omnirouter cluster start 3 --config $WORKSPACE" 8081 8082 8083
else
  require_ready "./omnirouter cluster start 3" 8081 8082 8083
fi
if [ -n "$EXTRA_CONFIG" ]; then CLUSTER+=(--config "$EXTRA_CONFIG"); fi
mkdir -p "$OUT"
# load LABEL SECONDS OUTDIR: webhooks (and with AGENTS, agents) at $RATE/s over the three nodes
load() {
  if [ "$AGENTS" -gt 0 ]; then
    ./omnirouter loadtest generate --workspace bench --seed "$RANDOM" --first-contact "$((RANDOM * 10))" \
      --out "$3.jsonl" --duration "$(($2 + 5))" --rate "$RATE" --contacts 300 >/dev/null
    ./omnirouter loadtest replay --workspace bench --capture "$3.jsonl" --rate "$RATE" --max-seconds "$2" \
      --url "$URLS" --agents "$AGENTS" --think 2 --settle 15 --check-replies true --out "$3"
  else
    ./omnirouter loadtest ingest --url "$URLS" --rate "$RATE" --duration "$2" --contacts 300 --redeliveries 0.1 --out "$3"
  fi
}
# A freshly started cluster is cold (JIT, first allocation of every shard, Cassandra caches): its first
# seconds are not what a rolling restart is about. Warm it up first; this part is not counted.
echo "warm-up: $RATE/s for ${WARMUP}s (not counted)"
load warmup "$WARMUP" "$OUT/warmup" >"$OUT/warmup.out" 2>&1 || true
tail -1 "$OUT/warmup.out"
if [ "$AGENTS" -gt 0 ] && grep -q '"assigned":0,' "$OUT/warmup.out"; then
  # scripts/bench.sh uses the same workspace id: its agents may still hold their last conversations
  echo "WARNING: no assignment in the warm-up — are the agents full from an earlier bench run? Start the cluster on fresh data (rm -rf var/cassandra/{data,commitlog,saved_caches,hints} with everything stopped)."
fi
echo "load: $RATE/s for ${DURATION}s over nodes 1-3; nodes restarted one by one"
load main "$DURATION" "$OUT" >"$OUT/ingest.out" 2>&1 &
LOAD=$!
# where a late message waits: the ingest log's backlog and the read side's lag, per node
sample_lags "$OUT/lags.txt" 9096 9097 9098 &
SAMPLER=$!
trap 'kill $SAMPLER 2>/dev/null || true' EXIT
sleep 20
for i in 3 2 1; do
  pid=$(cat "var/node$i.pid")
  echo "$(date +%T) SIGTERM node $i (pid $pid)"
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
  echo "$(date +%T) node $i exited; starting it again"
  ./omnirouter cluster start "${CLUSTER[@]}" | grep "node $i ready" || true
  echo "$(date +%T) node $i ready"
  sleep 10
done
if ! kill -0 "$LOAD" 2>/dev/null; then
  echo "WARNING: the load ended before the last node was back: not every restart was under load (raise DURATION)"
fi
wait "$LOAD"
kill $SAMPLER 2>/dev/null || true
tail -1 "$OUT/ingest.out"
print_timeline "$OUT/timeline.json"
if [ "$AGENTS" -gt 0 ]; then
  grep -E "replies answered|agents online" "$OUT/ingest.out" || true
  ./omnirouter loadtest verify --url http://127.0.0.1:8081 --workspace bench --token bench-supervisor-token \
    --acked "$OUT/acked.json" --settle 120 | tee "$OUT/verify.json"
else
  ./omnirouter loadtest verify --url http://127.0.0.1:8081 --acked "$OUT/acked.json" --settle 120 | tee "$OUT/verify.json"
fi
