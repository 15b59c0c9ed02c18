"""Benchmark: time to draw one variant, per template.

Prints, for every template in the bank, the median over many seeds of
  generate+solve  one generate(rng) and one exact solve (goal <= 0.5 ms), and
  full draw       what a build pays per variant: generate, exact and hand
                  solves, every named mistake, the degeneracy checks, freezing.

    python bench/variants.py [--seeds 300] [ID ...]
"""

from __future__ import annotations

import argparse
import statistics
import time

from quizgen.bank.loader import load_bank
from quizgen.bank.question import Redraw, freeze, thaw
from quizgen.bank.seeds import rng_for


def time_template(template, seeds: int):
    plain, full = [], []
    for seed in range(seeds):
        rng = rng_for(seed)
        start = time.perf_counter()
        try:
            params = thaw(freeze(template.generate_fn(rng)))
            template.solve(params)
        except Redraw:
            continue  # a rejected draw: the full draw below pays for redraws
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        template.draw(rng_for(seed), str(seed))
        full.append(time.perf_counter() - start)
    return statistics.median(plain) * 1e3, statistics.median(full) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--seeds", type=int, default=300)
    args = parser.parse_args()
    bank = load_bank()
    templates = [bank.get(i) for i in args.ids] if args.ids else list(bank.templates.values())
    width = max(len(t.id) for t in templates)
    print(f"median over {args.seeds} seeds; goal: generate+solve <= 0.5 ms")
    print(f"{'template':<{width}}  {'generate+solve ms':>17}  {'full draw ms':>12}")
    worst = 0.0
    for t in templates:
        plain, full = time_template(t, args.seeds)
        worst = max(worst, plain)
        flag = "" if plain <= 0.5 else "  over goal"
        print(f"{t.id:<{width}}  {plain:>17.3f}  {full:>12.3f}{flag}")
    print(f"slowest generate+solve: {worst:.3f} ms")


if __name__ == "__main__":
    main()
