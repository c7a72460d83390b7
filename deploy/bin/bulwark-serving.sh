#!/usr/bin/env bash
# Starts `ServingCli serve` with its options taken from the environment (entrypoint of the serving image).
#
# Usage: bulwark-serving.sh [print-args | EXTRA SERVE OPTIONS...]
#
# Shared with the job (same env file):
#   BULWARK_BOOTSTRAP_SERVERS              -> --bootstrap-servers
#   BULWARK_REGISTRY_URL                   -> --registry-url
#   BULWARK_REGISTRY_BASIC_AUTH_USER_INFO  -> --registry-property basic.auth.user.info=... (USER_INFO source)
#   BULWARK_TOPIC_SNAPSHOTS                -> --snapshot-topic
#   BULWARK_TOPIC_SNAPSHOTS_LATEST         -> --latest-topic
#   BULWARK_TOPIC_REPORTS                  -> --report-topic
#   BULWARK_TOPIC_HELDOUT                  -> --heldout-topic
#   BULWARK_KAFKA_<KEY>                    -> --kafka-property <key, lower case, '_' as '.'>=value
# Serving only:
#   BULWARK_SERVING_<OPTION>               -> --<option, lower case, '_' as '-'> (the options listed below;
#                                             BULWARK_SERVING_SHADOW=true adds --shadow)
#   BULWARK_ADMIN_TOKEN                    read by the server itself: bearer token of the admin API
#   BULWARK_SERVING_EXTRA_ARGS             appended as it is
#   BULWARK_SERVING_JAVA_OPTS              JVM options (default -XX:MaxRAMPercentage=75)
set -euo pipefail

# Options of `ServingCli serve` (flink-job's DeploymentConfigTest checks them against serving's source).
SERVING_OPTIONS=(
  host
  port
  snapshot-start
  device
  max-versions
  max-reports
  loader-threads
  max-body-bytes
  max-batch
  max-text-chars
  gate-margin
  gate-require-report
  gate-min-examples
  gate-confidence
  canary-capacity
  heldout-replay
  canary-seed
  rollback-threshold
  rollback-checks
  arm-a
  arm-b
  weight-a
  weight-b
  shadow-share
  monitor-reference
  monitor-window
  feedback-capacity
  kafka-config
)

serve_args() {
  local opt var
  [ -z "${BULWARK_BOOTSTRAP_SERVERS:-}" ] || printf '%s\n' --bootstrap-servers "$BULWARK_BOOTSTRAP_SERVERS"
  [ -z "${BULWARK_REGISTRY_URL:-}" ] || printf '%s\n' --registry-url "$BULWARK_REGISTRY_URL"
  if [ -n "${BULWARK_REGISTRY_BASIC_AUTH_USER_INFO:-}" ]; then
    printf '%s\n' --registry-property basic.auth.credentials.source=USER_INFO \
      --registry-property "basic.auth.user.info=$BULWARK_REGISTRY_BASIC_AUTH_USER_INFO"
  fi
  [ -z "${BULWARK_TOPIC_SNAPSHOTS:-}" ] || printf '%s\n' --snapshot-topic "$BULWARK_TOPIC_SNAPSHOTS"
  [ -z "${BULWARK_TOPIC_SNAPSHOTS_LATEST:-}" ] || printf '%s\n' --latest-topic "$BULWARK_TOPIC_SNAPSHOTS_LATEST"
  [ -z "${BULWARK_TOPIC_REPORTS:-}" ] || printf '%s\n' --report-topic "$BULWARK_TOPIC_REPORTS"
  [ -z "${BULWARK_TOPIC_HELDOUT:-}" ] || printf '%s\n' --heldout-topic "$BULWARK_TOPIC_HELDOUT"
  while IFS='=' read -r var _; do
    case "$var" in
      BULWARK_KAFKA_ADMIN_CONFIG) ;;
      BULWARK_KAFKA_?*)
        if [ -n "${!var:-}" ]; then
          opt="${var#BULWARK_KAFKA_}"
          opt="${opt,,}"
          printf '%s\n' --kafka-property "${opt//_/.}=${!var}"
        fi
        ;;
    esac
  done < <(env | LC_ALL=C sort)
  for opt in "${SERVING_OPTIONS[@]}"; do
    var="BULWARK_SERVING_${opt//-/_}"
    var="${var^^}"
    [ -z "${!var:-}" ] || printf '%s\n' "--$opt" "${!var}"
  done
  if [ "${BULWARK_SERVING_SHADOW:-false}" = "true" ]; then
    printf '%s\n' --shadow
  fi
  if [ -n "${BULWARK_SERVING_EXTRA_ARGS:-}" ]; then
    local extra
    read -r -a extra <<< "$BULWARK_SERVING_EXTRA_ARGS"
    printf '%s\n' "${extra[@]}"
  fi
}

if [ "${1:-}" = "print-args" ]; then
  serve_args
  exit 0
fi

mapfile -t args < <(serve_args)
read -r -a java_opts <<< "${BULWARK_SERVING_JAVA_OPTS:--XX:MaxRAMPercentage=75}"
exec java "${java_opts[@]}" -cp "${BULWARK_SERVING_HOME:-/opt/bulwark/serving}/lib/*" \
  io.bulwark.serving.cli.ServingCli serve "${args[@]}" "$@"
