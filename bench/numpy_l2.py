#!/usr/bin/env python3
"""L2-regularized classification nets in numpy (written from the formulas below), run on the
spiral arms to make the fixture that simplenn's L2 tests compare their cost histories against.

Usage: numpy_l2.py [--check]
Without --check, writes (deterministically, seeded with np.random.seed) beside this script:
  ../tests/fixtures/l2/two_arms.h5     the 200 examples of classes 0 and 1 of
                                       ../tests/fixtures/softmax/spiral3.h5, in file order:
                                       X float64 (2, 200), Y int64 (1, 200) labels 0/1
  ../tests/fixtures/l2/init.h5         one group per model: W1, b1, ..., WL, bL float64,
                                       W[l] (n[l], n[l-1]), b[l] (n[l], 1)
  ../tests/fixtures/l2/reference.json  per model two float64 runs (lambda 0.1 and 0.7) and one
                                       float32 run (lambda 0.7): cost every 100 iterations and at
                                       the last, final cross-entropy and train accuracy
and prints the final cost, cross-entropy and accuracy of each run.
With --check, writes nothing: compares the analytic gradient of every model (float64, initial
weights, lambda 0.7, L2 term included) with a centered finite difference of J, prints the
relative errors and fails at or above 1e-7.

Model (X is (n_x, m); one output unit: Y (1, m) of 0/1; K output units: Y the one-hot (K, m)):
  A[0] = X; Z[l] = W[l] A[l-1] + b[l]; A[l] = g(Z[l]) for l < L (relu, tanh);
  A[L] = sigmoid(Z[L]) for one unit, softmax of Z[L] over rows for K units
  CE = 1/m sum_i [(1 - y) z + log(1 + exp(-z))] (one unit, z = Z[L], from the logits), or
  CE = -1/m sum_i sum_k Y[k,i] log softmax(Z[L])[k,i], log softmax = Z - max - log sum exp(Z - max)
  J = CE + lambda / (2m) sum_l ||W[l]||_F^2 (biases not regularized)
  dZ[L] = A[L] - Y; dW[l] = dZ[l] A[l-1]^T / m + (lambda / m) W[l]; db[l] = row sums of dZ[l] / m;
  dZ[l-1] = (W[l]^T dZ[l]) * g'(Z[l-1]); W[l] -= lr dW[l], b[l] -= lr db[l] (full batch)
The cost logged at iteration t is J before that iteration's update.
"""
import argparse
import json
import os

import numpy as np

from fixture_h5 import write_h5

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "l2")
SOFTMAX = os.path.join(HERE, "..", "tests", "fixtures", "softmax")

ITERATIONS, LOG_EVERY = 1000, 100
LAMBDAS = (0.1, 0.7)     # float64 runs; the float32 run and the gradient check use CHECK_LAMBDA
CHECK_LAMBDA = 0.7
TWO_ARMS, SPIRAL3 = "two_arms.h5", "../softmax/spiral3.h5"

# group: (layer sizes, hidden activation, init seed, learning rate, data file)
MODELS = {
    "binary_relu": ([2, 12, 6, 1], "relu", 1, 0.15, TWO_ARMS),
    "binary_tanh": ([2, 10, 1], "tanh", 2, 0.5, TWO_ARMS),
    "softmax_relu": ([2, 12, 6, 3], "relu", 3, 0.15, SPIRAL3),
    "logistic": ([2, 1], None, 4, 0.2, TWO_ARMS),
}


def read_h5(path):
    import h5py
    with h5py.File(path, "r") as f:
        return f["X"][...], f["Y"][...]


def two_arms():
    """Classes 0 and 1 of the softmax fixture's spiral, in file order."""
    x, y = read_h5(os.path.join(SOFTMAX, "spiral3.h5"))
    keep = y[0] < 2
    return np.ascontiguousarray(x[:, keep]), np.ascontiguousarray(y[:, keep])


def load(data):
    if data == TWO_ARMS:
        return two_arms()
    return read_h5(os.path.normpath(os.path.join(OUT, data)))


def init(sizes, seed):
    """W[l] = randn * 1.0 / sqrt(n[l-1]) and b[l] = randn * 0.1, drawn W1, b1, W2, b2, ..."""
    np.random.seed(seed)
    p = {}
    for l in range(1, len(sizes)):
        p[f"W{l}"] = np.random.randn(sizes[l], sizes[l - 1]) * 1.0 / np.sqrt(sizes[l - 1])
        p[f"b{l}"] = np.random.randn(sizes[l], 1) * 0.1
    return p


