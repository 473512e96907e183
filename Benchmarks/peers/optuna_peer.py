"""Optuna reference for `scripts/bench sweep`: TPE sampler + successive-halving pruner over the
same search space, data and epoch budget as the Trainyard sweeps, training the same model (one
hidden ReLU layer, softmax, Adam with a cosine schedule over the full budget, batch 128,
standardized features, 25% validation) in numpy.

    python3 optuna_peer.py DATA.csv --trials 27 --max-epochs 27 --seed 1 --out optuna.json

Writes {"best": …, "total_epochs": …, "history": [{"epochs": …, "best": …}, …]}: after every
epoch of any trial, the epochs trained so far and the best validation loss so far.
"""
import argparse
import json
import math

import numpy as np
import optuna


def load(path, seed):
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    x, y = data[:, :-1].astype(np.float32), data[:, -1].astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(len(y) * 0.75)
    train, val = order[:cut], order[cut:]
    mean, std = x[train].mean(0), x[train].std(0) + 1e-8
    x = (x - mean) / std
    return x[train], y[train], x[val], y[val], int(y.max()) + 1


def val_loss(params, x, y):
    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1 + b1, 0)
    logits = h @ w2 + b2
    logits -= logits.max(1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--trials", type=int, default=27)
    parser.add_argument("--max-epochs", type=int, default=27)
    parser.add_argument("--reduction-factor", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    xt, yt, xv, yv, classes = load(args.data, args.seed)
    batch = 128
    steps_per_epoch = math.ceil(len(yt) / batch)
    total_steps = steps_per_epoch * args.max_epochs
    history = []
    best = [math.inf]

    def objective(trial):
        lr = trial.suggest_float("optimizer.lr", 1e-4, 0.3, log=True)
        hidden = trial.suggest_categorical("model.hidden", [16, 64, 128])
        rng = np.random.default_rng(args.seed + trial.number)
        features = xt.shape[1]
        params = [rng.normal(0, math.sqrt(2 / features), (features, hidden)).astype(np.float32),
                  np.zeros(hidden, np.float32),
                  rng.normal(0, math.sqrt(1 / hidden), (hidden, classes)).astype(np.float32),
                  np.zeros(classes, np.float32)]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        step = 0
        loss = math.inf
        for epoch in range(1, args.max_epochs + 1):
            order = rng.permutation(len(yt))
            for start in range(0, len(yt), batch):
                idx = order[start:start + batch]
                x, y = xt[idx], yt[idx]
                w1, b1, w2, b2 = params
                pre = x @ w1 + b1
                h = np.maximum(pre, 0)
                logits = h @ w2 + b2
                logits -= logits.max(1, keepdims=True)
                p = np.exp(logits)
                p /= p.sum(1, keepdims=True)
                p[np.arange(len(y)), y] -= 1
                p /= len(y)
                dh = (p @ w2.T) * (pre > 0)
                grads = [x.T @ dh, dh.sum(0), h.T @ p, p.sum(0)]
                step += 1
                rate = lr * 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))
                for i, g in enumerate(grads):
                    m[i] = 0.9 * m[i] + 0.1 * g
                    v[i] = 0.999 * v[i] + 0.001 * g * g
                    mhat = m[i] / (1 - 0.9 ** step)
                    vhat = v[i] / (1 - 0.999 ** step)
                    params[i] -= (rate * mhat / (np.sqrt(vhat) + 1e-8)).astype(np.float32)
            loss = val_loss(params, xv, yv)
            if not math.isnan(loss):
                best[0] = min(best[0], loss)
            history.append({"epochs": len(history) + 1, "best": best[0]})
            trial.report(loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="minimize", sampler=optuna.samplers.TPESampler(seed=args.seed),
        pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=args.reduction_factor))
    study.optimize(objective, n_trials=args.trials)
    with open(args.out, "w") as out:
        json.dump({"best": best[0], "total_epochs": len(history), "history": history}, out)


if __name__ == "__main__":
    main()
