#!/usr/bin/env bash
# The K-class (softmax) step side by side: simplenn (ndarray and flex, f32) and PyTorch CPU (f32,
# 2 threads) on the digits example (configs/digits_pictures.toml: [192, 64, 10], full batch of
# 1,347 pictures), interleaved rounds, median ms per gradient step and examples/s.
# Usage: bench/digits.sh [STEPS] [ROUNDS]   (needs datasets/digits_pictures from
# scripts/kclass-examples.sh; SIMPLENN_BIN=path uses that binary instead of a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-300}
rounds=${2:-3}
[ -d datasets/digits_pictures/train ] || { echo "datasets/digits_pictures is missing: run scripts/kclass-examples.sh" >&2; exit 2; }
python3 -c "import torch" 2>/dev/null || pip install -q torch
if [ -z "${SIMPLENN_BIN:-}" ]; then
  cargo build -q --release
fi
bin="${SIMPLENN_BIN:-${CARGO_TARGET_DIR:-target}/release/simplenn}"
unset SIMPLENN_BACKEND
for round in $(seq "$rounds"); do
  for backend in ndarray flex; do
    "$bin" bench configs/digits_pictures.toml --iterations "$steps" --backend "$backend" |
      awk -F'|' -v r="$round" -v b="$backend" '/^\| digits_pictures/ {printf "round %s simplenn %-7s %6.3f ms/step %9.0f examples/s\n", r, b, $3, $6}'
  done
  python3 bench/torch_softmax.py --steps "$steps" --threads 2 |
    awk -v r="$round" '{for (i = 1; i <= NF; i++) { if ($i == "ms/step") ms = $(i-1); if ($i ~ /^examples\/s/) ex = $(i-1) } printf "round %s pytorch          %6.3f ms/step %9.0f examples/s\n", r, ms, ex}'
done
