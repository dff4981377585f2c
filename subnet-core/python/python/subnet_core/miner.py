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
from .protocol import Protocol, ProtocolMismatch, Task, decode, encode

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


def dispatcher(protocol: Protocol, handlers: Any) -> "Dispatcher":
    """The object the Rust server calls per request (see ``Dispatcher``)."""
    return Dispatcher(protocol, _handlers(protocol, handlers))


class Dispatcher:
    """What the Rust server calls per request: decode the envelope into the task's
    dataclass, call its handler (awaiting it if ``async``), check and encode the
    answer. A handler that raises gives the outcome ``"miner"`` (the validator sees a
    typed failure) and the miner keeps serving.

    Calling it answers a unary query: ``(outcome, bytes)``, a streamed task's chunks
    as one JSON array. ``stream`` answers a streaming query: ``(outcome, bytes)`` for a
    failure or a task that does not stream, else ``("ok", ChunkStream)``, whose chunks
    the server sends one by one as the handler makes them."""

    def __init__(self, protocol: Protocol, table: Mapping[str, Handler]):
        self._protocol = protocol
        self._table = table

    def __call__(self, payload: bytes, caller: str, stake: int) -> Tuple[str, bytes]:
        started = self._start(payload)
        if not isinstance(started, ChunkStream):
            return started
        parts = []
        while True:
            chunk = started.next_chunk()
            if chunk is None:
                return "ok", ("[" + ",".join(parts) + "]").encode()
            outcome, data = chunk
            if outcome != "ok":
                started.close()
                return outcome, data
            parts.append(data.decode())

    def stream(self, payload: bytes, caller: str, stake: int) -> Tuple[str, Any]:
        started = self._start(payload)
        return ("ok", started) if isinstance(started, ChunkStream) else started

    def _start(self, payload: bytes) -> Any:
        """Decode and call the handler: ``(outcome, bytes)`` when the answer is whole
        (or the request failed), a ``ChunkStream`` for a streamed task."""
        try:
            envelope = json.loads(payload)
            name, body = envelope["task"], envelope["body"]
        except (ValueError, KeyError, TypeError) as e:
            return "bad_request", f"not a task envelope: {e}".encode()
        task = self._protocol.tasks.get(name)
        if task is None:
            return "unknown_task", str(name).encode()
        try:
            value = decode(task.task, body, name)
        except TypeError as e:
            return "bad_request", str(e).encode()
        try:
            result = self._table[name](value)
            if inspect.isawaitable(result):
                result = _EventLoop.run(result)
        except Exception as e:  # the author's code: report it, keep serving
            return _failed(e)
        if task.streamed:
            return ChunkStream(task, result)
        try:
            return "ok", encode(task.answer, result, f"the answer to {name}")
        except TypeError as e:
            print(f"subnet_core: {e}", file=sys.stderr)
            return "encode", str(e).encode()


def _failed(e: BaseException) -> Tuple[str, bytes]:
    traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
    return "miner", f"{type(e).__name__}: {e}".encode()


class ChunkStream:
    """A streamed task's answer as its handler makes it: a list, a generator or an
    async generator, pulled one chunk at a time by the Rust server (each pull on one of
    its blocking threads), so a chunk leaves the miner as soon as it is made."""

    def __init__(self, task: Task, result: Any):
        self._task = task
        self._index = 0
        self._async = inspect.isasyncgen(result)
        try:
            self._chunks = result if self._async else iter(result)
        except TypeError:
            self._chunks = iter(())
            self._not_iterable = type(result).__name__
        else:
            self._not_iterable = None

    def next_chunk(self) -> Optional[Tuple[str, bytes]]:
        """The next chunk's ``("ok", JSON bytes)``, a failure's ``(outcome, bytes)``, or
        ``None`` once the handler has no more."""
        if self._not_iterable is not None:
            what, self._not_iterable = self._not_iterable, None
            message = f"the handler of streamed task {self._task.name} must return or yield its chunks, not a {what}"
            print(f"subnet_core: {message}", file=sys.stderr)
            return "encode", message.encode()
        try:
            chunk = _EventLoop.run(self._chunks.__anext__()) if self._async else next(self._chunks)
        except (StopIteration, StopAsyncIteration):
            return None
        except Exception as e:  # the author's code: report it, keep serving
            return _failed(e)
        where = f"chunk {self._index} of the answer to {self._task.name}"
        self._index += 1
        try:
            return "ok", encode(self._task.answer, chunk, where)
        except TypeError as e:
            print(f"subnet_core: {e}", file=sys.stderr)
            return "encode", str(e).encode()

    def close(self) -> None:
        """The caller went away or the request failed: end the handler's generator."""
        try:
            if self._async:
                _EventLoop.run(self._chunks.aclose())
            elif hasattr(self._chunks, "close"):
                self._chunks.close()
        except Exception as e:  # closing must not take the miner down
            print(f"subnet_core: closing the stream of {self._task.name}: {e}", file=sys.stderr)


def _access_json(protocol: Protocol) -> Optional[str]:
    """The subnet's access rules for the Rust server, as JSON."""
    return None if protocol.access is None else json.dumps(protocol.access)


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
    running ``Miner`` (``stop()`` it). The subnet's ``#[access]`` rules (from the
    protocol module) apply; ``allow_*`` loosen who may call, as ``--blacklist.*`` do. Raises ``ProtocolMismatch`` if a handler is
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
        access=_access_json(protocol),
        fingerprint=protocol.fingerprint,
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
    return _native.run_miner(args, dispatch, protocol.name, protocol.version, _access_json(protocol), protocol.fingerprint)
