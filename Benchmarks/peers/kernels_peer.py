#!/usr/bin/env python3
"""numpy (and optionally PyTorch) peer of KernelBench: the same kernels, one thread, medians.

Reads the logistic-regression data that KernelBench wrote (X.f32, y.f32, w.f32, grad.f32 in
--data-dir), times numpy's X@w, sigmoid, X.T@r on it and checks the gradient against Swift's.
Prints one JSON object. Run with OPENBLAS_NUM_THREADS=1 (the bench script does).
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np


def median_seconds(repetitions, body):
    body()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def blas_info():
    try:
        import threadpoolctl

        return [
            {k: info.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for info in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        return None


def logistic(args, results):
    rows, columns = args.rows, args.columns
    d = args.data_dir
    X = np.fromfile(f"{d}/X.f32", dtype=np.float32).reshape(rows, columns)
    y = np.fromfile(f"{d}/y.f32", dtype=np.float32)
    params = np.fromfile(f"{d}/w.f32", dtype=np.float32)
    w, b = params[:columns], params[columns]
    out = {}

    def step():
        z = X @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        r = p - y
        out["g"] = X.T @ r
        out["gb"] = r.sum()
        out["loss"] = float(np.logaddexp(0, z).sum() - (z * y).sum())

    seconds = median_seconds(args.repetitions, step)
    results["numpy_logistic_seconds"] = seconds
    results["numpy_logistic_gbps"] = X.nbytes / seconds / 1e9
    swift = np.fromfile(f"{d}/grad.f32", dtype=np.float32)
    reference = np.append(out["g"], out["gb"]).astype(np.float64)
    scale = max(1.0, float(np.abs(reference).max()))
    results["logistic_max_gradient_difference"] = float(np.abs(swift - reference).max() / scale)
    results["numpy_logistic_loss_sum"] = out["loss"]


def sgemm(args, results):
    rng = np.random.default_rng(0)
    for name, m, n, k in (("sgemm_512", 512, 512, 512), ("sgemm_256x784x256", 256, 256, 784)):
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        seconds = median_seconds(max(args.repetitions, 20), lambda: np.matmul(a, b, out=c))
        results[f"numpy_{name}_gflops"] = 2 * m * n * k / seconds / 1e9


def torch_mlp(args, results):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(256, 784) * 2 - 1
    y = torch.randint(0, 10, (256,))

    def step():
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    seconds = median_seconds(max(args.repetitions * 5, 30), step)
    results["torch_mlp_samples_per_second"] = 256 / seconds
    results["torch_version"] = torch.__version__
    results["torch_threads"] = torch.get_num_threads()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=128)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--with-torch", action="store_true")
    args = parser.parse_args()
    results = {"numpy_version": np.__version__}
    logistic(args, results)
    sgemm(args, results)
    if args.with_torch:
        torch_mlp(args, results)
    results["blas"] = blas_info()
    json.dump(results, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
