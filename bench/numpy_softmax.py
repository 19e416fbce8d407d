#!/usr/bin/env python3
"""K-class softmax classification in numpy (written from the formulas below), run on the 3-arm
spiral to make the fixture that simplenn's softmax tests compare their cost histories against.

Usage: numpy_softmax.py [--check]
Without --check, writes (deterministically, seeded with np.random.seed) beside this script:
  ../tests/fixtures/softmax/spiral3.h5     X float64 (2, 300), one example per column;
                                           Y int64 (1, 300), labels 0, 1, 2
  ../tests/fixtures/softmax/init.h5        one group per model: W1, b1, ..., WL, bL float64,
                                           W[l] (n[l], n[l-1]), b[l] (n[l], 1)
  ../tests/fixtures/softmax/reference.json one float64 and one float32 run per model: cost
                                           every 100 iterations and at the last, train accuracy
and prints the final cost and accuracy of each run.
With --check, writes nothing: compares the analytic gradient of every model (float64, initial
weights) with a centered finite difference, prints the relative errors and fails above 1e-7.

Model (X is (n_x, m), Y the one-hot (K, m) of the labels):
  A[0] = X; Z[l] = W[l] A[l-1] + b[l]; A[l] = g(Z[l]) for l < L, A[L] = softmax of Z[L] over rows
  J = -1/m sum_i sum_k Y[k,i] log softmax(Z[L])[k,i], log softmax = Z - max - log sum exp(Z - max)
  dZ[L] = A[L] - Y; dW[l] = dZ[l] A[l-1]^T / m; db[l] = row sums of dZ[l] / m;
  dZ[l-1] = (W[l]^T dZ[l]) * g'(Z[l-1]); W[l] -= lr dW[l], b[l] -= lr db[l] (full batch)
The cost logged at iteration t is the one before that iteration's update.
"""
import argparse
import json
import os

import numpy as np

from fixture_h5 import write_h5

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "softmax")

N, K = 100, 3          # points per class, classes
ITERATIONS, LOG_EVERY = 1000, 100
LEAKY_SLOPE = 0.01

# group: (layer sizes, hidden activation, init seed, learning rate)
MODELS = {
    "logistic": ([2, 3], None, 1, 0.5),
    "shallow_tanh": ([2, 8, 3], "tanh", 2, 1.0),
    "deep_relu": ([2, 10, 6, 3], "relu", 3, 0.15),
    "deep_sigmoid": ([2, 7, 3], "sigmoid", 4, 1.5),
    "deep_leaky": ([2, 9, 5, 3], "leaky_relu", 5, 0.15),
}


def spiral():
    """The cs231n 3-arm spiral: X (2, K*N) float64, labels (1, K*N) int64."""
    np.random.seed(0)
    x = np.zeros((N * K, 2))
    y = np.zeros(N * K, dtype=np.int64)
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return x.T.copy(), y.reshape(1, -1)


def init(sizes, seed):
    """W[l] = randn * 0.5 / sqrt(n[l-1]) and b[l] = randn * 0.1, drawn W1, b1, W2, b2, ..."""
    np.random.seed(seed)
    p = {}
    for l in range(1, len(sizes)):
        p[f"W{l}"] = np.random.randn(sizes[l], sizes[l - 1]) * 0.5 / np.sqrt(sizes[l - 1])
        p[f"b{l}"] = np.random.randn(sizes[l], 1) * 0.1
    return p


def one_hot(labels, k, dtype):
    y = np.zeros((k, labels.shape[1]), dtype=dtype)
    y[labels[0], np.arange(labels.shape[1])] = 1
    return y


def g(z, act):
    if act == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if act == "tanh":
        return np.tanh(z)
    if act == "relu":
        return np.maximum(0, z)
    if act == "leaky_relu":
        return np.maximum(LEAKY_SLOPE * z, z)
    raise ValueError(act)


def g_prime(z, a, act):
    if act == "sigmoid":
        return a * (1 - a)
    if act == "tanh":
        return 1 - a * a
    if act == "relu":
        return (z > 0).astype(z.dtype)
    if act == "leaky_relu":
        return np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))
    raise ValueError(act)


def forward(p, x, act):
    """Returns the activations A[0..L-1], the pre-activations Z[1..L] (last: the logits)."""
    L = len(p) // 2
    a_s, z_s = [x], []
    for l in range(1, L + 1):
        z = p[f"W{l}"] @ a_s[-1] + p[f"b{l}"]
        z_s.append(z)
        if l < L:
            a_s.append(g(z, act))
    return a_s, z_s


def log_softmax(z):
    s = z - z.max(axis=0, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=0, keepdims=True))


def cost_and_grads(p, x, y, act):
    L = len(p) // 2
    m = x.shape[1]
    a_s, z_s = forward(p, x, act)
    logp = log_softmax(z_s[-1])
    cost = -np.sum(y * logp) / m
    dz = np.exp(logp) - y
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = dz @ a_s[l - 1].T / m
        grads[f"b{l}"] = np.sum(dz, axis=1, keepdims=True) / m
        if l > 1:
            dz = (p[f"W{l}"].T @ dz) * g_prime(z_s[l - 2], a_s[l - 1], act)
    return cost, grads


