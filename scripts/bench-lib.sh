# Shared by the benchmark scripts (source it from the project root).

lt() { ./omnirouter loadtest "$@"; }

# The load tool as B2/B3 runs it: C1-compiled only. A fresh load-tool JVM spent about half its CPU
# in its C2 compiler during B2/B3, on the router's two cores; C1 only halved its CPU (0.21 against
# 0.40 cores) and B2/B3's tails fell several times with the agent loop warm (sixteenth session,
# docs/BENCHMARKS.md). Its own code runs slower, which can only lengthen what it measures.
# B23_LOADTEST_JAVA_OPTS overrides (e.g. "-Xmx1g" for the JVM's default compilers); LT_NICE=N runs
# it at nice N.
lt_b23() {
  OMNIROUTER_LOADTEST_JAVA_OPTS="${B23_LOADTEST_JAVA_OPTS:--Xmx1g -XX:TieredStopAtLevel=1}" \
    ${LT_NICE:+nice -n "$LT_NICE"} ./omnirouter loadtest "$@"
}

# Stops the router and the embedded Cassandra and deletes Cassandra's data.
fresh_data() {
  ./omnirouter stop >/dev/null 2>&1 || true; ./omnirouter cassandra stop >/dev/null 2>&1 || true
  rm -rf var/cassandra/{data,commitlog,saved_caches,hints}
}

# Fresh data, the embedded Cassandra, and a router with a 1,000-agent bench workspace (no agent
# online), plus the extra router config $2 if given; writes $1/bench.conf.
fresh_router() {
  local out=$1 extra=${2:-}
  fresh_data
  ./omnirouter cassandra start >/dev/null
  lt workspace --out "$out/bench.conf" --agents 1000 --capacity 5 >/dev/null
  [ -n "$extra" ] && echo "$extra" >>"$out/bench.conf"
  ./omnirouter start --config "$out/bench.conf" >/dev/null 2>&1
}

# Until every acknowledged webhook has reached its thread (the ingest log's backlog is empty), at
# most 240 s.
drained() {
  local b
  for _ in $(seq 1 240); do
    b=$(curl -s 127.0.0.1:9095/metrics | awk '/^omnirouter_ingest_backlog /{print $2}')
    [ "${b:-0}" = "0.0" ] || [ "${b:-0}" = "0" ] && return 0
    sleep 1
  done
  echo "ingest backlog not drained: $b" >&2
}

# The A/B scripts' start: OUT=var/ab/$1 (emptied), then fresh_router with the extra config $2.
ab_router() {
  OUT=var/ab/$1
  rm -rf "$OUT"; mkdir -p "$OUT"
  fresh_router "$OUT" "${2:-}"
}

# CPU time (user + system) of process $1 so far, in clock ticks (getconf CLK_TCK a second).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Until the router used less than 15 % of a core over 5 s (what earlier phases left is done), at most
# $1 seconds (default 120).
quiet() {
  local pid hz a b
  pid=$(cat var/router.pid); hz=$(getconf CLK_TCK)
  for _ in $(seq 1 $((${1:-120} / 5))); do
    a=$(cpu_ticks "$pid"); sleep 5; b=$(cpu_ticks "$pid")
    [ $(((b - a) * 100 / hz / 5)) -lt 15 ] && return 0
  done
  echo "router still busy after ${1:-120} s" >&2
}

# Router JIT compilations so far (jstat -compiler's Compiled column).
compiles() { jstat -compiler "$(cat var/router.pid)" | awk 'NR == 2 {print $1}'; }

