#!/usr/bin/env bash
# Side-by-side timing: simplenn (ndarray and flex, f32) against the notes' numpy code (f64 and
# f32) and PyTorch CPU (f32, when installed), median ms per training iteration on the same
# configs, with ratios. Usage: bench/compare.sh [ITERATIONS]   (needs the cat files in datasets/)
# PROFILE=dev uses the test profile (dependencies at opt-level 3) instead of a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-30}
configs=(logistic_cat shallow_planar two_layer_cat deep_cat)
python3 -c "import numpy, h5py" 2>/dev/null || pip install -q numpy h5py
profile=${PROFILE:-release}
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
tmp=$(mktemp -d)
# Both feature sets build into the same target folder; keep a copy of each binary.
cargo build -q --profile "$profile" && cp "target/$dir/simplenn" "$tmp/simplenn-ndarray"
cargo build -q --profile "$profile" --no-default-features --features flex && cp "target/$dir/simplenn" "$tmp/simplenn-flex"
paths=(); for c in "${configs[@]}"; do paths+=("configs/$c.toml"); done
"$tmp/simplenn-ndarray" bench "${paths[@]}" --iterations "$n" > "$tmp/ndarray"
"$tmp/simplenn-flex" bench "${paths[@]}" --iterations "$n" > "$tmp/flex"
python3 bench/numpy_notes.py "${configs[@]}" --iterations "$n" --dtype float64 > "$tmp/np64"
python3 bench/numpy_notes.py "${configs[@]}" --iterations "$n" --dtype float32 > "$tmp/np32"
if python3 -c "import torch" 2>/dev/null; then
  python3 bench/numpy_notes.py "${configs[@]}" --iterations "$n" --torch > "$tmp/torch"
else
  : > "$tmp/torch"
fi
echo "profile: $profile; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo
echo "| config | simplenn ndarray | simplenn flex | numpy f64 | numpy f32 | PyTorch f32 | flex / numpy f64 | flex / numpy f32 | ndarray / numpy f64 |"
echo "|---|---|---|---|---|---|---|---|---|"
for c in "${configs[@]}"; do
  nd=$(awk -F'|' -v c=" $c " '$2==c {gsub(/ /,"",$3); print $3}' "$tmp/ndarray")
  fx=$(awk -F'|' -v c=" $c " '$2==c {gsub(/ /,"",$3); print $3}' "$tmp/flex")
  n64=$(awk -v c="$c" '$1==c {print $3}' "$tmp/np64")
  n32=$(awk -v c="$c" '$1==c {print $3}' "$tmp/np32")
  th=$(awk -v c="$c" '$1==c {print $3}' "$tmp/torch"); th=${th:-n/a}
  r() { python3 -c "print(f'{$1/$2:.2f}')"; }
  echo "| $c | $nd | $fx | $n64 | $n32 | $th | $(r "$fx" "$n64") | $(r "$fx" "$n32") | $(r "$nd" "$n64") |"
done
echo
echo "(median ms per iteration: forward + backward + update; simplenn's backward is Burn autodiff)"
