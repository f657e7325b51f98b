#!/usr/bin/env bash
# Fault drill: a local 3-node cluster (./omnirouter cluster start 3) under steady webhook load sent to
# node 1; node 2 is killed with SIGKILL. Prints the per-second timeline (the seconds in which
# conversations living on node 2 could not be served, until the split-brain resolver downed it and
# their shards started on the survivors) and verifies that every acknowledged message is stored once.
# Usage: scripts/drill-node-kill.sh [RATE=20] [OUT=var/drills/node-kill]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
RATE=${1:-20}
OUT=${2:-var/drills/node-kill}
BEFORE=15
DURATION=75
require_ready "./omnirouter cluster start 3" 8081 8082 8083
mkdir -p "$OUT"
echo "load: $RATE/s for ${DURATION}s to node 1; node 2 killed at ${BEFORE}s"
./omnirouter loadtest ingest --url http://127.0.0.1:8081 --rate "$RATE" --duration "$DURATION" --contacts 300 --redeliveries 0.1 --out "$OUT" >"$OUT/ingest.out" 2>&1 &
LOAD=$!
sleep "$BEFORE"
echo "$(date +%T) kill -9 node 2 (pid $(cat var/node2.pid))"
kill -KILL "$(cat var/node2.pid)"
wait "$LOAD"
tail -1 "$OUT/ingest.out"
print_timeline "$OUT/timeline.json"
./omnirouter loadtest verify --url http://127.0.0.1:8081 --acked "$OUT/acked.json" --settle 120 | tee "$OUT/verify.json"
