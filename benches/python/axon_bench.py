"""Bittensor's Python Axon/Dendrite on loopback: the baseline the Rust transport is
compared with (`cargo xtask bench net --compare-python`, issue #4).

Run in a scratch virtualenv with `pip install bittensor` (never a project dependency):

    python3 benches/python/axon_bench.py [--requests 500] [--concurrency 64]

Prints JSON rows in the bench format: {"name", "value", "unit", ...}. Signing and
verification are on, as Bittensor does them by default (the dendrite signs each
request with its hotkey; the axon verifies the signature and the nonce).
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time

import bittensor as bt
from bittensor.utils import networking

# The Dendrite asks public services for this machine's IP at start-up; the benchmark
# stays on loopback, so answer locally instead of reaching out.
networking.get_external_ip = lambda: "127.0.0.1"


class Echo(bt.Synapse):
    value: int = 0


async def forward(synapse: Echo) -> Echo:
    synapse.value += 1
    return synapse


def wallet(path: str, name: str) -> "bt.Wallet":
    w = bt.Wallet(name=name, hotkey="default", path=path)
    w.create_new_coldkey(use_password=False, overwrite=True, suppress=True)
    w.create_new_hotkey(use_password=False, overwrite=True, suppress=True)
    return w


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(requests: int, concurrency: int, port: int):
    path = tempfile.mkdtemp(prefix="bt-bench-")
    axon = bt.Axon(wallet=wallet(path, "miner"), port=port, ip="127.0.0.1", external_ip="127.0.0.1")
    axon.attach(forward_fn=forward)
    axon.start()
    dendrite = bt.Dendrite(wallet=wallet(path, "validator"))
    target = axon.info()
    rows = []
    try:
        # Warm up.
        for _ in range(10):
            await dendrite.forward(target, Echo(value=1), timeout=5, deserialize=False)

        latencies, failures = [], 0
        start = time.perf_counter()
        for i in range(requests):
            t = time.perf_counter()
            r = await dendrite.forward(target, Echo(value=i), timeout=5, deserialize=False)
            latencies.append((time.perf_counter() - t) * 1e3)
            failures += r.value != i + 1
        elapsed = time.perf_counter() - start
        common = {"client": "python-dendrite", "concurrency": 1, "requests": requests, "failures": failures}
        rows.append({"name": "python_axon_sequential", "value": requests / elapsed, "unit": "per_second", **common})
        rows.append({"name": "python_axon_sequential_p50", "value": statistics.median(latencies), "unit": "ms", **common})
        rows.append({"name": "python_axon_sequential_p99", "value": percentile(latencies, 99), "unit": "ms", **common})

        latencies, failures = [], 0

        async def one(i):
            t = time.perf_counter()
            r = await dendrite.forward(target, Echo(value=i), timeout=10, deserialize=False)
            latencies.append((time.perf_counter() - t) * 1e3)
            return r.value == i + 1

        start = time.perf_counter()
        done = 0
        while done < requests:
            batch = min(concurrency, requests - done)
            results = await asyncio.gather(*(one(done + k) for k in range(batch)))
            failures += sum(not ok for ok in results)
            done += batch
        elapsed = time.perf_counter() - start
        common = {"client": "python-dendrite", "concurrency": concurrency, "requests": requests, "failures": failures}
        rows.append({"name": "python_axon_concurrent", "value": requests / elapsed, "unit": "per_second", **common})
        rows.append({"name": "python_axon_concurrent_p50", "value": statistics.median(latencies), "unit": "ms", **common})
        rows.append({"name": "python_axon_concurrent_p99", "value": percentile(latencies, 99), "unit": "ms", **common})
    finally:
        axon.stop()
        await dendrite.aclose_session()
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--port", type=int, default=18091)
    args = parser.parse_args()
    rows = asyncio.run(run(args.requests, args.concurrency, args.port))
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
