# Shared by the drills (sourced, not run).

# Fails unless every given HTTP port answers /ready with 200; $1 says what to start.
require_ready() {
  local hint=$1; shift
  for port in "$@"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" = 200 ] ||
      { echo "start it first: $hint" >&2; exit 1; }
  done
}

# The per-second timeline of a load run: second, statuses, worst latency.
print_timeline() {
  echo "timeline (second of the run: statuses, worst latency ms):"
  ./omnirouter loadtest timeline --file "$1"
}

# Samples the nodes' ingest backlog and projection lag every 5 s (Kamon's gauges, refreshed every
# 10 s) into $1 until killed: "time port metric value", one line per non-zero value.
sample_lags() {
  local out=$1; shift
  while true; do
    for port in "$@"; do
      curl -s --max-time 2 "http://127.0.0.1:$port/metrics" 2>/dev/null |
        grep -E '^omnirouter_(ingest_oldest_seconds|ingest_backlog|projection_lag_seconds)' |
        awk -v t="$(date +%T)" -v p="$port" '$NF != "0.0" { print t, p, $0 }' >>"$out" || true
    done
    sleep 5
  done
}
