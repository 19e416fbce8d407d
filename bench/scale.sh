#!/usr/bin/env bash
# Data larger than memory: simplenn streaming an HDF5 file of EXAMPLES × 784 f32 features
# (1,000,000 by default: 3.1 GB) through [784, 128, 64, 1] with Adam, batch 256, one epoch,
# next to PyTorch CPU (f32) reading the same file through an h5py Dataset and DataLoader; then
# the deep cat net at batch 64 in memory against PyTorch. Prints examples per second and peak
# resident memory of each.
#
# Usage: bench/scale.sh [EXAMPLES] [CAT_EPOCHS] [ROUNDS]   (defaults 1000000, 200 and 2)
# Each round runs every program once, one after the other (a shared machine's speed drifts, so
# compare within a round, or each program's best over the rounds).
# SCALE_DIR=DIR keeps the generated file there (default: a temporary folder, removed at the end).
# Needs numpy, h5py and (for the comparison) torch; the cat part needs datasets/ filled.
set -euo pipefail
cd "$(dirname "$0")/.."
m=${1:-1000000}
cat_epochs=${2:-200}
rounds=${3:-2}
python3 -c "import numpy, h5py" 2>/dev/null || pip install -q numpy h5py
if [ -n "${SCALE_DIR:-}" ]; then dir=$SCALE_DIR; mkdir -p "$dir"; else
  dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
file="$dir/scale_$m.h5"
if [ ! -f "$file" ]; then
  echo "generating $file ($m examples × 784 f32)…"
  python3 bench/torch_scale.py generate "$file" --examples "$m"
fi
ls -l "$file"
cargo build -q --release
bin="${CARGO_TARGET_DIR:-target}/release/simplenn"
unset SIMPLENN_BACKEND
cat > "$dir/scale.toml" <<TOML
[model]
kind = "deep"
layers = [784, 128, 64, 1]

[data]
kind = "h5"
train = "$file"
layout = "examples_first"
stream = true

[init]
scheme = "he"

[train]
optimizer = "adam"
learning_rate = 0.001
epochs = 1
batch_size = 256
TOML
has_torch=$(python3 -c "import torch" 2>/dev/null && echo yes || echo no)
# simplenn's whole run of config $1 (more arguments: bench's) on each CPU backend: its row, memory.
simplenn_rows() {
  for backend in ndarray flex; do
    echo "simplenn ($backend):"
    "$bin" bench --whole "$@" --backend "$backend" | grep -E '^\| [a-z]|peak' | grep -v '^| config'
  done
}
echo
echo "## streamed: $m examples, [784, 128, 64, 1], Adam, batch 256, one epoch"
for round in $(seq "$rounds"); do
  echo "# round $round"
  simplenn_rows "$dir/scale.toml"
  if [ "$has_torch" = yes ]; then
    for workers in 0 2; do
      python3 bench/torch_scale.py stream "$file" --workers "$workers"
    done
  fi
done
[ "$has_torch" = yes ] || echo "(torch not installed: pip install torch, then run again for the comparison)"
if [ -f datasets/train_catvnoncat.h5 ]; then
  echo
  echo "## in memory: deep cat net [12288, 20, 7, 5, 1], batch 64, plain GD, $cat_epochs epochs"
  for round in $(seq "$rounds"); do
    echo "# round $round"
    simplenn_rows configs/deep_cat_minibatch.toml --set "train.epochs=$cat_epochs"
    if [ "$has_torch" = yes ]; then
      python3 bench/torch_scale.py cat --epochs "$cat_epochs"
    fi
  done
fi
