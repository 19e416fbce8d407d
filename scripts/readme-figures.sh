#!/usr/bin/env bash
# Regenerate the figures shown in README.md (docs/*.png) with simplenn itself.
# Needs the cat files in datasets/ (see datasets/README.md). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
cargo run -q -- train configs/shallow_planar.toml --out "$out/planar" -q
cargo run -q -- train configs/deep_cat.toml --out "$out/deep" -q
cargo run -q -- sweep configs/shallow_planar.toml --set model.hidden=1,2,3,4,5,20,50 \
  --set train.iterations=5000 --out "$out/sweep" -q
cp "$out/planar/boundary.png" docs/planar_boundary.png
cp "$out/deep/cost.png" docs/deep_cat_cost.png
cp "$out/sweep/accuracy.png" docs/planar_hidden_sweep.png
cat "$out/sweep/sweep.md"
echo "figures written to docs/ (runs kept in $out)"
