#!/usr/bin/env python3
"""The PyTorch CPU (f32) side of bench/scale.sh, and the file it trains on.

  torch_scale.py generate FILE --examples M   X (M, 784) f32 examples-first, Y (M,) int8 from a
                                              fixed random linear rule (seeded); written in blocks
  torch_scale.py stream FILE [--workers N]    [784, 128, 64, 1] ReLU, Adam 1e-3, batch 256, one
                                              epoch, from an h5py-backed Dataset and DataLoader
                                              (shuffled, one example per __getitem__)
  torch_scale.py cat --epochs E               deep_cat's [12288, 20, 7, 5, 1] ReLU net, plain
                                              SGD 0.0075, batch 64, the cat set in memory

Prints one line: mode, examples/s, training seconds, last epoch's mean cost, peak RSS (MiB) of
this process and of its worker processes.
"""
import argparse
import os
import resource
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
N_X = 784


def generate(path, m):
    rng = np.random.default_rng(17)
    w = rng.standard_normal(N_X).astype(np.float32)
    block = 20_000
    with h5py.File(path + ".part", "w") as f:
        x = f.create_dataset("X", (m, N_X), dtype="f4")
        y = f.create_dataset("Y", (m,), dtype="i1")
        for start in range(0, m, block):
            n = min(block, m - start)
            xb = rng.standard_normal((n, N_X), dtype=np.float32)
            x[start:start + n] = xb
            y[start:start + n] = (xb @ w > 0).astype(np.int8)
    os.replace(path + ".part", path)


def peak_mib():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, workers


def train(model, loader, optimizer, epochs, m):
    import torch
    loss_fn = torch.nn.BCEWithLogitsLoss()
    clock = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x).squeeze(1), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y) / m
    return time.perf_counter() - clock, total


class H5Examples:
    """One example per __getitem__, read from the file (opened once per worker process)."""

    def __init__(self, path):
        self.path = path
        with h5py.File(path, "r") as f:
            self.m = f["X"].shape[0]
            self.y = f["Y"][...].astype(np.float32)
        self.x = None

    def __len__(self):
        return self.m

    def __getitem__(self, i):
        if self.x is None:
            self.x = h5py.File(self.path, "r")["X"]
        return self.x[i], self.y[i]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["generate", "stream", "cat"])
    p.add_argument("file", nargs="?")
    p.add_argument("--examples", type=int, default=1_000_000)
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--epochs", type=int, default=1)
    a = p.parse_args()
    if a.mode == "generate":
        generate(a.file, a.examples)
        return
    import torch
    from torch import nn
    torch.manual_seed(1)
    torch.set_num_threads(os.cpu_count() or 1)
    if a.mode == "stream":
        data = H5Examples(a.file)
        m = data.m
        loader = torch.utils.data.DataLoader(
            data, batch_size=256, shuffle=True, num_workers=a.workers)
        model = nn.Sequential(nn.Linear(N_X, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                              nn.Linear(64, 1))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        label = f"stream workers={a.workers}"
    else:
        with h5py.File(os.path.join(HERE, "..", "datasets", "train_catvnoncat.h5"), "r") as f:
            x = torch.tensor(f["train_set_x"][:].reshape(209, -1) / 255, dtype=torch.float32)
            y = torch.tensor(f["train_set_y"][:], dtype=torch.float32)
        m = len(y)
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)
        sizes = [12288, 20, 7, 5, 1]
        layers = []
        for i in range(1, len(sizes)):
            layers.append(nn.Linear(sizes[i - 1], sizes[i]))
            if i < len(sizes) - 1:
                layers.append(nn.ReLU())
        model = nn.Sequential(*layers)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.0075)
        label = "cat in memory"
    seconds, cost = train(model, loader, optimizer, a.epochs, m)
    own, workers = peak_mib()
    print(f"pytorch {torch.__version__} {label}: {m * a.epochs / seconds:.0f} examples/s, "
          f"{seconds:.2f} s, last epoch cost {cost:.6f}, peak RSS {own:.0f} MiB "
          f"(workers {workers:.0f} MiB)")


if __name__ == "__main__":
    main()