def targets(labels, k, dtype):
    """(1, m) 0/1 for one output unit, the one-hot (K, m) for K units."""
    if k == 1:
        return labels.astype(dtype)
    y = np.zeros((k, labels.shape[1]), dtype=dtype)
    y[labels[0], np.arange(labels.shape[1])] = 1
    return y


def g(z, act):
    if act == "tanh":
        return np.tanh(z)
    if act == "relu":
        return np.maximum(0, z)
    raise ValueError(act)


def g_prime(z, a, act):
    if act == "tanh":
        return 1 - a * a
    if act == "relu":
        return (z > 0).astype(z.dtype)
    raise ValueError(act)


def sigmoid(z):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


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


def cross_entropy(z, y):
    """CE from the logits z, and A[L] (sigmoid or softmax of z)."""
    m = z.shape[1]
    if z.shape[0] == 1:
        ce = np.sum((1 - y) * z + np.logaddexp(0, -z)) / m
        return ce, sigmoid(z)
    logp = log_softmax(z)
    return -np.sum(y * logp) / m, np.exp(logp)


def l2_term(p, lam, m):
    L = len(p) // 2
    return lam / (2 * m) * sum(np.sum(p[f"W{l}"] * p[f"W{l}"]) for l in range(1, L + 1))


def cost_and_grads(p, x, y, act, lam):
    """J = CE + L2 term, CE alone, and the gradients of J."""
    L = len(p) // 2
    m = x.shape[1]
    a_s, z_s = forward(p, x, act)
    ce, a_out = cross_entropy(z_s[-1], y)
    cost = ce + l2_term(p, lam, m)
    dz = a_out - y
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = dz @ a_s[l - 1].T / m + lam / m * p[f"W{l}"]
        grads[f"b{l}"] = np.sum(dz, axis=1, keepdims=True) / m
        if l > 1:
            dz = (p[f"W{l}"].T @ dz) * g_prime(z_s[l - 2], a_s[l - 1], act)
    return cost, ce, grads


def accuracy(p, x, labels, act):
    _, z_s = forward(p, x, act)
    z = z_s[-1]
    pred = (sigmoid(z) > 0.5)[0].astype(np.int64) if z.shape[0] == 1 else np.argmax(z, axis=0)
    return float(np.mean(pred == labels[0]) * 100)


def train(p0, x, labels, act, lam, lr, dtype):
    """Returns the logged (iterations, costs), every iteration's cost, the cross-entropy and the
    train accuracy after the last update."""
    k = p0[f"W{len(p0) // 2}"].shape[0]
    p = {name: v.astype(dtype) for name, v in p0.items()}
    x = x.astype(dtype)
    y = targets(labels, k, dtype)
    iters, costs, every = [], [], []
    for t in range(ITERATIONS):
        cost, _, grads = cost_and_grads(p, x, y, act, lam)
        assert cost.dtype == dtype and all(v.dtype == dtype for v in grads.values())
        every.append(float(cost))
        if t % LOG_EVERY == 0 or t == ITERATIONS - 1:
            iters.append(t)
            costs.append(float(cost))
        for name in p:
            p[name] -= lr * grads[name]
    assert all(v.dtype == dtype for v in p.values())
    _, ce, _ = cost_and_grads(p, x, y, act, lam)
    return iters, costs, every, float(ce), accuracy(p, x, labels, act)


