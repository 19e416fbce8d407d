#!/usr/bin/env python3
"""The notes' three models in numpy (written from the notes' formulas), timed per training
iteration (forward + handwritten backward + update), for comparison with simplenn.

Usage: numpy_notes.py CONFIG_NAME... [--iterations N] [--dtype float64|float32] [--torch]
CONFIG_NAME is one of logistic_cat, shallow_planar, two_layer_cat, deep_cat.
Prints one line per config: name, dtype, median ms, p10, p90.
"""
import argparse
import os
import statistics
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.join(HERE, "..", "datasets")


def load_cat(dtype):
    import h5py
    with h5py.File(os.path.join(DATASETS, "train_catvnoncat.h5"), "r") as f:
        x = np.array(f["train_set_x"][:])
        y = np.array(f["train_set_y"][:]).reshape(1, -1)
    return (x.reshape(x.shape[0], -1).T / 255).astype(dtype), y.astype(dtype)


def load_planar(dtype):
    np.random.seed(1)
    m, n, a = 400, 200, 4
    x = np.zeros((m, 2))
    y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + np.random.randn(n) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(n) * 0.2
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return x.T.astype(dtype), y.T.astype(dtype)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def logistic_step(p, x, y, lr):
    m = x.shape[1]
    a = sigmoid(p["w"].T @ x + p["b"])
    cost = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    dz = a - y
    p["w"] -= lr * (x @ dz.T) / m
    p["b"] -= lr * np.sum(dz) / m
    return cost


def layers_step(p, x, y, lr, hidden):
    """The L-layer forward/backward of the notes (the shallow net is L = 2 with tanh)."""
    L = len(p) // 2
    m = x.shape[1]
    a_s, z_s = [x], []
    for l in range(1, L + 1):
        z = p[f"W{l}"] @ a_s[-1] + p[f"b{l}"]
        z_s.append(z)
        a_s.append(sigmoid(z) if l == L else (np.tanh(z) if hidden == "tanh" else np.maximum(0, z)))
    a = a_s[-1]
    cost = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    dz = a - y
    for l in range(L, 0, -1):
        dw = dz @ a_s[l - 1].T / m
        db = np.sum(dz, axis=1, keepdims=True) / m
        if l > 1:
            da = p[f"W{l}"].T @ dz
            dz = da * (1 - a_s[l - 1] ** 2) if hidden == "tanh" else da * (z_s[l - 2] > 0)
        p[f"W{l}"] -= lr * dw
        p[f"b{l}"] -= lr * db
    return cost


def init_layers(sizes, scale, seed, dtype):
    np.random.seed(seed)
    p = {}
    for l in range(1, len(sizes)):
        w = np.random.randn(sizes[l], sizes[l - 1])
        p[f"W{l}"] = (w * scale if scale else w / np.sqrt(sizes[l - 1])).astype(dtype)
        p[f"b{l}"] = np.zeros((sizes[l], 1), dtype=dtype)
    return p


def setup(name, dtype):
    if name == "logistic_cat":
        x, y = load_cat(dtype)
        p = {"w": np.zeros((x.shape[0], 1), dtype=dtype), "b": dtype(0)}
        return (lambda: logistic_step(p, x, y, 0.005))
    if name == "shallow_planar":
        x, y = load_planar(dtype)
        p = init_layers([2, 4, 1], 0.01, 2, dtype)
        return (lambda: layers_step(p, x, y, 1.2, "tanh"))
    if name == "two_layer_cat":
        x, y = load_cat(dtype)
        p = init_layers([12288, 7, 1], 0.01, 1, dtype)
        return (lambda: layers_step(p, x, y, 0.0075, "relu"))
    if name == "deep_cat":
        x, y = load_cat(dtype)
        p = init_layers([12288, 20, 7, 5, 1], None, 1, dtype)
        return (lambda: layers_step(p, x, y, 0.0075, "relu"))
    raise SystemExit(f"unknown config {name}")


def torch_setup(name):
    import torch
    torch.manual_seed(1)
    x, y = (load_planar if name == "shallow_planar" else load_cat)(np.float32)
    sizes = {"logistic_cat": [12288, 1], "shallow_planar": [2, 4, 1], "two_layer_cat": [12288, 7, 1],
             "deep_cat": [12288, 20, 7, 5, 1]}[name]
    lr = {"logistic_cat": 0.005, "shallow_planar": 1.2}.get(name, 0.0075)
    act = torch.tanh if name == "shallow_planar" else torch.relu
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    ws = [(torch.randn(sizes[l], sizes[l - 1]) * 0.01).requires_grad_() for l in range(1, len(sizes))]
    bs = [torch.zeros(sizes[l], 1, requires_grad=True) for l in range(1, len(sizes))]

    def step():
        a = X
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = w @ a + b
            a = z if i == len(ws) - 1 else act(z)
        cost = torch.nn.functional.binary_cross_entropy_with_logits(a, Y)
        cost.backward()
        with torch.no_grad():
            for t in ws + bs:
                t -= lr * t.grad
                t.grad = None
        return cost.item()
    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("configs", nargs="+")
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--dtype", default="float64")
    ap.add_argument("--torch", action="store_true")
    args = ap.parse_args()
    for name in args.configs:
        step = torch_setup(name) if args.torch else setup(name, getattr(np, args.dtype))
        step()  # warm-up
        times = []
        for _ in range(args.iterations):
            t = time.perf_counter()
            step()
            times.append((time.perf_counter() - t) * 1e3)
        times.sort()
        q = lambda f: times[round((len(times) - 1) * f)]
        label = "torch-float32" if args.torch else args.dtype
        print(f"{name} {label} {statistics.median(times):.3f} {q(0.1):.3f} {q(0.9):.3f}")


if __name__ == "__main__":
    main()
