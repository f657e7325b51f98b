#!/usr/bin/env bash
# Drill: restart every node of a local 3-node cluster (./omnirouter cluster start 3), one at a time
# with SIGTERM (graceful leave: shards hand over), under steady webhook load spread over the three
# nodes. The load tool acts like a load balancer: a request it could not deliver to a node that is
# gone goes to the next (safe: a redelivered webhook is stored once). Counts failed requests and
# verifies every acknowledged message is stored exactly once.
# Usage: scripts/drill-rolling-restart.sh [RATE=20] [OUT=var/drills/rolling-restart]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-20}
OUT=${2:-var/drills/rolling-restart}
DURATION=200
for port in 8081 8082 8083; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" = 200 ] || { echo "start the cluster first: ./omnirouter cluster start 3" >&2; exit 1; }
done
mkdir -p "$OUT"
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
wait "$LOAD"
tail -1 "$OUT/ingest.out"
python3 - "$OUT/timeline.json" <<'PY'
import json, sys
bad = {s: v for s, v in json.load(open(sys.argv[1])).items() if set(v["statuses"]) != {"200"}}
print("seconds with a non-200:", len(bad))
for s, v in sorted(bad.items(), key=lambda kv: int(kv[0])):
    print(f"{int(s):4d}  {v['statuses']}  {v['maxLatencyMillis']} ms")
PY
./omnirouter loadtest verify --url http://127.0.0.1:8081 --acked "$OUT/acked.json" --settle 120 | tee "$OUT/verify.json"
