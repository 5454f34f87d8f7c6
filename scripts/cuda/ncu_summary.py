"""Sums one forward of an `ncu --csv` kernel log (scripts/cuda/profile-kernels.sh) by kernel and grid.

A forward starts at its embedding kernel; FORWARD picks one by index (0: DecodeBench's prefill, -1: its
last decode step). Prints the forward's total GPU time and one line per kernel: total, calls, per call.
Usage: python3 scripts/cuda/ncu_summary.py ncu-NAME.csv.gz [FORWARD]
"""
import csv
import gzip
import sys


def kernels(path):
    with gzip.open(path, "rt") as f:
        rows = list(csv.reader(line for line in f if line.startswith('"')))
    head = rows[0]
    name, grid, unit, value = (head.index(c) for c in ("Kernel Name", "Grid Size", "Metric Unit", "Metric Value"))
    scale = {"ns": 1e-3, "usecond": 1.0, "us": 1.0, "msecond": 1e3, "ms": 1e3}
    return [(r[name][:60], r[grid], float(r[value].replace(",", "")) * scale[r[unit]]) for r in rows[1:]]


def main():
    ks = kernels(sys.argv[1])
    which = int(sys.argv[2]) if len(sys.argv) > 2 else -1
    starts = [i for i, (n, _, _) in enumerate(ks) if n.startswith("embedding")]
    begin = starts[which]
    later = [s for s in starts if s > begin]
    forward = ks[begin:later[0] if later else len(ks)]
    totals = {}
    for n, g, us in forward:
        calls, total = totals.get((n, g), (0, 0.0))
        totals[(n, g)] = (calls + 1, total + us)
    print(f"forward {which} of {len(starts)}: {len(forward)} kernels, {sum(us for _, _, us in forward) / 1e3:.3f} ms")
    for (n, g), (calls, total) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        print(f"{total:12.1f} us {calls:4d} x {total / calls:9.1f} us  {n}  grid {g}")


if __name__ == "__main__":
    main()
