#!/usr/bin/env python3
"""PyTorch DistributedDataParallel peer of `scripts/bench e2e`.

Trains the same model on the same rows as the Trainyard run it sits beside: it reads the
dataset version's `data.bin` (layout in Sources/Datasets/DataFileLayout.swift) and rebuilds
Trainyard's stratified train/validation split bit for bit (a port of SplitMix64 and
DatasetSplit.make from Sources/Datasets), so both sides train on the same training rows and
evaluate on the same validation rows. No transforms are applied on either side.

World size N: N processes started with torch.multiprocessing.spawn, gloo backend over
tcp://127.0.0.1 on a free port, torch.set_num_threads(1) in each. Each global batch of B rows
(a slice of the epoch's shuffled order, the same in every rank) is cut into N contiguous parts,
one per rank, as Trainyard splits a batch across its workers; DDP averages the gradients.
Plain SGD (optional momentum), constant learning rate.

Timing (the same rule the bench script applies to Trainyard's metric timestamps): the clock
starts when step 1 has completed (so process start, data loading and the first step's warm-up
are excluded) and stops when the last step has completed. samples/s = examples of steps
2..S / that time. Rank 0 evaluates on the validation split every --eval-every steps (and after
the last step) inside the timed loop, as Trainyard's coordinator does; time to target = time
from the end of step 1 to the end of the first evaluation whose accuracy reaches --target.

Prints one JSON object on stdout.
"""
import argparse
import json
import os
import socket
import sys
import time

import numpy as np

MASK = (1 << 64) - 1


# --- Trainyard's SplitMix64 and DatasetSplit, bit for bit -------------------------------


def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, seed, stream=None):
        if stream is None:
            self.state = seed & MASK
            return
        mixer = SplitMix64(seed ^ 0x6A09E667F3BCC909)
        a = mixer.next()
        self.state = a ^ _mix((stream + 0x9E3779B97F4A7C15) & MASK)

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        return _mix(self.state)

    def next_below(self, bound):
        m = self.next() * bound
        if (m & MASK) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & MASK) < threshold:
                m = self.next() * bound
        return m >> 64


def _shuffle(values, rng):
    for i in range(len(values) - 1, 0, -1):
        j = rng.next_below(i + 1)
        values[i], values[j] = values[j], values[i]


def trainyard_split(labels, validation, seed):
    """DatasetSplit.make(rowCount:validation:test: 0, seed:, stratifyBy: labels)."""
    groups = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    train, val = [], []
    for g, key in enumerate(sorted(groups)):
        members = groups[key]
        _shuffle(members, SplitMix64(seed, 0x53504C495400 + g))
        # Swift's .rounded() rounds half away from zero; np.round rounds half to even.
        exact = len(members) * validation
        n_val = min(len(members), int(np.floor(exact + 0.5)))
        val += members[:n_val]
        train += members[n_val:]
    return np.array(sorted(train), dtype=np.int64), np.array(sorted(val), dtype=np.int64)


# --- data.bin ---------------------------------------------------------------------------


def _layout(path):
    with open(path, "rb") as f:
        header = f.read(32)
    if header[:8] != b"TYDATA01":
        sys.exit(f"ddp_peer: {path}: bad magic (expected TYDATA01)")
    version, features = (int(v) for v in np.frombuffer(header[8:16], dtype="<u4"))
    rows = int(np.frombuffer(header[16:24], dtype="<u8")[0])
    per_block, header_size = (int(v) for v in np.frombuffer(header[24:32], dtype="<u4"))
    if version != 1:
        sys.exit(f"ddp_peer: {path}: format version {version}, expected 1")
    raw = np.memmap(path, dtype="<f4", mode="r", offset=header_size)
    return raw, rows, features, per_block


def _blocks(path):
    """(first row, rows, features view, labels view) for each block of a data.bin."""
    raw, rows, features, per_block = _layout(path)
    pos = 0
    for start in range(0, rows, per_block):
        n = min(per_block, rows - start)
        block = raw[pos:pos + n * (features + 1)]
        yield start, n, block[: n * features].reshape(n, features), block[n * features:]
        pos += n * (features + 1)


def read_labels(path):
    """The labels column of a data.bin (float32 [N])."""
    return np.concatenate([np.array(labels, dtype=np.float32) for _, _, _, labels in _blocks(path)])


def read_rows(path, indices):
    """Rows `indices` (sorted) of a data.bin as (features float32 [n, F], labels float32 [n])."""
    xs, ys = [], []
    for start, n, x, y in _blocks(path):
        lo, hi = np.searchsorted(indices, [start, start + n])
        local = indices[lo:hi] - start
        xs.append(np.array(x[local], dtype=np.float32))
        ys.append(np.array(y[local], dtype=np.float32))
    return np.concatenate(xs), np.concatenate(ys)


