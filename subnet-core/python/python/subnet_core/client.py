"""Query a subnet's miners from Python with typed tasks and answers."""

from __future__ import annotations

import json
from typing import Any, List, NamedTuple, Optional

from . import _native
from .protocol import Protocol, decode, encode


class Streamed(NamedTuple):
    """A streamed answer: its chunks as their dataclass, and the seconds from sending
    the request to the first chunk (time to first token; ``None`` if none came)."""

    chunks: List[Any]
    first_chunk_after: Optional[float]


class Client:
    """A client of the miners of ``netuid``, proving the wallet's hotkey over the
    framework's transport (TLS, the hotkey proven once per connection)."""

    def __init__(self, protocol: Protocol, wallet: _native.Wallet, netuid: int, hotkey_password: Optional[str] = None):
        self.protocol = protocol
        self._netuid = netuid
        self._client = _native.Client(wallet, netuid, protocol.version, hotkey_password, protocol.fingerprint)

    def query(self, hotkey: str, address: str, task: Any, timeout: float = 12.0) -> Any:
        """Send ``task`` (an instance of one of the protocol's task dataclasses) to the
        miner with SS58 ``hotkey`` at ``address`` (``"ip:port"``, as ``Chain.neurons()``
        gives it). Returns the answer as its dataclass (a list of chunks for a streamed
        task). Raises ``Timeout``, ``Refused``, ``Unreachable`` or ``BadAnswer``."""
        spec, envelope = self._envelope(task)
        if spec.streamed:
            return self.query_stream(hotkey, address, task, timeout).chunks
        answer = self._client.call(hotkey, address, spec.name, envelope, timeout)
        return self._decode(spec.answer, answer, f"the answer to {spec.name}")

    def query_stream(self, hotkey: str, address: str, task: Any, timeout: float = 12.0) -> Streamed:
        """As ``query``, for a streamed task: its chunks, and when the first arrived
        (the miner sends each chunk as soon as its handler makes it)."""
        spec, envelope = self._envelope(task)
        if not spec.streamed:
            raise TypeError(f"task {spec.name} of subnet {self.protocol.name!r} is not streamed; use query()")
        chunks, first = self._client.call_stream(hotkey, address, spec.name, envelope, timeout)
        return Streamed([self._decode(spec.answer, c, f"chunk {i} of {spec.name}") for i, c in enumerate(chunks)], first)

    def _envelope(self, task: Any) -> Any:
        """The task's protocol entry and its request envelope's bytes."""
        name = type(task).__name__
        spec = self.protocol.tasks.get(name)
        if spec is None or not isinstance(task, spec.task):
            raise TypeError(f"{name} is not a task of subnet {self.protocol.name!r} (tasks: {sorted(self.protocol.tasks)})")
        body = json.loads(encode(spec.task, task, name))
        return spec, json.dumps({"task": name, "body": body}, separators=(",", ":")).encode()

    @staticmethod
    def _decode(cls: type, data: bytes, where: str) -> Any:
        try:
            return decode(cls, json.loads(data), where)
        except (ValueError, TypeError) as e:
            raise _native.BadAnswer(f"{where} is not a {cls.__name__}: {e}") from None

    def query_all(self, chain: _native.Chain, task: Any, timeout: float = 12.0) -> List[Any]:
        """``task`` to every neuron of the subnet that serves an axon; one entry per
        such neuron: ``(uid, answer)`` or ``(uid, exception)``."""
        results: List[Any] = []
        for n in chain.neurons(self._netuid):
            if n["axon"] is None:
                continue
            try:
                results.append((n["uid"], self.query(n["hotkey"], n["axon"], task, timeout)))
            except _native.CallError as e:
                results.append((n["uid"], e))
        return results
