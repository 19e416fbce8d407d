#!/usr/bin/env bash
# K-class (softmax) examples on real public data, measured: simplenn next to scikit-learn on the
# same examples, all from scikit-learn's own copies (no download).
#   1. picture folders: the handwritten digits (1,797 8×8 pictures, 10 classes) written as
#      grayscale PNG files to datasets/digits_pictures/{train,test}/<digit>/<index>.png
#      (a seeded split keeping each digit's share, 25 % for testing); simplenn's deep net
#      (configs/digits_pictures.toml);
#   2. CSV tables: iris (150 flowers, 3 species) and wine (178 wines, 3 cultivars) written to
#      datasets/iris.csv and datasets/wine.csv with the class names as labels; simplenn's shallow
#      net (configs/iris_csv.toml, configs/wine_csv.toml: seeded split, standardised).
# Each is compared with scikit-learn's LogisticRegression and MLPClassifier (the config's hidden
# layers and activation) on the same split and the same features: the pictures as simplenn reads
# them (RGB, height × width × channel, divided by 255), the tables split as the run's input.json
# records and standardised by the training part's statistics.
# Usage: scripts/kclass-examples.sh   (from the repository root or anywhere; SIMPLENN_BIN=path
# uses that binary instead of building one)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import sklearn, numpy, PIL" 2>/dev/null || pip install -q scikit-learn numpy pillow
python3 -c "import tomllib" 2>/dev/null || python3 -c "import tomli" 2>/dev/null || pip install -q tomli
# SIMPLENN_BIN names a simplenn binary already built (any features); else the default one is built.
if [ -z "${SIMPLENN_BIN:-}" ]; then
  cargo build -q
fi
bin="${SIMPLENN_BIN:-${CARGO_TARGET_DIR:-target}/debug/simplenn}"

python3 - <<'PY'
import csv, os, re, shutil, numpy as np
from PIL import Image
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.model_selection import train_test_split

def column(name):
    # "sepal length (cm)" -> "sepal_length_cm", "od280/od315_of_diluted_wines" -> "od280_od315_of_diluted_wines"
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_")

for d, path, label in [(load_iris(), "datasets/iris.csv", "species"),
                       (load_wine(), "datasets/wine.csv", "cultivar")]:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([column(n) for n in d.feature_names] + [label])
        for x, y in zip(d.data, d.target):
            w.writerow([repr(float(v)) for v in x] + [d.target_names[y]])

d = load_digits()
index = np.arange(len(d.target))
parts = dict(zip(["train", "test"],
                 train_test_split(index, test_size=0.25, random_state=0, stratify=d.target)))
shutil.rmtree("datasets/digits_pictures", ignore_errors=True)   # no pictures of an older split
for part, rows in parts.items():
    for i in rows:
        folder = f"datasets/digits_pictures/{part}/{d.target[i]}"
        os.makedirs(folder, exist_ok=True)
        pixels = np.rint(d.images[i] * 255 / 16).astype(np.uint8)   # 0..16 -> 0..255, mode L
        Image.fromarray(pixels).save(f"{folder}/{i:04d}.png")
PY

for name in digits_pictures iris_csv wine_csv; do
  "$bin" train "configs/$name.toml" --out "runs/$name" --force -q
done

python3 - <<'PY'
import csv, glob, json, os, warnings, numpy as np, sklearn
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
try:
    import tomllib
except ImportError:
    import tomli as tomllib

def config(name):
    with open(f"configs/{name}.toml", "rb") as f:
        return tomllib.load(f)

def describe(model):
    if model["kind"] == "logistic":
        return "logistic"
    if model["kind"] == "shallow":
        return f"shallow, {model['hidden']} {model.get('activation', 'tanh')}"
    return f"deep {model['layers']} {model.get('activation', 'relu')}"

def mlp(model):
    """scikit-learn's MLPClassifier with the config's hidden layers and activation."""
    if model["kind"] == "shallow":
        hidden, act = (model["hidden"],), model.get("activation", "tanh")
    elif model["kind"] == "deep":
        hidden, act = tuple(model["layers"][1:-1]), model.get("activation", "relu")
    else:
        return None
    act = {"sigmoid": "logistic", "leaky_relu": "relu"}.get(act, act)
    return MLPClassifier(hidden_layer_sizes=hidden, activation=act, random_state=0, max_iter=5000)

def pictures(folder):
    """Every PNG as simplenn reads it: RGB (gray -> 3 equal channels), height x width x channel
    flattened, divided by 255; class folders and files in sorted order."""
    xs, ys = [], []
    for cls in sorted(os.listdir(folder)):
        for path in sorted(glob.glob(f"{folder}/{cls}/*.png")):
            xs.append(np.asarray(Image.open(path).convert("RGB"), dtype=np.float64).reshape(-1) / 255)
            ys.append(cls)
    return np.array(xs), np.array(ys)

def table(name, path, label):
    """The CSV's features and labels, split as runs/NAME/input.json records, standardised by the
    training part's mean and population standard deviation when the config asks for it."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    k = head.index(label)
    x = np.array([[float(v) for j, v in enumerate(r) if j != k] for r in body])
    y = np.array([r[k] for r in body])
    split = json.load(open(f"runs/{name}/input.json"))["split"]
    tr, te = split["train"], split["test"]
    if config(name)["data"].get("standardize", False):
        mean, std = x[tr].mean(0), x[tr].std(0)
        std[std == 0] = 1.0                      # a constant feature is only centred
        x = (x - mean) / std
    return x[tr], y[tr], x[te], y[te]

def acc(model, x, y):
    return 100.0 * (model.predict(x) == y).mean()

sets = [("digits PNG folders", "digits_pictures",
         (*pictures("datasets/digits_pictures/train"), *pictures("datasets/digits_pictures/test"))),
        ("iris CSV", "iris_csv", table("iris_csv", "datasets/iris.csv", "species")),
        ("wine CSV", "wine_csv", table("wine_csv", "datasets/wine.csv", "cultivar"))]
print(f"scikit-learn {sklearn.__version__}")
print("| data | classes | train / test | simplenn model | simplenn | LogisticRegression | MLPClassifier |")
print("|---|---|---|---|---|---|---|")
for title, name, (xtr, ytr, xte, yte) in sets:
    model = config(name)["model"]
    m = json.load(open(f"runs/{name}/metrics.json"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # a ConvergenceWarning is reported as a number
        lr = LogisticRegression(max_iter=10000).fit(xtr, ytr)
        net = mlp(model)
        net = net.fit(xtr, ytr) if net is not None else None
    net_acc = f"{acc(net, xte, yte):.2f} %" if net is not None else "—"
    print(f"| {title} | {len(np.unique(ytr))} | {len(ytr)} / {len(yte)} | {describe(model)} | "
          f"{m['test_accuracy']:.2f} % | {acc(lr, xte, yte):.2f} % | {net_acc} |")
PY
