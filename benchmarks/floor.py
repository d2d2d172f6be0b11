"""How close can any engine come to issue #29's target? The memory floor of a day, measured.

A day of the default market changes some bytes of the per-customer arrays. Every 64-byte cache
line that holds a changed byte must be read from memory and written back, whatever the code that
changes it: that traffic, at this machine's measured read-and-write rate, is a lower bound on the
day's time for any engine that keeps this state. This script

1. steps the default market (built as ``benchmarks/run.py`` builds it) to a day of the run,
2. finds every per-customer array the model holds (any numpy array whose last axis has one entry
   per row, reached from the model's attributes),
3. steps ``--days`` more days one at a time, counting each day's changed cache lines per array,
4. measures the machine's read rate (a maximum over 256 MB) and read-and-write rate (a product in
   place over 256 MB), and the per-agent Mesa baseline of ``make bench``,

and prints the day's measured step time, its floor, and the time a day may take for 50 times the
Mesa baseline (issue #29's target at 1,000,000 customers).

Usage::

    python benchmarks/floor.py                       # 1,000,000 customers, days 150 to 155
    python benchmarks/floor.py 1000000 150 --days 5 --top 20
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LINE = 64
"""Bytes in a cache line."""
SKIPPED_MODULES = ("simpy", "mesa", "omegaconf", "hydra", "pandas", "networkx", "numba")
"""Libraries whose objects hold no customer state of the model's (their graphs are large)."""


def customer_arrays(model, rows: int) -> dict[str, np.ndarray]:
    """Every numpy array reachable from ``model`` whose last axis has ``rows`` entries, by the
    attribute path that first reaches it (one entry per memory buffer)."""
    found: dict[int, tuple[str, np.ndarray]] = {}
    for path, array in _walk(model, "model", set()):
        if array.ndim and array.shape[-1] == rows and array.flags.c_contiguous:
            found.setdefault(array.__array_interface__["data"][0], (path, array))
    return dict(found.values())


def _walk(obj, path: str, seen: set[int]) -> Iterator[tuple[str, np.ndarray]]:
    """(path, array) for each array under ``obj``: attributes, slots, dict values, list items."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        yield path, obj
        return
    if isinstance(obj, dict):
        children = obj.items()
    elif isinstance(obj, (list, tuple)):
        children = enumerate(obj)
    elif hasattr(obj, "__dict__"):
        children = vars(obj).items()
    else:
        children = ((name, getattr(obj, name, None)) for name in getattr(type(obj), "__slots__", ()))
    for name, child in children:
        if child is None or isinstance(child, (bool, int, float, complex, str, bytes, type)):
            continue
        if type(child).__module__.split(".")[0] in SKIPPED_MODULES:
            continue
        yield from _walk(child, f"{path}.{name}", seen)


def dirty_lines(before: np.ndarray, after: np.ndarray) -> int:
    """Cache lines (64 bytes, counted from the buffer's start) in which ``after`` differs from
    ``before`` (two arrays of the same shape and dtype); a trailing part line counts as a line."""
    old, new = before.reshape(-1).view(np.uint8), after.reshape(-1).view(np.uint8)
    changed = old != new
    padded = np.zeros(-(-changed.size // LINE) * LINE, dtype=bool)
    padded[:changed.size] = changed
    return int(padded.reshape(-1, LINE).any(axis=1).sum())


def memory_rates(megabytes: int = 256, repeats: int = 5) -> tuple[float, float]:
    """This machine's read rate and read-and-write rate, bytes a second (best of ``repeats``):
    numpy's vectorised maximum over ``megabytes`` MB of float32, and a product in place over it
    (each byte read and written back)."""
    values = np.ones(megabytes * 2**20 // 4, dtype=np.float32)
    read, write = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        values.max()
        read.append(time.perf_counter() - started)
        started = time.perf_counter()
        np.multiply(values, np.float32(1.0), out=values)
        write.append(time.perf_counter() - started)
    return values.nbytes / min(read), 2 * values.nbytes / min(write)


def main(argv: list[str]) -> None:
    """Measure and print the floor (see the module notes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", type=int, default=1_000_000, help="customers")
    parser.add_argument("day", nargs="?", type=int, default=150, help="the first day measured")
    parser.add_argument("--days", type=int, default=5, help="days measured, one at a time")
    parser.add_argument("--top", type=int, default=15, help="arrays listed, by changed lines")
    args = parser.parse_args(argv)

    from benchmarks.run import SPEED_TARGETS, case_mesa, journey_spec
    from journeysim.runner import build_model

    model = build_model(journey_spec(args.size, args.day + args.days))
    for _ in range(args.day):
        model.step()
    arrays = customer_arrays(model, model.state.size)
    held = sum(array.nbytes for array in arrays.values())
    lines = dict.fromkeys(arrays, 0)
    stepping = 0.0
    for _ in range(args.days):
        snapshot = {path: array.copy() for path, array in arrays.items()}
        started = time.perf_counter()
        model.step()
        stepping += time.perf_counter() - started
        for path, array in arrays.items():
            lines[path] += dirty_lines(snapshot[path], array)

    read_rate, write_rate = memory_rates()
    mesa = case_mesa(20_000, 365)["agent_steps_per_s"]
    target = next((t.ratio for t in SPEED_TARGETS if t.size == args.size), SPEED_TARGETS[0].ratio)
    per_day = sum(lines.values()) / args.days
    floor_ms = per_day * 2 * LINE / write_rate * 1e3
    scan_ms = held / read_rate * 1e3
    budget_ms = args.size / (target * mesa) * 1e3
    print(f"{args.size:,} customers, {model.state.size:,} rows, days {args.day + 1} to {args.day + args.days}: "
          f"{len(arrays)} per-customer arrays, {held / 1e6:,.0f} MB")
    print(f"machine: read {read_rate / 1e9:.1f} GB/s, read and write back {write_rate / 1e9:.1f} GB/s; "
          f"per-agent Mesa {mesa:,.0f} agent-steps/s")
    print(f"changed cache lines a day: {per_day:,.0f} ({per_day * LINE / 1e6:.1f} MB)")
    print(f"  floor (each changed line read and written back)  {floor_ms:7.1f} ms a day")
    print(f"  one read of every per-customer array             {scan_ms:7.1f} ms")
    print(f"  budget for {target:g}x per-agent Mesa                {budget_ms:7.1f} ms a day")
    print(f"  measured step                                    {stepping / args.days * 1e3:7.1f} ms a day")
    print("arrays by changed lines a day:")
    for path, count in sorted(lines.items(), key=lambda item: -item[1])[:args.top]:
        array = arrays[path]
        held_lines = -(-array.nbytes // LINE)
        print(f"  {count / args.days:>9,.0f} of {held_lines:>9,}  {path} {array.dtype}{list(array.shape)}")


if __name__ == "__main__":
    main(sys.argv[1:])
