"""``python -m reference``: run the reference demos (same as ``gradelab demo``)."""

from __future__ import annotations

import argparse
import sys

from reference.demos import DEMOS, run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference", description=__doc__)
    parser.add_argument("--device", default="auto", help="auto (CUDA when available), cpu, cuda")
    parser.add_argument("--only", action="append", choices=DEMOS, help="run only this demo")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out/demo", help="folder for figures and results.json")
    args = parser.parse_args(argv)
    return run_all(device=args.device, only=args.only, seed=args.seed, out=args.out)


if __name__ == "__main__":
    sys.exit(main())
