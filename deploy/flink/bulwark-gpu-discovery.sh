#!/usr/bin/env bash
# GPU discovery script of Flink's GPU external resource (external-resource.gpu.param.discovery-script.path).
#
# Flink's GPU driver runs it as `bulwark-gpu-discovery.sh AMOUNT ARGS...`, where AMOUNT is
# external-resource.gpu.amount and ARGS is external-resource.gpu.param.discovery-script.args. It prints
# the indexes of AMOUNT visible NVIDIA GPUs on one line, comma-separated, and exits non-zero when fewer
# are visible; the TaskManager then reports no GPU and the training operator runs on CPU.
#
# Inside a container the NVIDIA runtime exposes only the GPUs reserved for it, numbered from 0 as CUDA
# numbers them, so the printed indexes are the CUDA device ids the operator opens ("gpu:<index>").
#
# ARGS:
#   --nvidia-smi PATH   the nvidia-smi binary to ask (default: nvidia-smi on PATH)
set -euo pipefail

usage() {
  echo "usage: $0 AMOUNT [--nvidia-smi PATH]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
amount="$1"
shift
if ! [[ "$amount" =~ ^[1-9][0-9]*$ ]]; then
  echo "AMOUNT must be a positive integer, got '$amount'" >&2
  exit 2
fi

smi=nvidia-smi
while [ $# -gt 0 ]; do
  case "$1" in
    --nvidia-smi)
      [ $# -ge 2 ] || usage
      smi="$2"
      shift 2
      ;;
    null)
      # Flink's driver passes the literal word "null" when discovery-script.args is unset.
      shift
      ;;
    *)
      echo "unknown argument '$1'" >&2
      usage
      ;;
  esac
done

if ! command -v "$smi" >/dev/null 2>&1; then
  echo "'$smi' not found: no NVIDIA GPU is visible to this TaskManager" >&2
  exit 1
fi

if ! listing="$("$smi" --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "'$smi' failed: $listing" >&2
  exit 1
fi

indexes=()
while IFS= read -r line; do
  line="${line//[[:space:]]/}"
  if [[ "$line" =~ ^[0-9]+$ ]]; then
    indexes+=("$line")
  fi
done <<< "$listing"

if [ "${#indexes[@]}" -lt "$amount" ]; then
  echo "asked for $amount GPU(s), '$smi' lists ${#indexes[@]}" >&2
  exit 1
fi

picked=("${indexes[@]:0:$amount}")
(IFS=,; echo "${picked[*]}")
