"""PyTorch reference for `jobs/bench.sh train-step`: the same flows flowsynth trains, written plainly in PyTorch.

realnvp: per layer an affine coupling (the first D//2 features condition an MLP, relu hidden layers, heads
raw-scale and shift; scale = a + (2 - 2a) * sigmoid(raw), a = e^-3; only the other features move), then ActNorm
(per-feature log-scale and shift), then a fixed permutation. maf: the same with a MADE conditioner (masked weights,
flowsynth's degrees) transforming every feature. spline: the coupling's elementwise map is a rational-quadratic
spline (8 bins on [-3, 3], identity outside; floors 1e-3 on widths, heights and derivatives; bin lookup by
comparison count and gather, as neural-spline-flow code does it) of the transformed features. Loss: mean over rows of 0.5*|z|^2 - log|det J|; Adam, global L2
gradient clipping at 5, float32, one thread. Prints one JSON object: rows/s per family and batch size.

usage: train_step_torch.py OUT_JSON FAMILIES BATCHES SECONDS [FEATURES LAYERS HIDDEN DEPTH]
"""
import json
import math
import sys
import time

import torch

torch.set_num_threads(1)
A = math.exp(-3.0)
BINS = 8
TAIL = 3.0
MIN_W = MIN_H = MIN_D = 1e-3
SHIFT = math.log(math.expm1(1.0 - MIN_D))


def rq_spline(x, uw, uh, ud):
    """x [n, m]; uw, uh [n, m, K]; ud [n, m, K-1]. Returns (y, log dy/dx)."""
    k = uw.shape[-1]
    inside = (x >= -TAIL) & (x < TAIL)
    xc = x.clamp(-TAIL, TAIL)
    w = MIN_W + (1 - MIN_W * k) * torch.softmax(uw, -1)
    h = MIN_H + (1 - MIN_H * k) * torch.softmax(uh, -1)
    cw = torch.nn.functional.pad(torch.cumsum(w, -1), (1, 0)) * (2 * TAIL) - TAIL
    ch = torch.nn.functional.pad(torch.cumsum(h, -1), (1, 0)) * (2 * TAIL) - TAIL
    d = torch.nn.functional.pad(MIN_D + torch.nn.functional.softplus(ud + SHIFT), (1, 1), value=1.0)
    idx = ((xc[..., None] >= cw[..., 1:-1]).sum(-1, keepdim=True))
    g = lambda t: t.gather(-1, idx)[..., 0]
    xk, wk = g(cw[..., :-1]), g(w) * (2 * TAIL)
    yk, hk = g(ch[..., :-1]), g(h) * (2 * TAIL)
    dk, dk1 = g(d[..., :-1]), g(d[..., 1:])
    s = hk / wk
    xi = (xc - xk) / wk
    om = xi * (1 - xi)
    den = s + (dk1 + dk - 2 * s) * om
    y = yk + hk * (s * xi * xi + dk * om) / den
    deriv = s * s * (dk1 * xi * xi + 2 * s * om + dk * (1 - xi) ** 2) / (den * den)
    return torch.where(inside, y, x), torch.where(inside, torch.log(deriv), torch.zeros_like(x))


def made_masks(d, h):
    deg = [0 if d == 1 else (k % (d - 1)) + 1 for k in range(h)]
    m_in = torch.tensor([[1.0 if deg[k] >= i + 1 else 0.0 for k in range(h)] for i in range(d)])
    m_hid = torch.tensor([[1.0 if deg[b] >= deg[a] else 0.0 for b in range(h)] for a in range(h)])
    m_out = torch.tensor([[1.0 if i + 1 > deg[k] else 0.0 for i in range(d)] for k in range(h)])
    return m_in, m_hid, m_out


