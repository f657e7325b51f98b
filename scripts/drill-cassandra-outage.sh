#!/usr/bin/env bash
# Fault drill: Cassandra stopped for OUTAGE seconds under steady webhook load, started again; the
# router must answer 503 quickly while it is gone (no 200 for unsaved messages, no long hangs) and
# recover by itself. Prints the per-second timeline and the verification (nothing acknowledged lost,
# nothing stored twice). Needs a router started with ./omnirouter start (embedded Cassandra).
# Usage: scripts/drill-cassandra-outage.sh [RATE=20] [OUTAGE=30] [OUT=var/drills/cassandra-outage]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
RATE=${1:-20}
OUTAGE=${2:-30}
OUT=${3:-var/drills/cassandra-outage}
BEFORE=20
AFTER=60
DURATION=$((BEFORE + OUTAGE + AFTER))
require_ready "./omnirouter start" 8080
mkdir -p "$OUT"
echo "load: $RATE/s for ${DURATION}s; Cassandra stops at ${BEFORE}s for ${OUTAGE}s"
./omnirouter loadtest ingest --rate "$RATE" --duration "$DURATION" --contacts 200 --redeliveries 0.1 --out "$OUT" >"$OUT/ingest.out" 2>&1 &
LOAD=$!
sleep "$BEFORE"
echo "$(date +%T) stopping Cassandra"
./omnirouter cassandra stop
sleep "$OUTAGE"
echo "$(date +%T) starting Cassandra"
./omnirouter cassandra start
wait "$LOAD"
tail -1 "$OUT/ingest.out"
print_timeline "$OUT/timeline.json"
echo "ready after the drill: $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/ready)"
./omnirouter loadtest verify --acked "$OUT/acked.json" --settle 120 | tee "$OUT/verify.json"
