#!/usr/bin/env bash
# What messages cost (twelfth session): on fresh data, the bench workspace with no agent online,
# the JIT warm-up on the demo workspace (JIT_SECONDS, 240), bench-b1.sh's warm-up (60 s at
# 150/s), a wait until the router is quiet, then RATE/s of B1's capture for SECONDS_AT_RATE; prints
# the ack latency, the router's and Cassandra's CPU seconds (/proc; the router's also by thread
# pool, from thread dumps), the JIT compilations, and every table's Cassandra read and write counts
# over the run and until the router is quiet again (nodetool tablestats, from the embedded
# Cassandra's own classpath).
# Usage: scripts/bench-cost.sh NAME ["extra router config"]; results in var/ab/NAME.
#   env: RATE=100  SECONDS_AT_RATE=30  JIT_SECONDS=240 (RATE × SECONDS_AT_RATE at most 50,000)
set -uo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-100}; SECONDS_AT_RATE=${SECONDS_AT_RATE:-30}
. scripts/bench-lib.sh

# "keyspace.table reads writes" for every table
table_counts() {
  java -Xmx256m --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
    --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "$(cat var/cassandra-runtime/classpath.txt)" org.apache.cassandra.tools.NodeTool \
    -h 127.0.0.1 -p 7199 tablestats 2>/dev/null | awk '
    /^Keyspace:/ {ks = $2} /Table: / {t = $2} /Local read count:/ {r = $4}
    /Local write count:/ {print ks "." t, r, $4}'
}

ab_router "$1" "${2:-}"
jit_warm "$OUT" "${JIT_SECONDS:-240}"
warm_for_b1 "$OUT" # then B1's capture, replayed from its start at RATE/s
table_counts >"$OUT/tables-before.txt"
router=$(cat var/router.pid); cassandra=$(cat var/cassandra/cassandra.pid)
r0=$(cpu_ticks "$router"); c0=$(cpu_ticks "$cassandra")
jcmd "$router" Thread.print >"$OUT/threads-before.txt" 2>/dev/null; k0=$(compiles)
lt replay --workspace bench --capture "$OUT/b1.jsonl" --steps "$RATE" --step-seconds "$SECONDS_AT_RATE" \
  --out "$OUT/b1" >/dev/null 2>&1
r1=$(cpu_ticks "$router"); c1=$(cpu_ticks "$cassandra")
quiet 120
r2=$(cpu_ticks "$router"); c2=$(cpu_ticks "$cassandra")
jcmd "$router" Thread.print >"$OUT/threads-after.txt" 2>/dev/null
table_counts >"$OUT/tables-after.txt"
hz=$(getconf CLK_TCK)
echo "$OUT JIT compilations during the run: $(($(compiles) - k0)); $(cat "$OUT/jit.txt")"
echo "$OUT CPU seconds during the run / until quiet: router $(((r1 - r0) / hz)) / $(((r2 - r0) / hz)), Cassandra $(((c1 - c0) / hz)) / $(((c2 - c0) / hz))"
python3 - "$OUT" <<'PY'
import json, sys
o = sys.argv[1]
for s in json.load(open(o + '/b1/summary.json'))['steps']:
    print(o, 'webhooks', s['target_rate'], '/s', s['statuses'], 'p50', s['p50_ms'], 'p99', s['p99_ms'])
before = {l.split()[0]: l.split()[1:] for l in open(o + '/tables-before.txt')}
rows = []
for line in open(o + '/tables-after.txt'):
    table, r, w = line.split()
    r0, w0 = before.get(table, ['0', '0'])
    dr, dw = int(r) - int(r0), int(w) - int(w0)
    if dr or dw:
        rows.append((dr + dw, table, dr, dw))
for _, table, dr, dw in sorted(rows, reverse=True):
    print('  %-45s reads %7d  writes %7d' % (table, dr, dw))
print('  total operations', sum(r[0] for r in rows))
# the router's CPU by thread pool (thread dumps' cpu=, names without their numbers)
import re
def pools(path):
    out = {}
    for m in re.finditer(r'^"([^"]+)".*? cpu=([0-9.]+)ms', open(path).read(), re.M):
        out[m.group(1)] = float(m.group(2))
    return out
b, a = pools(o + '/threads-before.txt'), pools(o + '/threads-after.txt')
by = {}
for name, ms in a.items():
    pool = re.sub(r'[0-9]+', 'N', name)
    by[pool] = by.get(pool, 0) + ms - b.get(name, 0)
total = sum(by.values())
print('  router CPU by thread pool (s), of %.1f in threads:' % (total / 1000))
for pool, ms in sorted(by.items(), key=lambda x: -x[1])[:14]:
    print('  %-60s %6.1f' % (pool, ms / 1000))
PY
./omnirouter stop >/dev/null 2>&1; ./omnirouter cassandra stop >/dev/null 2>&1
