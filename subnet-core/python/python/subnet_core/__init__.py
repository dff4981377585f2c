"""Bittensor subnets built with the Rust subnet framework, from Python.

A miner in Python serves a handler (a plain or ``async`` function per task) behind the
framework's own Rust server: TLS, the hotkey handshake, blacklist, rate limits and
stake priority are the Rust side's, unchanged. The typed tasks and answers come from
the subnet's declaration: ``cargo xtask python <subnet crate>`` writes them as a module
of dataclasses with the protocol's fingerprint.

    import subnet_core
    import sum_protocol as proto

    def add(task: proto.Add) -> proto.Total:
        return proto.Total(value=task.a + task.b)

    subnet_core.run_miner(proto.PROTOCOL, {"Add": add})   # the `miner` command's flags

or, step by step::

    wallet = subnet_core.Wallet("miner", "default")
    chain = subnet_core.connect("ws://127.0.0.1:9944")
    chain.register(wallet, netuid=1)
    miner = subnet_core.serve(proto.PROTOCOL, {"Add": add}, chain=chain, wallet=wallet, netuid=1, port=8091)

A task the subnet declares as streamed is answered by a generator (or an ``async``
generator) that yields its chunks; each chunk is sent as soon as it is yielded.
"""

from ._native import (
    BadAnswer,
    CallError,
    Chain,
    ChainError,
    Miner,
    MinerError,
    ProtocolMismatch,
    Refused,
    SubnetError,
    Timeout,
    Unreachable,
    Wallet,
    WalletError,
    connect,
    protocol_fingerprint,
)
from .client import Client, Streamed
from .miner import run_miner, serve
from .protocol import Protocol, Task

__all__ = [
    "BadAnswer",
    "CallError",
    "Chain",
    "ChainError",
    "Client",
    "Miner",
    "MinerError",
    "Protocol",
    "ProtocolMismatch",
    "Refused",
    "Streamed",
    "SubnetError",
    "Task",
    "Timeout",
    "Unreachable",
    "Wallet",
    "WalletError",
    "connect",
    "protocol_fingerprint",
    "run_miner",
    "serve",
]