# --- the training process ---------------------------------------------------------------


def build_model(torch, args, features, classes):
    nn = torch.nn
    if args.model == "logistic":
        return nn.Linear(features, 1)
    layers, width = [], features
    for h in args.hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, classes))
    return nn.Sequential(*layers)


def accuracy(torch, model, args, x, y):
    with torch.no_grad():
        out = model(x)
        if args.model == "logistic":
            predicted = (out[:, 0] > 0).to(torch.float32)
        else:
            predicted = out.argmax(dim=1).to(torch.float32)
        return float((predicted == y).to(torch.float32).mean())


def worker(rank, args, port, split, queue):
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=args.world)

    train, val, classes = split
    x_np, y_np = read_rows(args.data, train)
    x_train, y_train = torch.from_numpy(x_np), torch.from_numpy(y_np)
    x_val = y_val = None
    if rank == 0:
        x_np, y_np = read_rows(args.data, val)
        x_val, y_val = torch.from_numpy(x_np), torch.from_numpy(y_np)
    torch.manual_seed(args.seed)
    model = DDP(build_model(torch, args, x_train.shape[1], classes))
    if args.model == "logistic":
        loss_fn = torch.nn.BCEWithLogitsLoss()
    else:
        loss_fn = torch.nn.CrossEntropyLoss()
        y_train = y_train.to(torch.int64)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    n = x_train.shape[0]
    steps_per_epoch = (n + args.batch - 1) // args.batch
    total_steps = steps_per_epoch * args.epochs
    generator = torch.Generator().manual_seed(args.seed)
    dist.barrier()

    step, examples_after_first, t_first = 0, 0, None
    time_to_target, last_accuracy, evaluations = None, None, 0
    for epoch in range(args.epochs):
        order = torch.randperm(n, generator=generator)
        for b in range(steps_per_epoch):
            rows = order[b * args.batch:min((b + 1) * args.batch, n)]
            lo = rows.numel() * rank // args.world
            hi = rows.numel() * (rank + 1) // args.world
            mine = rows[lo:hi]
            xb, yb = x_train[mine], y_train[mine]
            optimizer.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out[:, 0], yb) if args.model == "logistic" else loss_fn(out, yb)
            loss.backward()
            optimizer.step()
            step += 1
            if step == 1:
                t_first = time.perf_counter()
            else:
                examples_after_first += rows.numel()
            if rank == 0 and (step % args.eval_every == 0 or step == total_steps):
                last_accuracy = accuracy(torch, model.module, args, x_val, y_val)
                evaluations += 1
                if time_to_target is None and last_accuracy >= args.target:
                    time_to_target = time.perf_counter() - t_first
    dist.barrier()
    elapsed = time.perf_counter() - t_first
    if rank == 0:
        queue.put({
            "peer": f"PyTorch {torch.__version__} DDP gloo",
            "world_size": args.world,
            "model": args.model,
            "parameters": sum(p.numel() for p in model.module.parameters()),
            "train_rows": int(n),
            "validation_rows": int(len(val)),
            "global_batch": args.batch,
            "epochs": args.epochs,
            "steps": step,
            "timed_examples": int(examples_after_first),
            "timed_seconds": elapsed,
            "samples_per_second": examples_after_first / elapsed,
            "time_to_target_seconds": time_to_target,
            "target_accuracy": args.target,
            "final_val_accuracy": last_accuracy,
            "evaluations": evaluations,
        })
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="the dataset version's data.bin")
    parser.add_argument("--model", choices=["logistic", "mlp"], required=True)
    parser.add_argument("--hidden", default="256,128", help="mlp hidden widths, comma separated")
    parser.add_argument("--world", type=int, required=True, help="number of processes")
    parser.add_argument("--batch", type=int, required=True, help="global batch size")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--validation", type=float, default=0.2, help="validation fraction (stratified)")
    parser.add_argument("--seed", type=int, default=0, help="Trainyard's training.seed (fixes the split)")
    parser.add_argument("--eval-every", type=int, required=True, help="evaluate every K steps")
    parser.add_argument("--target", type=float, required=True, help="target validation accuracy")
    parser.add_argument("--split-only", action="store_true",
                        help="print the validation row indices as JSON and exit (to check the split)")
    args = parser.parse_args()
    args.hidden = [int(h) for h in args.hidden.split(",") if h]
    labels = read_labels(args.data)
    train, val = trainyard_split(labels, args.validation, args.seed)
    if args.split_only:
        print(json.dumps(val.tolist()))
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch.multiprocessing as mp

    context = mp.get_context("spawn")
    queue = context.SimpleQueue()
    split = (train, val, int(labels.max()) + 1)
    mp.spawn(worker, args=(args, free_port(), split, queue), nprocs=args.world, join=True)
    print(json.dumps(queue.get()))


if __name__ == "__main__":
    main()
