#!/usr/bin/env bash
# Kills `bulwark run` with SIGKILL twice while a stream is being produced, restarts it each time on the same state
# directory, and checks what a user would check (docs/reliability.md):
#   - trained + held out + dead letters = records produced, exactly;
#   - a read_committed consumer sees every version 1..N once, in order, with increasing source offsets;
#   - the last version is bitwise the one of an uninterrupted run on the same input (batch size 1, batch time-out 0:
#     the model depends only on the order of the events).
#
# Usage: deploy/bin/kill9-proof.sh [WORK_DIR]       (from the repository root; default WORK_DIR target/kill9-proof)
# Environment: EVENTS (default 900), RATE events/s (default 10), KILL_AFTER seconds a run lives after its first
# completed checkpoint before its kill (default 4), BULWARK (default ./bulwark).
# Exit status 0 when every check holds; the numbers are printed and kept in WORK_DIR.
set -euo pipefail

WORK="${1:-target/kill9-proof}"
EVENTS="${EVENTS:-900}"
RATE="${RATE:-10}"
KILL_AFTER="${KILL_AFTER:-4}"
BULWARK="${BULWARK:-./bulwark}"

rm -rf "$WORK"
mkdir -p "$WORK"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

echo "kill9-proof: building and starting the stack (one broker, one input partition) ..."
$BULWARK stack --kafka-port 0 --registry-port 0 --partitions 1 --data-dir "$WORK/stack" \
  >"$WORK/stack.out" 2>"$WORK/stack.err" &
PIDS+=($!)
for _ in $(seq 1 600); do
  grep -q '^Ready' "$WORK/stack.out" 2>/dev/null && break
  sleep 0.5
done
grep -q '^Ready' "$WORK/stack.out" || { cat "$WORK/stack.err" >&2; echo "kill9-proof: the stack did not start" >&2; exit 1; }
KAFKA="$(awk '$1 == "kafka" {print $2}' "$WORK/stack.out")"
REGISTRY="$(awk '$1 == "registry" {print $2}' "$WORK/stack.out")"
echo "kill9-proof: Kafka $KAFKA, registry $REGISTRY"

CONNECT=(--bootstrap-servers "$KAFKA" --registry-url "$REGISTRY")
# A small model, batch size 1 and no batch time-out: every run trains the same batches in the same order.
JOB=(--batch-size 1 --batch-timeout 0 --snapshot-every 50 --checkpoint-interval 1s --quiet
  --set encoder.buckets=2048 --set encoder.embeddingDim=16 --set encoder.hiddenDim=16
  --set continual.wide=false --set continual.replayPerClass=0 -Deval.robust=false -Ddevice.intra-op-threads=1)

(zcat data/spamassassin.jsonl.gz || true) | head -n "$EVENTS" >"$WORK/events.jsonl"
$BULWARK produce "${CONNECT[@]}" --input "$WORK/events.jsonl" --rate "$RATE" >"$WORK/produce.out" 2>&1 &
PRODUCER=$!
PIDS+=($PRODUCER)
echo "kill9-proof: producing $EVENTS events at $RATE/s"

for i in 1 2; do
  $BULWARK run "${CONNECT[@]}" "${JOB[@]}" --state-dir "$WORK/state" >"$WORK/run-$i.out" 2>"$WORK/run-$i.err" &
  RUN=$!
  # Kill only once this run completed a checkpoint of its own (a new _metadata), KILL_AFTER seconds later.
  for _ in $(seq 1 600); do
    kill -0 "$RUN" 2>/dev/null || { tail -20 "$WORK/run-$i.err" >&2; echo "kill9-proof: run $i died" >&2; exit 1; }
    [[ -n "$(find "$WORK/state/checkpoints" -name _metadata -newer "$WORK/run-$i.err" 2>/dev/null)" ]] && break
    sleep 0.5
  done
  sleep "$KILL_AFTER"
  kill -KILL "$RUN"
  wait "$RUN" 2>/dev/null || true
  if kill -0 "$PRODUCER" 2>/dev/null; then STREAM="mid-stream"; else STREAM="after the last event was produced"; fi
  echo "kill9-proof: run $i killed with SIGKILL, ${KILL_AFTER}s after its first checkpoint, $STREAM"
done

wait "$PRODUCER"
SENT="$(grep -o 'Sent [0-9]* of' "$WORK/produce.out" | awk '{print $2}')"
echo "kill9-proof: produced $SENT records; run 3 resumes and stops when idle"
$BULWARK run "${CONNECT[@]}" "${JOB[@]}" --state-dir "$WORK/state" --until-idle 10 --report "$WORK/report.json" \
  >"$WORK/run-3.out" 2>"$WORK/run-3.err"

echo "kill9-proof: the uninterrupted reference run on the same input (its own output topics) ..."
REF=(-Dtopic.snapshots=ref.snapshots -Dtopic.snapshots-latest=ref.snapshots.latest -Dtopic.reports=ref.reports
  -Dtopic.dead-letters=ref.deadletters -Dtopic.heldout=ref.heldout -Dgroup-id=ref
  -Dsink.transactional-id-prefix=ref -Djob.name=ref)
$BULWARK run "${CONNECT[@]}" "${JOB[@]}" "${REF[@]}" --state-dir "$WORK/ref-state" --until-idle 10 \
  --report "$WORK/ref-report.json" >"$WORK/ref.out" 2>"$WORK/ref.err"

$BULWARK snapshots list --json "${CONNECT[@]}" >"$WORK/snapshots.jsonl" 2>/dev/null
$BULWARK snapshots list --json "${CONNECT[@]}" --topic ref.snapshots --reports-topic ref.reports \
  >"$WORK/ref-snapshots.jsonl" 2>/dev/null

python3 - "$WORK" "$SENT" <<'EOF'
import json, sys
work, sent = sys.argv[1], int(sys.argv[2])
report = json.load(open(f"{work}/report.json"))
snaps = [json.loads(l) for l in open(f"{work}/snapshots.jsonl") if l.strip()]
ref = [json.loads(l) for l in open(f"{work}/ref-snapshots.jsonl") if l.strip()]
failures = []
total = report["events_trained"] + report["events_held_out"] + report["dead_letters"]
print(f"trained {report['events_trained']} + held out {report['events_held_out']} + dead letters "
      f"{report['dead_letters']} = {total}; produced {sent}; restored from {report['restored_from']}")
if total != sent:
    failures.append(f"counts: {total} != {sent}")
if report["restored_from"] is None:
    failures.append("run 3 did not restore")
versions = [s["version"] for s in snaps]
print(f"versions seen by read_committed: {versions[:3]} ... {versions[-3:]} ({len(versions)})")
if versions != list(range(1, len(versions) + 1)):
    failures.append(f"versions are not 1..N once each in order: {versions}")
offsets = [s["offsets"][0]["offset"] for s in snaps]
if any(b <= a for a, b in zip(offsets, offsets[1:])):
    failures.append(f"source offsets do not increase: {offsets}")
if [(s["version"], s["examples"], s["payload_checksum"]) for s in snaps] != \
        [(s["version"], s["examples"], s["payload_checksum"]) for s in ref]:
    failures.append("versions differ from the uninterrupted run's")
print(f"last version {snaps[-1]['version'] if snaps else None}: payload {snaps[-1]['payload_checksum'] if snaps else None}, "
      f"uninterrupted run {ref[-1]['payload_checksum'] if ref else None}")
if failures:
    print("kill9-proof: FAILED: " + "; ".join(failures))
    sys.exit(1)
print("kill9-proof: every check holds")
EOF
