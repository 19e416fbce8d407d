#!/usr/bin/env python3
"""PyTorch CPU (f32) on the digits example of configs/digits_pictures.toml, timed per full-batch
gradient-descent step, for comparison with simplenn's K-class (softmax) training.

  torch_softmax.py [--layers 192 64 10] [--steps 500] [--warmup 50] [--lr 0.1] [--threads 2]

The training set is the 1,347 pictures of datasets/digits_pictures/train (written by
scripts/kclass-examples.sh), read as simplenn reads them: RGB, height × width × channel,
divided by 255 (192 features). Without that folder the same values are made from scikit-learn's
load_digits and the same split (train_test_split, test_size 0.25, random_state 0, stratified):
round(v · 255 / 16) / 255, each pixel three times. The net is the config's: Linear layers with
ReLU between them, CrossEntropyLoss (softmax and the mean cross-entropy in one), plain SGD on the
full batch, weights drawn like simplenn's `he` scheme with numpy's legacy generator (seed 1),
biases 0. A step is zero_grad, forward, loss, backward and the update.

Prints one line: median ms per step (10th and 90th percentiles) over --steps steps after
--warmup untimed ones, examples/s at the median, then the cost and the train / test accuracy
after all warmup + steps updates (a check that it learns; 3000 updates match the config).
"""
import argparse
import glob
import os
import statistics
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PICTURES = os.path.join(HERE, "..", "datasets", "digits_pictures")


def pictures(folder):
    from PIL import Image
    xs, ys = [], []
    for label, cls in enumerate(sorted(os.listdir(folder))):
        for path in sorted(glob.glob(os.path.join(folder, cls, "*.png"))):
            xs.append(np.asarray(Image.open(path).convert("RGB"), dtype=np.float64).reshape(-1) / 255)
            ys.append(label)
    return np.array(xs), np.array(ys)


def from_sklearn():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    index = np.arange(len(d.target))
    tr, te = train_test_split(index, test_size=0.25, random_state=0, stratify=d.target)
    # the PNG's gray level, as RGB: three equal channels per pixel, height x width x channel
    x = np.repeat(np.rint(d.images * 255 / 16).reshape(len(index), -1, 1), 3, axis=2)
    x = x.reshape(len(index), -1) / 255
    # the folders list each class's files by index: sort the same way
    order = lambda rows: rows[np.lexsort((rows, d.target[rows]))]
    tr, te = order(tr), order(te)
    return (x[tr], d.target[tr]), (x[te], d.target[te])


def load():
    if os.path.isdir(os.path.join(PICTURES, "train")):
        return (pictures(os.path.join(PICTURES, "train")),
                pictures(os.path.join(PICTURES, "test")), "datasets/digits_pictures")
    train, test = from_sklearn()
    return train, test, "load_digits (no datasets/digits_pictures)"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--layers", type=int, nargs="+", default=[192, 64, 10],
                   help="layer sizes n0 … K (n0 must be 192, K 10)")
    p.add_argument("--steps", type=int, default=500, help="timed full-batch steps")
    p.add_argument("--warmup", type=int, default=50, help="untimed steps first")
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    import torch
    from torch import nn
    torch.set_num_threads(a.threads)
    (xtr, ytr), (xte, yte), source = load()
    if a.layers[0] != xtr.shape[1] or a.layers[-1] != 10:
        p.error(f"--layers must start with {xtr.shape[1]} and end with 10")

    rng = np.random.RandomState(a.seed)       # simplenn's `he`: randn(n_out, n_in) · √(2 / n_in)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(a.layers[:-1], a.layers[1:])):
        linear = nn.Linear(n_in, n_out)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(rng.randn(n_out, n_in) * np.sqrt(2.0 / n_in)))
            linear.bias.zero_()
        layers.append(linear)
        if i < len(a.layers) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    x = torch.tensor(xtr, dtype=torch.float32)
    y = torch.tensor(ytr, dtype=torch.long)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=a.lr)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        clock = time.perf_counter()
        step()
        times.append(time.perf_counter() - clock)

    with torch.no_grad():
        logits = model(x)
        cost = loss_fn(logits, y).item()
        train_acc = 100.0 * (logits.argmax(1) == y).float().mean().item()
        test_logits = model(torch.tensor(xte, dtype=torch.float32))
        test_acc = 100.0 * (test_logits.argmax(1).numpy() == yte).mean()
    ms = statistics.median(times) * 1000
    deciles = statistics.quantiles(times, n=10)
    print(f"pytorch {torch.__version__} f32 threads={a.threads} {a.layers} on {len(ytr)} examples "
          f"({source}): {ms:.3f} ms/step median (p10 {deciles[0] * 1000:.3f}, "
          f"p90 {deciles[-1] * 1000:.3f}) over {a.steps} steps, {len(ytr) / ms * 1000:.0f} examples/s; "
          f"after {a.warmup + a.steps} steps at lr {a.lr}: cost {cost:.6f}, "
          f"train {train_acc:.2f} % / test {test_acc:.2f} %")


if __name__ == "__main__":
    main()