def train(p0, x, labels, act, lr, dtype):
    p = {k: v.astype(dtype) for k, v in p0.items()}
    x = x.astype(dtype)
    y = one_hot(labels, K, dtype)
    iters, costs = [], []
    for t in range(ITERATIONS):
        cost, grads = cost_and_grads(p, x, y, act)
        assert cost.dtype == dtype and all(v.dtype == dtype for v in grads.values())
        if t % LOG_EVERY == 0 or t == ITERATIONS - 1:
            iters.append(t)
            costs.append(float(cost))
        for k in p:
            p[k] -= lr * grads[k]
    _, z_s = forward(p, x, act)
    accuracy = float(np.mean(np.argmax(z_s[-1], axis=0) == labels[0]) * 100)
    return iters, costs, accuracy


def gradient_check(eps=1e-6):
    x, labels = spiral()
    y = one_hot(labels, K, np.float64)
    worst = 0.0
    for name, (sizes, act, seed, _) in MODELS.items():
        p = init(sizes, seed)
        _, grads = cost_and_grads(p, x, y, act)
        analytic, numeric = [], []
        for k in p:
            for idx in np.ndindex(p[k].shape):
                keep = p[k][idx]
                p[k][idx] = keep + eps
                plus, _ = cost_and_grads(p, x, y, act)
                p[k][idx] = keep - eps
                minus, _ = cost_and_grads(p, x, y, act)
                p[k][idx] = keep
                analytic.append(grads[k][idx])
                numeric.append((plus - minus) / (2 * eps))
        analytic, numeric = np.array(analytic), np.array(numeric)
        rel = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
        worst = max(worst, rel)
        print(f"gradient check {name} {sizes} {act}: {analytic.size} parameters, "
              f"relative error {rel:.3e}")
    if worst >= 1e-7:
        raise SystemExit(f"gradient check FAILED: worst relative error {worst:.3e} >= 1e-7")
    print(f"gradient check passed: worst relative error {worst:.3e} < 1e-7")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="gradient check only, write nothing")
    args = ap.parse_args()
    if args.check:
        gradient_check()
        return

    os.makedirs(OUT, exist_ok=True)
    x, labels = spiral()
    inits = {name: init(sizes, seed) for name, (sizes, _, seed, _) in MODELS.items()}
    write_h5(os.path.join(OUT, "spiral3.h5"), {"X": x, "Y": labels})
    write_h5(os.path.join(OUT, "init.h5"), inits)

    runs = []
    for name, (sizes, act, seed, lr) in MODELS.items():
        for dtype in (np.float64, np.float32):
            iters, costs, accuracy = train(inits[name], x, labels, act, lr, dtype)
            dname = np.dtype(dtype).name
            run = {"name": f"{name}_lr{lr}_{dname}", "group": name, "layers": sizes,
                   "activation": act}
            if act == "leaky_relu":
                run["leaky_slope"] = LEAKY_SLOPE
            run.update({"learning_rate": lr, "iterations": ITERATIONS, "log_every": LOG_EVERY,
                        "dtype": dname, "history": {"iter": iters, "cost": costs},
                        "train_accuracy": accuracy})
            runs.append(run)
            print(f"{run['name']}: cost {costs[0]:.6f} -> {costs[-1]:.6f}, "
                  f"train accuracy {accuracy:.2f}%")

    about = (
        "Made by bench/numpy_softmax.py (numpy, written from the formulas; rerun it to remake "
        "these files byte for byte). Data: spiral3.h5, the cs231n 3-arm spiral, np.random.seed(0), "
        "N = 100 per class, class j: r = linspace(0, 1, N), t = linspace(4j, 4(j+1), N) + "
        "randn(N)*0.2, point (r sin t, r cos t); X (2, 300) float64 one example per column, Y (1, 300) "
        "int64 labels. Initial weights: init.h5, one group per model, np.random.seed(seed) then for "
        "l = 1..L in order W[l] = randn(n[l], n[l-1]) * 0.5 / sqrt(n[l-1]), b[l] = randn(n[l], 1) * 0.1 "
        "(seeds logistic 1, shallow_tanh 2, deep_relu 3, deep_sigmoid 4, deep_leaky 5). "
        "Forward: A[0] = X, Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l]) for hidden layers (sigmoid, "
        "tanh, relu max(0, z), leaky_relu max(0.01 z, z)), A[L] = softmax of Z[L] over the K rows. "
        "Cost J = -1/m sum over i, k of Y[k,i] log softmax(Z[L])[k,i] (Y one-hot (K, m)), with "
        "log softmax = Z - max_k Z - log sum_k exp(Z - max_k Z). Backward: dZ[L] = A[L] - Y, "
        "dW[l] = dZ[l] A[l-1]^T / m, db[l] = sum over columns of dZ[l] / m, dZ[l-1] = (W[l]^T dZ[l]) "
        "* g'(Z[l-1]) (sigmoid a(1-a), tanh 1-a^2, relu 1 if z > 0 else 0, leaky 1 if z > 0 else "
        "0.01). Update: full-batch gradient descent W -= lr dW, b -= lr db. history.cost[i] is J "
        "before the update of iteration history.iter[i] (every log_every iterations and the last). "
        "float32 runs cast X, one-hot Y and the initial weights to float32 and compute in float32. "
        "train_accuracy: percent of examples whose argmax over rows of Z[L] after the last update "
        "equals the label.")
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"about": about, "runs": runs}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
