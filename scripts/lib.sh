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
