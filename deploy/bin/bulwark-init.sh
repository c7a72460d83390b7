#!/usr/bin/env bash
# Creates Bulwark's Kafka topics and submits the Bulwark job to a Flink session cluster.
#
# Usage: bulwark-init.sh [COMMAND]
#   all (default)   topics, then submit
#   topics          create the five topics; topics that exist get their configs re-applied
#   submit [SAVEPOINT]
#                   submit the job detached (from SAVEPOINT if given), unless a job of the same name is
#                   already running, restarting or being created
#   savepoint       trigger a savepoint of the running job and print its path
#   upgrade         stop the running job with a savepoint, then submit the job (of this image) from it
#   print-args      print the job's arguments, one per line, and exit
#
# Job options come from the environment: the option with key K is read from BULWARK_ + K in upper case
# with '.' and '-' turned into '_' (bootstrap-servers <- BULWARK_BOOTSTRAP_SERVERS, topic.snapshots-latest
# <- BULWARK_TOPIC_SNAPSHOTS_LATEST, learner.strategy.type <- BULWARK_LEARNER_STRATEGY_TYPE). Kafka
# client settings pass through: BULWARK_KAFKA_SASL_MECHANISM -> --kafka.sasl.mechanism. Unset or empty
# variables leave the job's default. BULWARK_JOB_EXTRA_ARGS is appended as it is.
#
# Settings of this script (not job options):
#   BULWARK_PARALLELISM                      flink run -p (default 1)
#   BULWARK_JOB_JAR                          the job jar (set by the image)
#   BULWARK_JOB_MAIN_CLASS                   default io.bulwark.job.BulwarkJob
#   BULWARK_FLINK_REST                       JobManager REST address host:port (default jobmanager:8081)
#   BULWARK_SAVEPOINT_DIR                    target of savepoint/upgrade (default: the cluster's
#                                            execution.checkpointing.savepoint-dir)
#   BULWARK_WAIT_SECONDS                     how long to wait for Kafka and Flink (default 300)
#   BULWARK_TOPICS_REPLICATION_FACTOR        default 1
#   BULWARK_TOPICS_INPUT_PARTITIONS          default 4
#   BULWARK_TOPICS_INPUT_RETENTION_MS        default 604800000 (7 days)
#   BULWARK_TOPICS_SNAPSHOT_PARTITIONS       default 1 (snapshots are keyed by model id)
#   BULWARK_TOPICS_SNAPSHOT_RETENTION_MS     default 2592000000 (30 days): the versions kept for rollback
#   BULWARK_TOPICS_MAX_MESSAGE_BYTES         default 33554432 (32 MiB, = the job's sink.max-request-size)
#   BULWARK_TOPICS_REPORT_RETENTION_MS       default 2592000000 (30 days)
#   BULWARK_TOPICS_DEADLETTER_RETENTION_MS   default 7776000000 (90 days)
#   BULWARK_KAFKA_ADMIN_CONFIG               a client properties file for the Kafka tools (SASL/SSL)
set -euo pipefail

# Keys of io.bulwark.job.JobOptions (flink-job's DeploymentConfigTest checks this list against the code).
JOB_OPTION_KEYS=(
  bootstrap-servers
  topic.input
  topic.snapshots
  topic.snapshots-latest
  topic.reports
  topic.heldout
  topic.dead-letters
  registry.url
  registry.basic-auth.user-info
  registry.subject-strategy
  group-id
  starting-offsets
  bounded
  model.default-id
  model.idle-eviction
  batch.size
  batch.timeout
  text.max-length
  labels
  labels.max
  labels.min-count
  device
  device.gpu-resource
  device.intra-op-threads
  snapshot.every-batches
  snapshot.interval
  heldout.fraction
  heldout.window-size
  eval.robust
  eval.attack.steps
  eval.attack.epsilon
  eval.attack.alpha
  eval.attack.restarts
  eval.attack-texts
  eval.every-snapshots
  eval.max-pending
  eval.duty-cycle
  eval.attack.norm
  checkpoint.interval
  sink.delivery-guarantee
  sink.transactional-id-prefix
  sink.transaction-timeout
  sink.max-request-size
  fault.fail-after-batches
  job.name
)

# Keys of io.bulwark.model.LearnerConfig#toMap, passed as --learner.<key> (also checked by the test).
LEARNER_KEYS=(
  encoder.type
  encoder.buckets
  encoder.maxLength
  encoder.charNgrams
  encoder.maxNgramsPerToken
  encoder.normalization
  encoder.embeddingDim
  encoder.hiddenDim
  encoder.layers
  encoder.heads
  encoder.dropout
  strategy.type
  strategy.steps
  strategy.innerSteps
  strategy.deltaBank
  strategy.discreteFlips
  strategy.norm
  strategy.epsilon
  strategy.alpha
  strategy.initMagnitude
  strategy.epsilonScale
  strategy.epsilonRamp
  smart.weight
  smart.steps
  smart.vatOnUnlabeled
  bregman.weight
  bregman.emaMomentum
  optimizer.type
  optimizer.schedule
  optimizer.learningRate
  optimizer.weightDecay
  optimizer.warmupSteps
  optimizer.clipNorm
  seed
  continual.wide
  continual.wideBuckets
  continual.wideLearningRate
  continual.mixtureRate
  continual.mixtureShare
  continual.replayPerClass
  continual.replayFraction
  continual.probePerClass
  continual.probeInjectedWords
  continual.naiveBayesKind
  continual.wideAdversarialWords
)