# JIT warm-up on the demo workspace (its own teams and contacts, so the bench workspace's entities
# stay new): $2 seconds (default 240) at 150/s, then until the router is quiet. A fresh router at
# 150/s used a whole core for its first ~100 s and ~0.55 of one from the third minute on; its JIT
# compiled ~80 methods a second after one minute, 10-20 after four (thirteenth session,
# docs/BENCHMARKS.md). Writes the compilations of the warm-up's last 30 s to $1/jit.txt.
jit_warm() {
  local secs=${2:-240} sampler
  lt generate --out "$1/jit.jsonl" --duration $((secs + 5)) --rate 150 --contacts 3000 --seed 5 >/dev/null
  (sleep $((secs - 30)); compiles >"$1/jit-c0.txt") &
  sampler=$!
  lt replay --capture "$1/jit.jsonl" --rate 150 --max-seconds "$secs" >/dev/null 2>&1
  wait "$sampler"
  echo "JIT warm-up: $(($(compiles) - $(cat "$1/jit-c0.txt"))) compilations in its last 30 s" >"$1/jit.txt"
  quiet 120
}

# The agent loop's warm-up (sixteenth session): jit_warm sends webhooks only, so B2/B3 used to be
# the router's first work with agents online — reservations, offers, live streams, replies, outbound
# sends, resolves — and its JIT compiled ~5,500 methods during B2/B3's minute. This runs
# B2/B3's own shape on the bench workspace for $2 seconds (default 35): $AGENTS agents (default 1,000)
# online, B23_RATE (default 50) new conversations a second, from customers numbered from 100,000 (the
# measured runs' customers, 0–4,999, stay new); then until the ingest log is drained and the router
# is quiet. Writes $1/agents-warm.txt (the router's JIT compilations during it).
agents_warm() {
  local secs=${2:-35} k0
  lt generate --workspace bench --seed 9 --first-contact 100000 --out "$1/agents-warm.jsonl" \
    --duration $((secs + 5)) --rate "${B23_RATE:-50}" --contacts 5000 --burst-every 0 >/dev/null
  k0=$(compiles)
  lt_b23 replay --workspace bench --capture "$1/agents-warm.jsonl" --rate "${B23_RATE:-50}" --max-seconds "$secs" \
    --agents "${AGENTS:-1000}" --think 5 --settle 10 >/dev/null 2>&1
  drained
  quiet 120
  echo "agent loop warm-up: $(($(compiles) - k0)) router JIT compilations" >"$1/agents-warm.txt"
}

# B1's warm-up on the bench workspace (60 s at 150/s: the busiest contacts become known, the JIT
# compiles the hot path), then until the router is quiet; and B1's capture (50,000 requests: seed 2,
# 5,000 contacts, no bursts), to $1/warm.jsonl and $1/b1.jsonl. (bench.sh's own B1 takes a longer
# capture and waits for the ingest log to drain instead.)
warm_for_b1() {
  lt generate --workspace bench --seed 1 --out "$1/warm.jsonl" --duration 60 --rate 150 --contacts 5000 >/dev/null
  lt replay --workspace bench --capture "$1/warm.jsonl" --rate 150 --max-seconds 60 >/dev/null 2>&1
  quiet 300
  lt generate --workspace bench --seed 2 --out "$1/b1.jsonl" --duration 100 --rate 500 --contacts 5000 \
    --burst-every 0 >/dev/null
}

