"""`python -m tests.fuzz [--target NAME|all] [--count N] [--seed S]`: long fuzzing runs, one JSON report line per target."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from .harness import TARGETS, fuzz


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--target", default="all", choices=["all", *TARGETS])
    parser.add_argument("--count", type=int, default=10_000, help="inputs per target")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # internal errors are counted, not logged a million times
    failed = False
    for target in TARGETS if args.target == "all" else [args.target]:
        started = time.perf_counter()

        def progress(done: int, target: str = target, started: float = started) -> None:
            rate = done / (time.perf_counter() - started)
            print(f"\r{target}: {done}/{args.count} ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)

        report = fuzz(target, args.count, args.seed, progress).as_dict()
        report["seconds"] = round(time.perf_counter() - started, 1)
        print(file=sys.stderr)
        print(json.dumps(report), flush=True)
        failed |= bool(report["crashes"] or report["internal_errors"] or report["allowed_changed_mutants"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
