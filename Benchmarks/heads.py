#!/usr/bin/env python3
"""NumPy counterpart of `xp-bench heads`: the same three workloads with the same formulas.

- Softmax regression (the reference suite's `train_softmax_classifier`): full-batch gradient
  descent in float32, 801 x 8546 -> 18 classes, 400 epochs, lr 0.12, l2 2e-3, class weights.
- MLP (the reference's neural head, written out in NumPy): LayerNorm -> Linear(d,128) -> GELU ->
  Dropout(0.1) -> Linear(128,128) -> GELU -> Dropout -> Linear(128,18), weighted cross entropy,
  AdamW (1e-3, 0.9/0.999, 1e-8, wd 1e-4), batch 128, 80 epochs, 813 x 8546.
- Dual ridge (`ridge_fit_predict`): 811 x 8546 -> 1260 targets, lambda 10, float32 solve.
- When PyTorch imports: the same MLP in PyTorch itself (the reference's framework).

Prints one JSON object with the median and best seconds over --repeats runs after one warm-up.
"""
import argparse
import json
import sys
import time

import numpy as np

try:
    from scipy.special import erf as _erf

    ERF = "scipy.special.erf"
except ImportError:  # Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), enough for timing.
    def _erf(x):
        s = np.sign(x)
        a = np.abs(x)
        t = 1.0 / (1.0 + 0.3275911 * a)
        y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
        return (s * y).astype(x.dtype)

    ERF = "Abramowitz-Stegun approximation"

F32 = np.float32


def softmax_gd(X, y, C, epochs, lr=0.12, l2=2e-3, seed=7):
    n, d = X.shape
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 0.01, size=(d, C)).astype(F32)
    b = np.zeros(C, dtype=F32)
    Y = np.eye(C, dtype=F32)[y]
    counts = np.bincount(y, minlength=C).astype(np.float64)
    cw = n / np.maximum(counts, 1) / C
    sw = cw[y]
    sw = (sw / sw.mean()).astype(F32)[:, None]
    for _ in range(epochs):
        Z = X @ W + b
        Z -= Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        G = (P - Y) * sw / F32(n)
        W -= F32(lr) * (X.T @ G + F32(l2) * W)
        b -= F32(lr) * G.sum(axis=0)
    return W, b


def gelu(x):
    return F32(0.5) * x * (F32(1) + _erf(x * F32(0.7071067811865476)))


def gelu_grad(x):
    cdf = F32(0.5) * (F32(1) + _erf(x * F32(0.7071067811865476)))
    return cdf + x * np.exp(F32(-0.5) * x * x) * F32(0.3989422804014327)


def mlp_train(X, y, C, epochs, hidden=128, batch=128, lr=1e-3, wd=1e-4, b1=0.9, b2=0.999, eps=1e-8, p=0.1, seed=7):
    n, d = X.shape
    rng = np.random.default_rng(seed)

    def lin(o, i):
        bound = 1 / np.sqrt(i)
        return rng.uniform(-bound, bound, (o, i)).astype(F32), rng.uniform(-bound, bound, o).astype(F32)

    W1, c1 = lin(hidden, d)
    W2, c2 = lin(hidden, hidden)
    W3, c3 = lin(C, hidden)
    params = [np.ones(d, F32), np.zeros(d, F32), W1, c1, W2, c2, W3, c3]
    m = [np.zeros_like(q) for q in params]
    v = [np.zeros_like(q) for q in params]
    counts = np.bincount(y, minlength=C).astype(np.float64)
    cw = n / np.maximum(counts, 1) / C
    cw = (cw / cw.mean()).astype(F32)
    step = 0
    for epoch in range(epochs):
        order = np.random.default_rng(seed + epoch).permutation(n)
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            xb, yb = X[idx], y[idx]
            B = len(idx)
            g_ln, b_ln, W1, c1, W2, c2, W3, c3 = params
            mu = xb.mean(axis=1, keepdims=True, dtype=np.float64)
            var = ((xb - mu) ** 2).mean(axis=1, keepdims=True)
            rstd = (1 / np.sqrt(var + 1e-5)).astype(F32)
            xhat = ((xb - mu) * rstd).astype(F32)
            ln = xhat * g_ln + b_ln
            h1 = ln @ W1.T + c1
            m1 = (rng.random(h1.shape) >= p).astype(F32) / F32(1 - p)
            a1 = gelu(h1) * m1
            h2 = a1 @ W2.T + c2
            m2 = (rng.random(h2.shape) >= p).astype(F32) / F32(1 - p)
            a2 = gelu(h2) * m2
            z = a2 @ W3.T + c3
            z = z - z.max(axis=1, keepdims=True)
            pz = np.exp(z)
            pz /= pz.sum(axis=1, keepdims=True)
            w = cw[yb]
            dz = pz.copy()
            dz[np.arange(B), yb] -= 1
            dz *= (w / w.sum())[:, None]
            gW3 = dz.T @ a2
            gc3 = dz.sum(0)
            da2 = (dz @ W3) * m2 * gelu_grad(h2)
            gW2 = da2.T @ a1
            gc2 = da2.sum(0)
            da1 = (da2 @ W2) * m1 * gelu_grad(h1)
            gW1 = da1.T @ ln
            gc1 = da1.sum(0)
            dln = da1 @ W1
            gg = (dln * xhat).sum(0)
            gb = dln.sum(0)
            grads = [gg, gb, gW1, gc1, gW2, gc2, gW3, gc3]
            step += 1
            bc1 = 1 - b1 ** step
            bc2 = 1 - b2 ** step
            for q, g, mq, vq in zip(params, grads, m, v):
                q *= F32(1 - lr * wd)
                mq *= F32(b1)
                mq += F32(1 - b1) * g
                vq *= F32(b2)
                vq += F32(1 - b2) * g * g
                q -= F32(lr / bc1) * mq / (np.sqrt(vq) / F32(np.sqrt(bc2)) + F32(eps))
    return params