# GC pauses from a JVM's -Xlog:gc file (the router's var/log/gc.log, the embedded Cassandra's
# var/cassandra/log/gc.log): `gc_mark FILE` prints the file's line count now; `gc_pauses LABEL FILE N`
# summarises the pauses logged after line N (count, total, p50, max, how many ≥ 50 / ≥ 100 ms).
# Every acknowledgement waits out a pause of the router that takes it and of the Cassandra that writes it.
gc_mark() { wc -l <"$1" 2>/dev/null || echo 0; }
gc_pauses() {
  tail -n +$((${3:-0} + 1)) "$2" 2>/dev/null | python3 -c '
import re, sys
label = sys.argv[1]
ms = sorted(float(m.group(1)) for l in sys.stdin if "Pause" in l
            for m in [re.search(r"([0-9.]+)ms$", l.strip())] if m)
if not ms: print(label, "GC pauses: none logged"); sys.exit()
print("%s GC pauses: %d, total %.0f ms, p50 %.1f ms, max %.0f ms, %d >= 50 ms, %d >= 100 ms" % (
    label, len(ms), sum(ms), ms[len(ms) // 2], ms[-1], sum(m >= 50 for m in ms), sum(m >= 100 for m in ms)))' "$1"
}
ROUTER_GC=var/log/gc.log
CASSANDRA_GC=var/cassandra/log/gc.log

# The router's /metrics (Prometheus text) now, to $1; `hist_delta NAME A B` prints a histogram's
# samples between two such files: their count and the bucket (upper bound) holding p50 / p90 / p99 —
# Kamon's time buckets: 5, 10, 25, 50, 75, 100, 250, 500, 750 ms, 1, 2.5, 5, 7.5, 10 s. Kamon updates
# /metrics every 10 s (kamon.metric.tick-interval): take the second file at least 10 s after the load.
metrics_snap() { curl -s 127.0.0.1:9095/metrics >"$1" || true; }
# The router's webhook handling time and ingest wait between two metrics_snap files $1 and $2.
router_histograms() {
  for h in omnirouter_webhook_handling_seconds omnirouter_ingest_wait_seconds; do
    hist_delta $h "$1" "$2" || true
  done
  # the two writes of each assignment (ADR 0004): the agent's reservation, the conversation's acceptance
  for step in reserve accept; do
    hist_delta omnirouter_assignment_step_seconds "$1" "$2" "step=\"$step\"" || true
  done
}
hist_delta() {
  python3 - "$@" <<'PY'
import re, sys
name, a, b = sys.argv[1:4]
label = sys.argv[4] if len(sys.argv) > 4 else ''  # only the series with this label, e.g. step="reserve"
def buckets(f):
    out = {}
    for l in open(f):
        if label not in l:
            continue
        m = re.match(r'%s_bucket\{.*le="([^"]+)".*\} ([0-9.e+]+)$' % re.escape(name), l.strip())
        if m:
            out[float(m.group(1))] = out.get(float(m.group(1)), 0) + float(m.group(2))
    return out
x, y = buckets(a), buckets(b)
d = sorted((le, y.get(le, 0) - x.get(le, 0)) for le in y)
n = d[-1][1] if d else 0
if not n:
    print(name, 'no samples'); sys.exit()
def q(p): return next(le for le, c in d if c >= p * n)
fmt = lambda s: 'over %g s' % d[-2][0] if s == float('inf') else '%g ms' % (s * 1000)
print('%s%s: %d, p50 <= %s, p90 <= %s, p99 <= %s' % (name, '{%s}' % label if label else '', n, fmt(q(.5)), fmt(q(.9)), fmt(q(.99))))
PY
}

# CPU by process while a phase runs: `cpu_sample FILE &` writes, once a second, the seconds since it
# started and the CPU ticks so far of the router, the embedded Cassandra and the load tool's replay
# (0 while it is not running); `cpu_share FILE FROM TO` prints each one's share of a core (and of the
# machine's cores together) between those seconds. Kill the sampler when the phase is over.
cpu_sample() {
  local router cassandra lt t=0
  router=$(cat var/router.pid); cassandra=$(cat var/cassandra/cassandra.pid)
  while sleep 1; do
    t=$((t + 1))
    lt=$(pgrep -f 'io.omnirouter.loadtest.LoadTest replay' | head -1)
    echo "$t $(cpu_ticks "$router") $(cpu_ticks "$cassandra") $( [ -n "$lt" ] && cpu_ticks "$lt" || echo 0) \
      $(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)"
  done >"$1"
}
cpu_share() {
  python3 - "$@" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import sys
f, a, b, hz, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rows = {int(r[0]): [int(x) for x in r[1:]] for r in (l.split() for l in open(f)) if len(r) == 6}
x, y = rows[a], rows[b]
s = b - a
cores = lambda i: (y[i] - x[i]) / hz / s
busy, idle = y[3] - x[3], y[4] - x[4]
print('CPU in seconds %d-%d (cores): router %.2f, Cassandra %.2f, load tool %.2f, machine busy %.0f %% of %d cores'
      % (a, b, cores(0), cores(1), cores(2), 100 * busy / (busy + idle), n))
PY
}
