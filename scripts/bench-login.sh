#!/usr/bin/env bash
# B3 when a team's agents log in to a long queue (fifteenth session): on fresh data, the bench
# workspace with no agent online gets QUEUE_SECONDS (60) of messages at QUEUE_RATE (40/s) from many
# contacts, so conversations queue up; the router restarts (RESTART=0 skips it), as after a night,
# so the queued conversations recover from the journal when they are offered; then its 1,000 agents
# come online (the load tool's agent simulators, capacity 5 each) while new messages go on at 5/s.
# Prints the queue at login, how long it took to empty, the assignments that got no answer within
# step-timeout and were retried, and what the agents measured. The queue is sampled every second
# from GET /teams/support/queue ($OUT/queue.tsv: seconds since the login began, length, in flight).
# Usage: scripts/bench-login.sh NAME ["extra router config"]; results in var/ab/NAME.
#   e.g. scripts/bench-login.sh uncapped "omnirouter.team-router.max-assignments-in-flight = 1000000"
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
ab_router "$1" "${2:-}"
QUEUE_SECONDS=${QUEUE_SECONDS:-60}; QUEUE_RATE=${QUEUE_RATE:-40}
lt generate --workspace bench --seed 7 --out "$OUT/queue.jsonl" --duration $((QUEUE_SECONDS + 5)) \
  --rate "$QUEUE_RATE" --contacts 100000 --burst-every 0 >/dev/null
lt replay --workspace bench --capture "$OUT/queue.jsonl" --rate "$QUEUE_RATE" --max-seconds "$QUEUE_SECONDS" \
  >/dev/null 2>&1
drained
if [ "${RESTART:-1}" = 1 ]; then
  ./omnirouter stop >/dev/null 2>&1
  ./omnirouter start --config "$OUT/bench.conf" >/dev/null 2>&1
fi
quiet 120
lt generate --workspace bench --seed 8 --out "$OUT/login.jsonl" --duration 65 --rate 5 --contacts 5000 \
  --burst-every 0 >/dev/null
log0=$(wc -l <var/log/router.log)
python3 - "$OUT/queue.tsv" <<'PY' &
import json, sys, time, urllib.request
req = urllib.request.Request('http://127.0.0.1:8080/api/v1/workspaces/bench/teams/support/queue',
                             headers={'Authorization': 'Bearer bench-supervisor-token'})
t0 = time.time()
with open(sys.argv[1], 'w') as out:
    while time.time() - t0 < 120:
        try:
            q = json.load(urllib.request.urlopen(req, timeout=5))
            out.write('%.1f\t%d\t%d\n' % (time.time() - t0, q['length'], q['assignmentsInFlight']))
            out.flush()
        except Exception as e:
            out.write('%.1f\terror\t%s\n' % (time.time() - t0, e))
        time.sleep(1)
PY
sampler=$!
sleep 2
lt replay --workspace bench --capture "$OUT/login.jsonl" --rate 5 --max-seconds 60 --agents 1000 \
  --think 5 --settle 15 --out "$OUT/login" >/dev/null 2>&1
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
retried=$(tail -n +$((log0 + 1)) var/log/router.log | grep -c "got no answer")
python3 - "$OUT" "$retried" <<'PY'
import json, sys
o, retried = sys.argv[1], sys.argv[2]
rows = [l.split('\t') for l in open(o + '/queue.tsv') if '\terror\t' not in l]
rows = [(float(t), int(n), int(f)) for t, n, f in rows]
at_login = rows[0][1] + rows[0][2] if rows else None
start = next((t for t, n, f in rows if f > 0 or n < rows[0][1]), None)
empty = next((t for t, n, f in rows if start is not None and t > start and n == 0 and f == 0), None)
print(o, 'queue at login:', at_login, '| first assignment seen at %ss' % start,
      '| empty at %ss' % empty if empty else '| not empty by the end (%d left)' % (rows[-1][1] + rows[-1][2]),
      '| most in flight:', max(f for t, n, f in rows), '| retried (no answer in step-timeout):', retried)
a = json.load(open(o + '/login/summary.json'))['agents']
for k in ('webhook_to_agent_visible', 'queued_to_assigned', 'queued_to_decided'):
    print(o, k, {x: a[k][x] for x in ('count', 'p50_ms', 'p99_ms', 'max_ms')})
print(o, 'assigned/replied/resolved seen by the agents:', a['assigned'], a['replies'], a['resolved'])
PY
./omnirouter stop >/dev/null 2>&1; ./omnirouter cassandra stop >/dev/null 2>&1
