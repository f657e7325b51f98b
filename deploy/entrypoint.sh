#!/usr/bin/env bash
# The router image's entrypoint (Dockerfile). Arguments: config files, as for io.omnirouter.server.Main
# (a file named earlier overrides one named later).
#
# OMNIROUTER_PEERS (set by deploy/kubernetes/statefulset.yaml): the router pods' host names. A pod
# that finds another of them answering on the HTTP port — a router opens it only once it is Up in a
# cluster and closes it first when it leaves — joins that running cluster through the ones that
# answer, never itself. Only when none answers do the config's seed nodes apply (pod 0 first, which
# forms a new cluster). So pod 0, restarted last in a rolling update, cannot form a second cluster
# next to the running one when pod 1 is slow to answer (docs/DEPLOY.md; docs/RELIABILITY.md, drill 20).
# OMNIROUTER_DRY_RUN=1 prints the command instead of running it.
set -eu
args=("$@")
seeds=""
if [ -n "${OMNIROUTER_PEERS:-}" ]; then
  running=()
  for peer in $OMNIROUTER_PEERS; do
    [ "$peer" = "${OMNIROUTER_REMOTE_HOST:-}" ] && continue
    if timeout 2 bash -c "exec 3<>/dev/tcp/$peer/${OMNIROUTER_PEER_HTTP_PORT:-8080}" 2>/dev/null; then
      running+=("\"pekko://omnirouter@$peer:${OMNIROUTER_PEER_REMOTING_PORT:-25520}\"")
    fi
  done
  if [ ${#running[@]} -gt 0 ]; then
    seeds=${TMPDIR:-/tmp}/omnirouter-seeds.conf
    printf 'pekko.cluster.seed-nodes = [%s]\n' "$(IFS=,; echo "${running[*]}")" >"$seeds"
    echo "Routers answering: joining their cluster through ${running[*]}" >&2
    args=("$seeds" "${args[@]}")
  fi
fi
cmd=(java ${OMNIROUTER_JAVA_OPTS:-} -Domnirouter.log.dir=/tmp -Dlogback.configurationFile=conf/logback.xml
  -cp 'lib/*' io.omnirouter.server.Main "${args[@]}")
if [ -n "${OMNIROUTER_DRY_RUN:-}" ]; then
  echo "${cmd[*]}"
  [ -z "$seeds" ] || cat "$seeds"
  exit 0
fi
exec "${cmd[@]}"