def gradient_check(eps=1e-6):
    worst = 0.0
    for name, (sizes, act, seed, _, data) in MODELS.items():
        x, labels = load(data)
        y = targets(labels, sizes[-1], np.float64)
        p = init(sizes, seed)
        _, _, grads = cost_and_grads(p, x, y, act, CHECK_LAMBDA)
        analytic, numeric = [], []
        for k in p:
            for idx in np.ndindex(p[k].shape):
                keep = p[k][idx]
                p[k][idx] = keep + eps
                plus, _, _ = cost_and_grads(p, x, y, act, CHECK_LAMBDA)
                p[k][idx] = keep - eps
                minus, _, _ = cost_and_grads(p, x, y, act, CHECK_LAMBDA)
                p[k][idx] = keep
                analytic.append(grads[k][idx])
                numeric.append((plus - minus) / (2 * eps))
        analytic, numeric = np.array(analytic), np.array(numeric)
        rel = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
        worst = max(worst, rel)
        print(f"gradient check {name} {sizes} {act} lambda {CHECK_LAMBDA}: {analytic.size} "
              f"parameters, relative error {rel:.3e}")
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
    x, labels = two_arms()
    assert x.shape == (2, 200) and x.dtype == np.float64 and labels.dtype == np.int64
    inits = {name: init(sizes, seed) for name, (sizes, _, seed, _, _) in MODELS.items()}
    write_h5(os.path.join(OUT, TWO_ARMS), {"X": x, "Y": labels})
    write_h5(os.path.join(OUT, "init.h5"), inits)

    runs = []
    for name, (sizes, act, seed, lr, data) in MODELS.items():
        x, labels = load(data)
        plan = [(lam, np.float64) for lam in LAMBDAS] + [(CHECK_LAMBDA, np.float32)]
        for lam, dtype in plan:
            iters, costs, every, ce, acc = train(inits[name], x, labels, act, lam, lr, dtype)
            dname = np.dtype(dtype).name
            rises = sum(b > a for a, b in zip(every, every[1:]))
            if dtype == np.float64:
                assert rises == 0, f"{name} lambda {lam}: cost rose at {rises} iterations"
            run = {"name": f"{name}_l2_{lam}_{dname}", "group": name, "data": data,
                   "layers": sizes, "activation": act, "learning_rate": lr, "l2": lam,
                   "iterations": ITERATIONS, "log_every": LOG_EVERY, "dtype": dname,
                   "history": {"iter": iters, "cost": costs},
                   "cross_entropy_final": ce, "train_accuracy": acc}
            runs.append(run)
            print(f"{run['name']}: lr {lr}, cost {costs[0]:.6f} -> {costs[-1]:.6f}, "
                  f"cross-entropy after the last update {ce:.6f}, train accuracy {acc:.2f}%, "
                  f"rises {rises}")

    about = (
        "Made by bench/numpy_l2.py (numpy, written from the formulas; rerun it to remake these "
        "files byte for byte). Data: two_arms.h5 holds the examples of classes 0 and 1 of "
        "../softmax/spiral3.h5 (the cs231n 3-arm spiral, see its reference.json), in file order: "
        "X (2, 200) float64 one example per column, Y (1, 200) int64 labels 0/1; the softmax_relu "
        "runs use ../softmax/spiral3.h5 itself (3 classes, 300 examples). Initial weights: init.h5, "
        "one group per model, np.random.seed(seed) then for l = 1..L in order "
        "W[l] = randn(n[l], n[l-1]) * 1.0 / sqrt(n[l-1]), b[l] = randn(n[l], 1) * 0.1 (seeds "
        "binary_relu 1, binary_tanh 2, softmax_relu 3, logistic 4). Forward: A[0] = X, "
        "Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l]) for hidden layers (relu max(0, z), tanh), "
        "A[L] = sigmoid(Z[L]) for one output unit, softmax of Z[L] over the K rows for K units. "
        "Cross-entropy CE: one unit 1/m sum_i [(1 - y) z + log(1 + exp(-z))] with z = Z[L] "
        "(= -1/m sum [y log a + (1 - y) log(1 - a)]); K units -1/m sum over i, k of "
        "Y[k,i] log softmax(Z[L])[k,i] (Y one-hot (K, m)), log softmax = Z - max_k Z - "
        "log sum_k exp(Z - max_k Z). Cost J = CE + l2 / (2m) * sum over l of ||W[l]||_F^2 "
        "(l2 = lambda; biases not regularized; m the number of examples). Backward: "
        "dZ[L] = A[L] - Y, dW[l] = dZ[l] A[l-1]^T / m + (l2 / m) W[l], db[l] = sum over columns "
        "of dZ[l] / m, dZ[l-1] = (W[l]^T dZ[l]) * g'(Z[l-1]) (relu 1 if z > 0 else 0, tanh "
        "1 - a^2). Update: full-batch gradient descent W -= lr dW, b -= lr db. history.cost[i] is "
        "J (with the L2 term) before the update of iteration history.iter[i] (every log_every "
        "iterations and the last); in the float64 runs J falls at every iteration. "
        "cross_entropy_final is CE alone (no L2 term) and train_accuracy the percent of examples "
        "predicted right, both with the weights after the last update; prediction: sigmoid(Z[L]) "
        "> 0.5 means class 1 for one unit, argmax over rows of Z[L] for K units. float32 runs cast "
        "X, Y and the initial weights to float32 and compute in float32.")
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"about": about, "runs": runs}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
