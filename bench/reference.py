"""Benchmark: reference_impl forward+backward beside PyTorch float64 on the CPU.

Prints, for an LSTM (T=50, H=64, D=32) and a conv2d (C=16, 32x32, F=32, k=3,
padding 1), the median wall time of one forward+backward pass in NumPy and in
torch (float64, autograd), and their ratio. Goal: NumPy within 3x of torch.

    python bench/reference.py [--repeats 50]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from reference_impl.cnn import conv2d, conv2d_backward
from reference_impl.lstm import lstm_backward, lstm_forward


def median_ms(fn, repeats: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def lstm_case(rng, torch, repeats):
    T, H, D = 50, 64, 32
    x = rng.normal(size=(T, D))
    h0, c0 = rng.normal(size=H), rng.normal(size=H)
    params = {f"W_{g}": rng.normal(scale=0.1, size=(H, H + D)) for g in "fico"}
    params.update({f"b_{g}": rng.normal(scale=0.1, size=H) for g in "fico"})
    dh = rng.normal(size=(T, H))

    def numpy_pass():
        h, c, cache = lstm_forward(x, h0, c0, params)
        lstm_backward(dh, cache)

    lstm = torch.nn.LSTM(D, H, dtype=torch.float64)
    xt = torch.tensor(x[:, None, :], requires_grad=True)
    state = (torch.tensor(h0[None, None, :]), torch.tensor(c0[None, None, :]))
    dht = torch.tensor(dh[:, None, :])

    def torch_pass():
        out, _ = lstm(xt, state)
        out.backward(dht)

    return "LSTM T=50 H=64 D=32", median_ms(numpy_pass, repeats), median_ms(torch_pass, repeats)


def conv_case(rng, torch, repeats):
    C, S, F, k = 16, 32, 32, 3
    x = rng.normal(size=(C, S, S))
    w = rng.normal(size=(F, C, k, k))
    b = rng.normal(size=F)
    dout = rng.normal(size=(F, S, S))

    def numpy_pass():
        out, cache = conv2d(x, w, b, stride=1, padding=1)
        conv2d_backward(dout, cache)

    xt = torch.tensor(x[None], requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    doutt = torch.tensor(dout[None])

    def torch_pass():
        out = torch.nn.functional.conv2d(xt, wt, bt, stride=1, padding=1)
        out.backward(doutt)

    return "conv2d C=16 32x32 F=32 k=3", median_ms(numpy_pass, repeats), median_ms(torch_pass, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    import torch

    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"python {platform.python_version()}, median of {args.repeats} forward+backward passes")
    # torch is timed with its default thread count and with one thread; the ratio is
    # taken against the faster of the two, so the comparison never flatters NumPy.
    default_threads = torch.get_num_threads()
    print(f"{'case':<30} {'numpy ms':>10} {'torch ms':>10} {'torch 1-thr':>11} {'ratio':>7}  goal <= 3x")
    for case in (lstm_case, conv_case):
        torch.set_num_threads(default_threads)
        name, numpy_ms, torch_ms = case(rng, torch, args.repeats)
        torch.set_num_threads(1)
        _, _, torch_1_ms = case(rng, torch, args.repeats)
        ratio = numpy_ms / min(torch_ms, torch_1_ms)
        verdict = "ok" if ratio <= 3 else "SLOWER THAN GOAL"
        print(f"{name:<30} {numpy_ms:>10.3f} {torch_ms:>10.3f} {torch_1_ms:>11.3f} {ratio:>6.2f}x  {verdict}")
    torch.set_num_threads(default_threads)


if __name__ == "__main__":
    main()
