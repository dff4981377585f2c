"""Serve Python handlers as a subnet's miner, behind the framework's Rust server.

``run_miner`` is the ``miner`` command of a subnet binary (the same flags, parsed by
the same Rust code); ``serve`` starts a miner from a Python program and returns it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import sys
import threading
import traceback
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple

from . import _native
from .protocol import Protocol, ProtocolMismatch, decode, encode

Handler = Callable[[Any], Any]

#: The environment variable a runner sets to the subnet's protocol fingerprint.
FINGERPRINT_ENV = "SUBNET_PROTOCOL_FINGERPRINT"


class _EventLoop:
    """One asyncio loop on a daemon thread, where ``async def`` handlers run: the
    Rust threads that call the dispatcher wait on it without holding the GIL."""

    _loop: Optional[asyncio.AbstractEventLoop] = None
    _lock = threading.Lock()

    @classmethod
    def run(cls, awaitable: Any) -> Any:
        with cls._lock:
            if cls._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="subnet-core-asyncio", daemon=True).start()
                cls._loop = loop
        return asyncio.run_coroutine_threadsafe(_awaited(awaitable), cls._loop).result()


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


async def _collect_async(chunks: Any) -> list:
    return [c async for c in chunks]


def _chunks(result: Any) -> list:
    """A streamed handler's chunks: from a list, a generator or an async generator."""
    if inspect.isasyncgen(result):
        return _EventLoop.run(_collect_async(result))
    return list(result)


def _handlers(protocol: Protocol, handlers: Any) -> Mapping[str, Handler]:
    """``handlers`` as {task name: callable}: a mapping, an object with a method per
    task, or for a one-task subnet a single callable. Every task needs one."""
    if callable(handlers) and not isinstance(handlers, Mapping) and len(protocol.tasks) == 1:
        handlers = {next(iter(protocol.tasks)): handlers}
    elif not isinstance(handlers, Mapping):
        handlers = {name: getattr(handlers, name) for name in protocol.tasks if callable(getattr(handlers, name, None))}
    unknown = sorted(set(handlers) - set(protocol.tasks))
    missing = sorted(set(protocol.tasks) - set(handlers))
    if unknown or missing:
        raise ProtocolMismatch(
            f"subnet {protocol.name!r} has tasks {sorted(protocol.tasks)}; "
            + (f"no handler for {missing}" if missing else "")
            + ("; " if missing and unknown else "")
            + (f"handlers for unknown tasks {unknown}" if unknown else "")
        )
    return dict(handlers)


def dispatcher(protocol: Protocol, handlers: Any) -> Callable[[bytes, str, int], Tuple[str, bytes]]:
    """The function the Rust server calls per request: decode the envelope into the
    task's dataclass, call its handler (awaiting it if ``async``), check and encode the
    answer. Returns ``(outcome, bytes)``; a handler that raises gives ``"miner"`` (the
    validator sees a typed failure) and the miner keeps serving."""
    table = _handlers(protocol, handlers)

    def dispatch(payload: bytes, caller: str, stake: int) -> Tuple[str, bytes]:
        try:
            envelope = json.loads(payload)
            name, body = envelope["task"], envelope["body"]
        except (ValueError, KeyError, TypeError) as e:
            return "bad_request", f"not a task envelope: {e}".encode()
        task = protocol.tasks.get(name)
        if task is None:
            return "unknown_task", str(name).encode()
        try:
            value = decode(task.task, body, name)
        except TypeError as e:
            return "bad_request", str(e).encode()
        try:
            result = table[name](value)
            if inspect.isawaitable(result):
                result = _EventLoop.run(result)
            if task.streamed:
                result = _chunks(result)
        except Exception as e:  # the author's code: report it, keep serving
            traceback.print_exc(file=sys.stderr)
            return "miner", f"{type(e).__name__}: {e}".encode()
        try:
            if task.streamed:
                parts = [json.loads(encode(task.answer, c, f"chunk {i} of the answer to {name}")) for i, c in enumerate(result)]
                return "ok", json.dumps(parts, separators=(",", ":")).encode()
            return "ok", encode(task.answer, result, f"the answer to {name}")
        except TypeError as e:
            print(f"subnet_core: {e}", file=sys.stderr)
            return "encode", str(e).encode()

    return dispatch


def _expected(expected_fingerprint: Optional[str]) -> Optional[str]:
    return expected_fingerprint if expected_fingerprint is not None else os.environ.get(FINGERPRINT_ENV) or None


def serve(
    protocol: Protocol,
    handlers: Any,
    *,
    chain: _native.Chain,
    wallet: _native.Wallet,
    netuid: int,
    ip: str = "0.0.0.0",
    port: int = 8091,
    external_ip: Optional[str] = None,
    allow_non_registered: bool = False,
    allow_non_validators: bool = False,
    hotkey_password: Optional[str] = None,
    expected_fingerprint: Optional[str] = None,
) -> _native.Miner:
    """Serve ``handlers`` as the wallet's registered hotkey on ``netuid``; returns the
    running ``Miner`` (``stop()`` it). Raises ``ProtocolMismatch`` if a handler is
    missing or the subnet's fingerprint (argument, or ``$SUBNET_PROTOCOL_FINGERPRINT``)
    is not the module's, ``MinerError`` if the hotkey is not registered."""
    protocol.check_against(_expected(expected_fingerprint))
    dispatch = dispatcher(protocol, handlers)
    return _native.serve(
        chain,
        wallet,
        netuid,
        dispatch,
        protocol.version,
        ip=ip,
        port=port,
        external_ip=external_ip,
        allow_non_registered=allow_non_registered,
        allow_non_validators=allow_non_validators,
        hotkey_password=hotkey_password,
    )


def run_miner(protocol: Protocol, handlers: Any, argv: Optional[Sequence[str]] = None, expected_fingerprint: Optional[str] = None) -> int:
    """The subnet binary's ``miner`` command with Python handlers: parse ``argv``
    (default ``sys.argv``; ``miner --netuid 1 --wallet.name … --axon.port …``), connect,
    serve until Ctrl-C or SIGTERM. Returns the exit status:
    ``raise SystemExit(run_miner(...))``."""
    try:
        protocol.check_against(_expected(expected_fingerprint))
        dispatch = dispatcher(protocol, handlers)
    except ProtocolMismatch as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    args = list(sys.argv if argv is None else argv)
    return _native.run_miner(args, dispatch, protocol.name, protocol.version)
