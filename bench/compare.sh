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

# The deep net against the machine's f32 GEMM throughput: its matrix products per iteration are
# Z[l] = W[l]·A[l-1] (forward), dW[l] = dZ[l]·A[l-1]ᵀ and, below the output, dA[l-1] = W[l]ᵀ·dZ[l]
# (never for l = 1: X needs no gradient), each 2·rows·cols·m FLOPs.
python3 - "$tmp/flex" <<'PY'
import sys, time, numpy as np
sizes, m = [12288, 20, 7, 5, 1], 209
flops = sum(2 * sizes[l] * sizes[l - 1] * m * (2 if l == 1 else 3) for l in range(1, len(sizes)))
a = np.random.rand(2048, 2048).astype(np.float32); b = np.random.rand(2048, 2048).astype(np.float32)
a @ b
t = []
for _ in range(5):
    s = time.perf_counter(); a @ b; t.append(time.perf_counter() - s)
peak = 2 * 2048**3 / min(t) / 1e9
bound = flops / (peak * 1e9) * 1e3
flex = next((float(l.split("|")[2]) for l in open(sys.argv[1]) if l.startswith("| deep_cat ")), float("nan"))
print(f"\ndeep_cat: {flops / 1e6:.1f} MFLOP of matrix products per iteration; this machine's f32 GEMM "
      f"peak (numpy/OpenBLAS, 2048³, best of 5): {peak:.0f} GFLOP/s, so {bound:.2f} ms at peak; "
      f"simplenn flex: {flex:.3f} ms = {flex / bound:.1f} × that (target ≤ 2 ×)")
PY