log() {
  echo "[bulwark-init] $*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# The environment variable that holds the option with key $1.
env_name() {
  local name="BULWARK_$1"
  name="${name//./_}"
  name="${name//-/_}"
  echo "${name^^}"
}

# Prints the job's arguments, one per line.
job_args() {
  local key var
  for key in "${JOB_OPTION_KEYS[@]}"; do
    var="$(env_name "$key")"
    if [ -n "${!var:-}" ]; then
      printf '%s\n' "--$key" "${!var}"
    fi
  done
  for key in "${LEARNER_KEYS[@]}"; do
    var="$(env_name "learner.$key")"
    if [ -n "${!var:-}" ]; then
      printf '%s\n' "--learner.$key" "${!var}"
    fi
  done
  while IFS='=' read -r var _; do
    case "$var" in
      BULWARK_KAFKA_ADMIN_CONFIG) ;;
      BULWARK_KAFKA_?*)
        if [ -n "${!var:-}" ]; then
          key="${var#BULWARK_KAFKA_}"
          key="${key,,}"
          printf '%s\n' "--kafka.${key//_/.}" "${!var}"
        fi
        ;;
    esac
  done < <(env | LC_ALL=C sort)
  if [ -n "${BULWARK_JOB_EXTRA_ARGS:-}" ]; then
    local extra
    read -r -a extra <<< "$BULWARK_JOB_EXTRA_ARGS"
    printf '%s\n' "${extra[@]}"
  fi
}

JOB_NAME="${BULWARK_JOB_NAME:-bulwark}"
WAIT_SECONDS="${BULWARK_WAIT_SECONDS:-300}"
FLINK_REST="${BULWARK_FLINK_REST:-jobmanager:8081}"
FLINK_OPTS=("-Drest.address=${FLINK_REST%:*}" "-Drest.port=${FLINK_REST##*:}")

kafka_opts() {
  KAFKA_OPTS_ARR=(--bootstrap-server "${BULWARK_BOOTSTRAP_SERVERS:?BULWARK_BOOTSTRAP_SERVERS is required}")
  if [ -n "${BULWARK_KAFKA_ADMIN_CONFIG:-}" ]; then
    KAFKA_OPTS_ARR+=(--command-config "$BULWARK_KAFKA_ADMIN_CONFIG")
  fi
}

# Runs "$@" until it succeeds or WAIT_SECONDS pass.
retry() {
  local what="$1"
  shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "$what not reachable after ${WAIT_SECONDS}s"
    fi
    sleep 3
  done
}

# create_topic NAME PARTITIONS CONFIG...  (CONFIG as key=value)
create_topic() {
  local name="$1" partitions="$2"
  shift 2
  local config_args=() joined
  local c
  for c in "$@"; do
    config_args+=(--config "$c")
  done
  kafka-topics.sh "${KAFKA_OPTS_ARR[@]}" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "${BULWARK_TOPICS_REPLICATION_FACTOR:-1}" \
    "${config_args[@]}" >/dev/null
  joined="$(IFS=,; echo "$*")"
  # Re-apply the configs, so a changed setting reaches a topic that already existed.
  kafka-configs.sh "${KAFKA_OPTS_ARR[@]}" --alter --entity-type topics --entity-name "$name" \
    --add-config "$joined" >/dev/null
  log "topic $name: $partitions partition(s), $joined"
}

