#!/usr/bin/env bash
# The README's own-data examples, measured: simplenn next to scikit-learn on the same examples.
#   1. a CSV table: the Wisconsin breast-cancer data from scikit-learn's own copy (no download),
#      written to datasets/breast_cancer.csv; simplenn's logistic regression
#      (configs/breast_cancer_csv.toml: seeded split, standardised) against scikit-learn's
#      LogisticRegression on the same split, standardised by the same training statistics;
#   2. picture folders: the course's cat files (datasets/, `simplenn data fetch cat`) written as
#      PNG folders to datasets/cat_pictures/; simplenn's deep net (configs/cat_pictures.toml)
#      against scikit-learn's LogisticRegression on the same pixels.
# Usage: scripts/own-data-examples.sh   (from the repository root or anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import sklearn, h5py, numpy, PIL" 2>/dev/null || pip install -q scikit-learn h5py numpy pillow
cargo build -q
bin="${CARGO_TARGET_DIR:-target}/debug/simplenn"

python3 - <<'PY'
import csv, os, h5py, numpy as np
from PIL import Image
from sklearn.datasets import load_breast_cancer
d = load_breast_cancer()
with open("datasets/breast_cancer.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow([n.replace(" ", "_") for n in d.feature_names] + ["diagnosis"])
    for x, y in zip(d.data, d.target):
        w.writerow([repr(float(v)) for v in x] + [d.target_names[y]])
for part in ["train", "test"]:
    with h5py.File(f"datasets/{part}_catvnoncat.h5", "r") as h:
        xs, ys = h[f"{part}_set_x"][:], h[f"{part}_set_y"][:]
    for i, (x, y) in enumerate(zip(xs, ys)):
        folder = f"datasets/cat_pictures/{part}/{'cat' if y == 1 else 'non-cat'}"
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(x).save(f"{folder}/{i:03d}.png")
PY

"$bin" train configs/breast_cancer_csv.toml --out runs/breast_cancer_csv --force -q
"$bin" train configs/cat_pictures.toml --out runs/cat_pictures --force -q

python3 - <<'PY'
import json, h5py, numpy as np, sklearn
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
def acc(model, x, y):
    return 100.0 * (model.predict(x) == y).mean()
d = load_breast_cancer()
y = (d.target == 0).astype(int)            # malignant = class 1, as in the config
split = json.load(open("runs/breast_cancer_csv/input.json"))["split"]
tr, te = split["train"], split["test"]
mean, std = d.data[tr].mean(0), d.data[tr].std(0)
x = (d.data - mean) / std
lr = LogisticRegression(max_iter=10000).fit(x[tr], y[tr])
m = json.load(open("runs/breast_cancer_csv/metrics.json"))
print(f"scikit-learn {sklearn.__version__}")
print("| data | model | simplenn train / test | scikit-learn LogisticRegression train / test |")
print("|---|---|---|---|")
print(f"| breast cancer CSV ({len(tr)} / {len(te)}) | logistic | {m['train_accuracy']:.2f} % / {m['test_accuracy']:.2f} % | {acc(lr, x[tr], y[tr]):.2f} % / {acc(lr, x[te], y[te]):.2f} % |")
sets = {}
for part in ["train", "test"]:
    with h5py.File(f"datasets/{part}_catvnoncat.h5", "r") as h:
        sets[part] = (h[f"{part}_set_x"][:].reshape(len(h[f"{part}_set_y"]), -1) / 255.0, h[f"{part}_set_y"][:])
lr = LogisticRegression(max_iter=10000).fit(*sets["train"])
m = json.load(open("runs/cat_pictures/metrics.json"))
print(f"| cat picture folders (209 / 50) | deep [12288, 20, 7, 5, 1] | {m['train_accuracy']:.2f} % / {m['test_accuracy']:.2f} % | {acc(lr, *sets['train']):.2f} % / {acc(lr, *sets['test']):.2f} % |")
PY
