#!/usr/bin/env python3
"""Coverage gate for `make coverage`: parses forge's lcov report and fails when the line or branch
coverage of contracts/ (interfaces excluded: no code) is below the thresholds.

Usage: check-coverage.py LCOV_FILE [--lines 95] [--branches 90] [--prefix contracts/]
"""

import argparse
import sys


def parse(path, prefix):
    """Per-file (lines found, lines hit, branches found, branches hit) for files under `prefix`."""
    files = {}
    current = None
    with open(path, encoding="utf8") as report:
        for raw in report:
            line = raw.strip()
            if line.startswith("SF:"):
                name = line[3:]
                current = name if name.startswith(prefix) and "/interfaces/" not in name else None
                if current is not None:
                    files[current] = [0, 0, 0, 0]
            elif current is None:
                continue
            elif line.startswith("LF:"):
                files[current][0] = int(line[3:])
            elif line.startswith("LH:"):
                files[current][1] = int(line[3:])
            elif line.startswith("BRF:"):
                files[current][2] = int(line[4:])
            elif line.startswith("BRH:"):
                files[current][3] = int(line[4:])
            elif line == "end_of_record":
                current = None
    return files


def percent(hit, found):
    return 100.0 if found == 0 else 100.0 * hit / found


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lcov")
    parser.add_argument("--lines", type=float, default=95.0)
    parser.add_argument("--branches", type=float, default=90.0)
    parser.add_argument("--prefix", default="contracts/")
    args = parser.parse_args()

    files = parse(args.lcov, args.prefix)
    if not files:
        print(f"coverage: no files under {args.prefix} in {args.lcov}", file=sys.stderr)
        return 1
    print(f"{'file':<45} {'lines':>16} {'branches':>16}")
    totals = [0, 0, 0, 0]
    for name in sorted(files):
        lf, lh, bf, bh = files[name]
        totals = [t + v for t, v in zip(totals, files[name])]
        print(f"{name:<45} {lh:>5}/{lf:<5} {percent(lh, lf):5.1f}% {bh:>5}/{bf:<5} {percent(bh, bf):5.1f}%")
    lf, lh, bf, bh = totals
    lines, branches = percent(lh, lf), percent(bh, bf)
    print(f"{'total ' + args.prefix:<45} {lh:>5}/{lf:<5} {lines:5.1f}% {bh:>5}/{bf:<5} {branches:5.1f}%")
    failed = False
    if lines < args.lines:
        print(f"coverage: lines {lines:.2f}% < {args.lines}%", file=sys.stderr)
        failed = True
    if branches < args.branches:
        print(f"coverage: branches {branches:.2f}% < {args.branches}%", file=sys.stderr)
        failed = True
    if not failed:
        print(f"coverage: lines {lines:.2f}% >= {args.lines}%, branches {branches:.2f}% >= {args.branches}%")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
