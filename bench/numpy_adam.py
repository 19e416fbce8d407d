#!/usr/bin/env python3
"""The deep cat net [12288, 20, 7, 5, 1] trained with the course's Adam in numpy (f64), batches of
64 in file order, from deep_cat's initial weights: the cross-check of docs/results.md.

Usage: numpy_adam.py LEARNING_RATE EPOCHS   (needs datasets/train_catvnoncat.h5)
Compare: simplenn train configs/deep_cat_minibatch.toml --set train.optimizer=adam
  --set train.learning_rate=LEARNING_RATE --set train.shuffle=false --set train.precision=f64
  --set train.epochs=EPOCHS --set train.log_every=50
"""
import sys

import numpy as np

from numpy_notes import init_layers, load_cat, sigmoid


def main():
    lr, epochs = float(sys.argv[1]), int(sys.argv[2])
    x, y = load_cat(np.float64)
    p = init_layers([12288, 20, 7, 5, 1], None, 1, np.float64)
    layers, (b1, b2, eps) = 4, (0.9, 0.999, 1e-8)
    v = {k: np.zeros_like(w) for k, w in p.items()}
    s = {k: np.zeros_like(w) for k, w in p.items()}
    t, m_all = 0, x.shape[1]
    for epoch in range(epochs):
        cost = 0.0
        for start in range(0, m_all, 64):
            xb, yb = x[:, start:start + 64], y[:, start:start + 64]
            m = xb.shape[1]
            a, z = [xb], []
            for l in range(1, layers + 1):
                z.append(p[f"W{l}"] @ a[-1] + p[f"b{l}"])
                a.append(sigmoid(z[-1]) if l == layers else np.maximum(0, z[-1]))
            cost += -np.mean(yb * np.log(a[-1]) + (1 - yb) * np.log(1 - a[-1])) * m / m_all
            dz, grads = a[-1] - yb, {}
            for l in range(layers, 0, -1):
                grads[f"W{l}"] = dz @ a[l - 1].T / m
                grads[f"b{l}"] = dz.sum(axis=1, keepdims=True) / m
                if l > 1:
                    dz = (p[f"W{l}"].T @ dz) * (z[l - 2] > 0)
            t += 1
            for k in p:
                v[k] = b1 * v[k] + (1 - b1) * grads[k]
                s[k] = b2 * s[k] + (1 - b2) * grads[k] ** 2
                p[k] -= lr * (v[k] / (1 - b1 ** t)) / (np.sqrt(s[k] / (1 - b2 ** t)) + eps)
        if epoch % 50 == 0 or epoch == epochs - 1:
            print(f"Cost after epoch {epoch}: {cost:.6f}")


if __name__ == "__main__":
    main()
