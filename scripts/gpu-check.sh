#!/usr/bin/env bash
# GPU check: runs a release binary built beforehand (a GPU machine may have no package registry)
# through `backends`, an f32 gradient check of the deep net, a full `train configs/deep_cat.toml`
# and `bench` on the four shipped configs, on one backend, and prints one table.
#
#   cargo build --release --features cuda          # on a machine with the registry (and CUDA)
#   scripts/gpu-check.sh [BACKEND] [BINARY]        # BACKEND: cuda (default) or wgpu
#
# Needs the cat files in datasets/ (datasets/README.md). Writes its runs under $OUT (default
# a temporary folder) and exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-cuda}"
bin="${2:-target/release/simplenn}"
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"
[ -x "$bin" ] || { echo "no binary at $bin: build it first (cargo build --release --features $backend)"; exit 2; }
export SIMPLENN_BACKEND="$backend"

rows=()
row() { rows+=("| $1 | $2 | $3 |"); }
run() { # log name, label, then the command; records pass/fail and the seconds it took
  local log="$out/$1.log" label="$2"; shift 2
  local t0 status; t0=$(date +%s%N)
  if "$@" >"$log" 2>&1; then status=ok; else status=FAILED; fi
  local ms=$((($(date +%s%N) - t0) / 1000000))
  row "$label" "$status" "$((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
  echo "--- $label: $status"; tail -n 25 "$log"
  [ "$status" = ok ]
}

ok=true
run backends "backends" "$bin" backends || ok=false
run gradcheck "gradcheck deep_cat, f32, after 20 steps" "$bin" gradcheck configs/deep_cat.toml --precision f32 --steps 20 || ok=false
run train "train configs/deep_cat.toml (whole run)" "$bin" train configs/deep_cat.toml --out "$out/deep_cat" --force -q || ok=false
run bench "bench, 4 configs, 50 iterations" "$bin" bench configs/logistic_cat.toml configs/two_layer_cat.toml \
  configs/deep_cat.toml configs/shallow_planar.toml --iterations 50 || ok=false

echo
echo "GPU check on $(hostname), backend $backend, $(date -u +%F)"
"$bin" --version
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
echo "| step | result | wall time |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ -f "$out/deep_cat/metrics.json" ]; then
  echo
  echo "deep_cat: $(grep -E '"(train_accuracy|test_accuracy|final_cost|seconds)"' "$out/deep_cat/metrics.json" | tr -d ' \n')"
fi
echo
echo "bench table:"
grep '^|' "$out/bench.log" || true
$ok