cmd_topics() {
  kafka_opts
  log "waiting for Kafka at $BULWARK_BOOTSTRAP_SERVERS"
  retry "Kafka" kafka-topics.sh "${KAFKA_OPTS_ARR[@]}" --list
  local max_bytes="${BULWARK_TOPICS_MAX_MESSAGE_BYTES:-33554432}"
  local snapshot_retention="${BULWARK_TOPICS_SNAPSHOT_RETENTION_MS:-2592000000}"
  create_topic "${BULWARK_TOPIC_INPUT:-bulwark.events}" "${BULWARK_TOPICS_INPUT_PARTITIONS:-4}" \
    cleanup.policy=delete "retention.ms=${BULWARK_TOPICS_INPUT_RETENTION_MS:-604800000}"
  create_topic "${BULWARK_TOPIC_SNAPSHOTS:-bulwark.snapshots}" "${BULWARK_TOPICS_SNAPSHOT_PARTITIONS:-1}" \
    cleanup.policy=delete "retention.ms=$snapshot_retention" "max.message.bytes=$max_bytes"
  create_topic "${BULWARK_TOPIC_SNAPSHOTS_LATEST:-bulwark.snapshots.latest}" "${BULWARK_TOPICS_SNAPSHOT_PARTITIONS:-1}" \
    cleanup.policy=compact "max.message.bytes=$max_bytes" min.cleanable.dirty.ratio=0.1 segment.ms=3600000
  create_topic "${BULWARK_TOPIC_REPORTS:-bulwark.reports}" "${BULWARK_TOPICS_SNAPSHOT_PARTITIONS:-1}" \
    cleanup.policy=delete "retention.ms=${BULWARK_TOPICS_REPORT_RETENTION_MS:-2592000000}"
  create_topic "${BULWARK_TOPIC_HELDOUT:-bulwark.heldout}" "${BULWARK_TOPICS_SNAPSHOT_PARTITIONS:-1}" \
    cleanup.policy=delete "retention.ms=${BULWARK_TOPICS_REPORT_RETENTION_MS:-2592000000}"
  create_topic "${BULWARK_TOPIC_DEAD_LETTERS:-bulwark.deadletters}" "${BULWARK_TOPICS_INPUT_PARTITIONS:-4}" \
    cleanup.policy=delete "retention.ms=${BULWARK_TOPICS_DEADLETTER_RETENTION_MS:-7776000000}"
}

wait_for_flink() {
  log "waiting for the Flink JobManager at $FLINK_REST"
  retry "Flink at $FLINK_REST" flink list "${FLINK_OPTS[@]}" -r
}

# Prints the id of the job named JOB_NAME that is running, restarting or created, if any.
running_job_id() {
  flink list "${FLINK_OPTS[@]}" -r 2>/dev/null \
    | awk -F' : ' -v name="$JOB_NAME" 'index($3, name " (") == 1 { print $2; exit }'
}

cmd_submit() {
  local savepoint="${1:-}"
  wait_for_flink
  local running
  running="$(running_job_id)"
  if [ -n "$running" ]; then
    log "job '$JOB_NAME' is already running as $running; not submitting"
    return 0
  fi
  local args=()
  mapfile -t args < <(job_args)
  local run_opts=(-d -p "${BULWARK_PARALLELISM:-1}" -c "${BULWARK_JOB_MAIN_CLASS:-io.bulwark.job.BulwarkJob}")
  if [ -n "$savepoint" ]; then
    run_opts+=(-s "$savepoint")
    log "submitting '$JOB_NAME' from savepoint $savepoint"
  else
    log "submitting '$JOB_NAME'"
  fi
  flink run "${FLINK_OPTS[@]}" "${run_opts[@]}" "${BULWARK_JOB_JAR:?BULWARK_JOB_JAR is required}" "${args[@]}"
}

# Prints the savepoint path that a `flink savepoint` or `flink stop` run printed.
savepoint_path() {
  sed -n 's/.*Savepoint completed\. Path: \([^ ]*\).*/\1/p' | tail -n 1
}

cmd_savepoint() {
  wait_for_flink
  local id out path
  id="$(running_job_id)"
  [ -n "$id" ] || die "no running job named '$JOB_NAME'"
  out="$(flink savepoint "${FLINK_OPTS[@]}" "$id" ${BULWARK_SAVEPOINT_DIR:+"$BULWARK_SAVEPOINT_DIR"} 2>&1)" \
    || die "savepoint of $id failed: $out"
  path="$(savepoint_path <<< "$out")"
  [ -n "$path" ] || die "no savepoint path in the output of flink savepoint: $out"
  echo "$path"
}

cmd_upgrade() {
  wait_for_flink
  local id out path
  id="$(running_job_id)"
  [ -n "$id" ] || die "no running job named '$JOB_NAME' to upgrade"
  log "stopping $id with a savepoint"
  out="$(flink stop "${FLINK_OPTS[@]}" ${BULWARK_SAVEPOINT_DIR:+--savepointPath "$BULWARK_SAVEPOINT_DIR"} "$id" 2>&1)" \
    || die "stop-with-savepoint of $id failed (the job keeps running): $out"
  path="$(savepoint_path <<< "$out")"
  [ -n "$path" ] || die "no savepoint path in the output of flink stop: $out"
  log "savepoint: $path"
  cmd_submit "$path"
}

main() {
  local command="${1:-all}"
  [ $# -eq 0 ] || shift
  case "$command" in
    all)
      cmd_topics
      cmd_submit
      ;;
    topics) cmd_topics ;;
    submit) cmd_submit "$@" ;;
    savepoint) cmd_savepoint ;;
    upgrade) cmd_upgrade ;;
    print-args) job_args ;;
    -h | --help | help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
    *) die "unknown command '$command' (all, topics, submit, savepoint, upgrade, print-args)" ;;
  esac
}

main "$@"
