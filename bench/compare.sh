#!/usr/bin/env bash
# Side-by-side timing: simplenn (ndarray and flex, f32) against the notes' numpy code (f64 and
# f32) and PyTorch CPU (f32, when installed), median ms per training iteration on the same
# configs, with ratios. Usage: bench/compare.sh [ITERATIONS] [ROUNDS]  (needs the cat files in
# datasets/). Each round runs all five one after the other; the table keeps each one's best median
# over the rounds (default 3), because a shared machine's speed drifts within a run.
# PROFILE=dev uses the build of `cargo run` and `cargo test` instead of a release build;
# FEATURES=wgpu builds with those features too (CI's test build: no second Burn build there).
# BEFORE=BINARY adds another simplenn binary (e.g. one built from an older commit) to every round
# and prints its times next to this build's.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-30}
rounds=${2:-3}
configs=(logistic_cat shallow_planar two_layer_cat deep_cat)
python3 -c "import numpy, h5py" 2>/dev/null || pip install -q numpy h5py
profile=${PROFILE:-release}
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
tmp=$(mktemp -d)
# One build holds both CPU backends (the default features); each run names its backend.
cargo build -q --profile "$profile" ${FEATURES:+--features "$FEATURES"}
bin="${CARGO_TARGET_DIR:-target}/$dir/simplenn"
unset SIMPLENN_BACKEND
paths=(); for c in "${configs[@]}"; do paths+=("configs/$c.toml"); done
has_torch=$(python3 -c "import torch" 2>/dev/null && echo yes || echo no)
: > "$tmp/ndarray"; : > "$tmp/flex"; : > "$tmp/np64"; : > "$tmp/np32"; : > "$tmp/torch"
: > "$tmp/before_ndarray"; : > "$tmp/before_flex"
for _ in $(seq "$rounds"); do
  if [ -n "${BEFORE:-}" ]; then
    "$BEFORE" bench "${paths[@]}" --iterations "$n" --backend ndarray >> "$tmp/before_ndarray"
    "$BEFORE" bench "${paths[@]}" --iterations "$n" --backend flex >> "$tmp/before_flex"
  fi
  "$bin" bench "${paths[@]}" --iterations "$n" --backend ndarray >> "$tmp/ndarray"
  "$bin" bench "${paths[@]}" --iterations "$n" --backend flex >> "$tmp/flex"
  python3 bench/numpy_notes.py "${configs[@]}" --iterations "$n" --dtype float64 >> "$tmp/np64"
  python3 bench/numpy_notes.py "${configs[@]}" --iterations "$n" --dtype float32 >> "$tmp/np32"
  if [ "$has_torch" = yes ]; then
    python3 bench/numpy_notes.py "${configs[@]}" --iterations "$n" --torch >> "$tmp/torch"
  fi
done
# Best median of config $2 in file $1 (simplenn's table rows, or numpy_notes.py's lines).
best() { awk -v c="$2" '
  /^\|/ { split($0, f, "|"); gsub(/ /, "", f[2]); gsub(/ /, "", f[3]); if (f[2] == c) v = f[3]; else next }
  !/^\|/ { if ($1 == c) v = $3; else next }
  { if (b == "" || v + 0 < b + 0) b = v }
  END { print b }' "$1"; }
echo "profile: $profile; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
echo
echo "| config | simplenn ndarray | simplenn flex | numpy f64 | numpy f32 | PyTorch f32 |"
echo "|---|---|---|---|---|---|"
ratios=()
r() { [ "$2" = n/a ] && echo n/a || python3 -c "print(f'{$1/$2:.2f}')"; }
for c in "${configs[@]}"; do
  nd=$(best "$tmp/ndarray" "$c"); fx=$(best "$tmp/flex" "$c")
  n64=$(best "$tmp/np64" "$c"); n32=$(best "$tmp/np32" "$c")
  th=$(best "$tmp/torch" "$c"); th=${th:-n/a}
  echo "| $c | $nd | $fx | $n64 | $n32 | $th |"
  ratios+=("| $c | $(r "$nd" "$n64") | $(r "$fx" "$n64") | $(r "$nd" "$n32") | $(r "$fx" "$n32") | $(r "$nd" "$th") | $(r "$fx" "$th") |")
done
echo
echo "(ms per iteration, the best of $rounds rounds' medians over $n iterations: forward + backward + update; simplenn's backward is Burn autodiff)"
echo
echo "Ratios (targets: ≤ 0.5 × numpy f64, ≤ 1 × numpy f32, ≤ 1 × PyTorch):"
echo
echo "| config | ndarray / numpy f64 | flex / numpy f64 | ndarray / numpy f32 | flex / numpy f32 | ndarray / PyTorch | flex / PyTorch |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ratios[@]}"

if [ -n "${BEFORE:-}" ]; then
  echo
  echo "Before ($BEFORE) and after (this build), ms per iteration, same rounds:"
  echo
  echo "| config | ndarray before | ndarray after | after / before | flex before | flex after | after / before |"
  echo "|---|---|---|---|---|---|---|"
  for c in "${configs[@]}"; do
    bn=$(best "$tmp/before_ndarray" "$c"); an=$(best "$tmp/ndarray" "$c")
    bf=$(best "$tmp/before_flex" "$c"); af=$(best "$tmp/flex" "$c")
    echo "| $c | $bn | $an | $(r "$an" "$bn") | $bf | $af | $(r "$af" "$bf") |"
  done
fi

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
flex = min((float(l.split("|")[2]) for l in open(sys.argv[1]) if l.startswith("| deep_cat ")), default=float("nan"))
print(f"\ndeep_cat: {flops / 1e6:.1f} MFLOP of matrix products per iteration; this machine's f32 GEMM "
      f"peak (numpy/OpenBLAS, 2048³, best of 5): {peak:.0f} GFLOP/s, so {bound:.2f} ms at peak; "
      f"simplenn flex: {flex:.3f} ms = {flex / bound:.1f} × that (target ≤ 2 ×)")
PY