def ridge_dual(X, Y, lam=10.0):
    mu = Y.mean(axis=0)
    sd = Y.std(axis=0)
    sd[sd < 1e-6] = 1
    Ys = ((Y - mu) / sd).astype(F32)
    Xa = np.hstack([X, np.ones((X.shape[0], 1), F32)])
    K = Xa @ Xa.T
    alpha = np.linalg.solve(K + F32(lam) * np.eye(K.shape[0], dtype=F32), Ys)
    return Xa.T @ alpha, mu, sd


def torch_mlp_train(X, y, C, epochs, seed=7):
    """The reference's neural head in PyTorch itself (§5): the same network, loss, optimiser,
    batches and epochs as `mlp_train`, on the CPU with PyTorch's own thread count."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    n, d = X.shape
    net = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 128), nn.GELU(), nn.Dropout(0.1),
                        nn.Linear(128, 128), nn.GELU(), nn.Dropout(0.1), nn.Linear(128, C))
    counts = np.bincount(y, minlength=C).astype(np.float64)
    cw = n / np.maximum(counts, 1) / C
    cw = torch.tensor(cw / cw.mean(), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=cw)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4)
    xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.int64))
    net.train()
    for epoch in range(1, epochs + 1):
        g = torch.Generator().manual_seed(seed + epoch)
        order = torch.randperm(n, generator=g)
        for start in range(0, n, 128):
            idx = order[start:start + 128]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    return net


def timing(fn, repeats):
    """Median and best wall time over `repeats` runs after one warm-up."""
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return {"seconds": round(float(np.median(times)), 3), "best_seconds": round(min(times), 3)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--softmax-epochs", type=int, default=400)
    ap.add_argument("--mlp-epochs", type=int, default=80)
    args = ap.parse_args()
    rng = np.random.default_rng(2024)
    d, C = 8546, 18
    Xs = rng.standard_normal((801, d), dtype=F32)
    ys = rng.integers(0, C, 801)
    Xm = rng.standard_normal((813, d), dtype=F32)
    ym = rng.integers(0, C, 813)
    Xr = rng.standard_normal((811, d), dtype=F32)
    Yr = rng.standard_normal((811, 1260), dtype=F32)
    out = {"numpy": np.__version__, "python": sys.version.split()[0], "gelu_erf": ERF}
    out["softmax"] = timing(lambda: softmax_gd(Xs, ys, C, args.softmax_epochs), args.repeats)
    out["mlp"] = timing(lambda: mlp_train(Xm, ym, C, args.mlp_epochs), args.repeats)
    out["ridge_dual"] = timing(lambda: ridge_dual(Xr, Yr), args.repeats)
    try:
        import torch
    except ImportError:
        out["torch"] = "not installed"
    else:
        out["torch"] = torch.__version__
        out["torch_threads"] = torch.get_num_threads()
        out["torch_mlp"] = timing(lambda: torch_mlp_train(Xm, ym, C, args.mlp_epochs), args.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
