#!/usr/bin/env bash
# Drill: restart every node of a local 3-node cluster (./omnirouter cluster start 3), one at a time
# with SIGTERM (graceful leave: shards hand over), under steady webhook load spread over the three
# nodes. The load tool acts like a load balancer: a request it could not deliver to a node that is
# gone goes to the next (safe: a redelivered webhook is stored once). Counts failed requests and
# verifies every acknowledged message is stored exactly once.
# Usage: scripts/drill-rolling-restart.sh [RATE=20] [OUT=var/drills/rolling-restart]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
RATE=${1:-20}
OUT=${2:-var/drills/rolling-restart}
# long enough for all three restarts to fall inside the load (a node takes ~80 s to start here)
DURATION=${DURATION:-360}
WARMUP=${WARMUP:-30}
require_ready "./omnirouter cluster start 3" 8081 8082 8083
mkdir -p "$OUT"
# A freshly started cluster is cold (JIT, first allocation of every shard, Cassandra caches): its first
# seconds are not what a rolling restart is about. Warm it up first; this part is not counted.
echo "warm-up: $RATE/s for ${WARMUP}s (not counted)"
./omnirouter loadtest ingest --url http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083 \
  --rate "$RATE" --duration "$WARMUP" --contacts 300 --redeliveries 0.1 --out "$OUT/warmup" >"$OUT/warmup.out" 2>&1 || true
tail -1 "$OUT/warmup.out"
echo "load: $RATE/s for ${DURATION}s over nodes 1-3; nodes restarted one by one"
./omnirouter loadtest ingest --url http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083 \
  --rate "$RATE" --duration "$DURATION" --contacts 300 --redeliveries 0.1 --out "$OUT" >"$OUT/ingest.out" 2>&1 &
LOAD=$!
sleep 20
for i in 3 2 1; do
  pid=$(cat "var/node$i.pid")
  echo "$(date +%T) SIGTERM node $i (pid $pid)"
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
  echo "$(date +%T) node $i exited; starting it again"
  ./omnirouter cluster start 3 | grep "node $i ready" || true
  echo "$(date +%T) node $i ready"
  sleep 10
done
if ! kill -0 "$LOAD" 2>/dev/null; then
  echo "WARNING: the load ended before the last node was back: not every restart was under load (raise DURATION)"
fi
wait "$LOAD"
tail -1 "$OUT/ingest.out"
print_timeline "$OUT/timeline.json"
./omnirouter loadtest verify --url http://127.0.0.1:8081 --acked "$OUT/acked.json" --settle 120 | tee "$OUT/verify.json"