class Layer(torch.nn.Module):
    def __init__(self, d, h, depth, family, perm):
        super().__init__()
        maf = family == "maf"
        self.maf = maf
        self.spline = family == "spline"
        self.d = d
        ins = [d] + [h] * (depth - 1)
        self.w = torch.nn.ParameterList([torch.nn.Parameter(torch.empty(i, h)) for i in ins])
        for w in self.w:
            torch.nn.init.xavier_uniform_(w)
        self.b = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(h)) for _ in ins])
        if self.spline:
            self.hw = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(h, d * c)) for c in (BINS, BINS, BINS - 1)])
            self.hb = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(d * c)) for c in (BINS, BINS, BINS - 1)])
        else:
            self.ws = torch.nn.Parameter(torch.zeros(h, d))
            self.bs = torch.nn.Parameter(torch.zeros(d))
            self.wt = torch.nn.Parameter(torch.zeros(h, d))
            self.bt = torch.nn.Parameter(torch.zeros(d))
        self.a_s = torch.nn.Parameter(torch.zeros(d))
        self.a_b = torch.nn.Parameter(torch.zeros(d))
        self.register_buffer("perm", torch.tensor(perm))
        cond = d // 2
        mask = torch.zeros(d)
        mask[:cond] = 1.0
        self.register_buffer("mask", mask)
        if maf:
            m_in, m_hid, m_out = made_masks(d, h)
            self.register_buffer("m_in", m_in)
            self.register_buffer("m_hid", m_hid)
            self.register_buffer("m_out", m_out)

    def forward(self, x):
        hcur = x if self.maf else x * self.mask
        for j, (w, b) in enumerate(zip(self.w, self.b)):
            if self.maf:
                w = w * (self.m_in if j == 0 else self.m_hid)
            hcur = torch.relu(hcur @ w + b)
        if self.spline:
            n, c = x.shape[0], self.d // 2
            u = [(hcur @ w + b).view(n, self.d, -1)[:, c:, :] for w, b in zip(self.hw, self.hb)]
            yt, ld = rq_spline(x[:, c:], u[0], u[1], u[2])
            y = torch.cat([x[:, :c], yt], 1) * torch.exp(self.a_s) + self.a_b
            return y[:, self.perm], ld.sum(1) + self.a_s.sum()
        ws, wt = (self.ws * self.m_out, self.wt * self.m_out) if self.maf else (self.ws, self.wt)
        raw = hcur @ ws + self.bs
        shift = hcur @ wt + self.bt
        s = torch.log(A + (2 - 2 * A) * torch.sigmoid(raw))
        if not self.maf:
            keep = 1.0 - self.mask
            s = s * keep
            shift = shift * keep
        y = x * torch.exp(s) + shift
        y = y * torch.exp(self.a_s) + self.a_b
        logdet = s.sum(1) + self.a_s.sum()
        return y[:, self.perm], logdet


class Flow(torch.nn.Module):
    def __init__(self, family, d, layers, h, depth):
        super().__init__()
        gen = torch.Generator().manual_seed(1)
        perms = [list(range(d - 1, -1, -1)) if k % 2 == 0 else torch.randperm(d, generator=gen).tolist()
                 for k in range(layers)]
        self.layers = torch.nn.ModuleList([Layer(d, h, depth, family, perms[k]) for k in range(layers)])

    def forward(self, x):
        total = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            total = total + ld
        return (0.5 * (x * x).sum(1) - total).mean()


def rows_per_second(family, batch, seconds, d, layers, h, depth):
    torch.manual_seed(0)
    flow = Flow(family, d, layers, h, depth)
    opt = torch.optim.Adam(flow.parameters(), lr=0.002)
    mix = torch.randn(d, d) * 0.3 + torch.eye(d)
    data = torch.randn(batch * 16, d) @ mix

    def step(i):
        x = data[(i % 16) * batch:((i % 16) + 1) * batch]
        opt.zero_grad(set_to_none=True)
        loss = flow(x)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(flow.parameters(), 5.0)
        opt.step()
        return loss.item()

    i = 0
    warm = time.perf_counter()
    while time.perf_counter() - warm < min(2.0, seconds / 2) or i < 3:
        step(i)
        i += 1
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 5:
        step(i)
        i += 1
        steps += 1
    elapsed = time.perf_counter() - start
    return steps * batch / elapsed, steps


def main():
    out, families, batches, seconds = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(","), float(sys.argv[4])
    d, layers, h, depth = (int(v) for v in (sys.argv[5:9] if len(sys.argv) >= 9 else (16, 6, 64, 2)))
    results = []
    for family in families:
        if family not in ("realnvp", "maf", "spline"):
            continue
        for b in batches:
            rps, steps = rows_per_second(family, int(b), seconds, d, layers, h, depth)
            results.append({"family": family, "batch": int(b), "rows_per_s": round(rps, 1), "steps": steps})
            print(f"torch {family} batch {b}: {rps:.0f} rows/s", file=sys.stderr)
    with open(out, "w") as f:
        json.dump({"torch_version": torch.__version__, "threads": torch.get_num_threads(), "results": results}, f,
                  indent=2)


if __name__ == "__main__":
    main()
