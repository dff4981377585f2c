"""A subnet's protocol in Python: its tasks, their answer types, the fingerprint.

Generated modules (``cargo xtask python``) build a ``Protocol`` at import, which checks
the fingerprint of the description they carry: a module edited by hand, or written by
another version of the generator, fails at import, not on the first request.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from typing import Any, Dict, Mapping, Optional, Tuple

from ._native import ProtocolMismatch, protocol_fingerprint


@dataclasses.dataclass(frozen=True)
class Task:
    """One task: its dataclass, its answer's (or for a streamed task, each chunk's)."""

    name: str
    task: type
    answer: type
    streamed: bool


class Protocol:
    """A subnet's protocol as a generated module declares it."""

    def __init__(self, name: str, version: int, fingerprint: str, description: str, tasks: Mapping[str, Tuple[type, type, bool]]):
        self.name = name
        self.version = version
        self.fingerprint = fingerprint
        self.description = description
        self.tasks: Dict[str, Task] = {n: Task(n, t, a, s) for n, (t, a, s) in tasks.items()}
        actual = protocol_fingerprint(description)
        if actual != fingerprint:
            raise ProtocolMismatch(
                f"the protocol module of subnet {name!r} carries fingerprint {fingerprint} but its description hashes to "
                f"{actual}: it was edited or made by another version; regenerate it with `cargo xtask python`"
            )
        #: The subnet's ``#[access]`` rules (who its miners serve, rate limit, concurrency)
        #: as the description gives them, or ``None`` for a module made before they were
        #: described (the Rust default then applies: registered validators only).
        self.access: Optional[Dict[str, Any]] = json.loads(description).get("access")

    def check_against(self, expected: Optional[str]) -> None:
        """Raise ``ProtocolMismatch`` unless ``expected`` (the subnet's fingerprint, as
        its binary's ``protocol`` command prints it) is this one, or is ``None``."""
        if expected is not None and expected != self.fingerprint:
            raise ProtocolMismatch(
                f"this miner speaks protocol {self.fingerprint} of subnet {self.name!r} v{self.version}, but the subnet's is "
                f"{expected}: the Rust declaration changed; regenerate the Python module with `cargo xtask python`"
            )

    def __repr__(self) -> str:
        return f"Protocol({self.name!r}, version={self.version}, fingerprint={self.fingerprint!r}, tasks={list(self.tasks)})"


@functools.lru_cache(maxsize=None)
def _shape(cls: type) -> Tuple[Tuple[Tuple[str, Any], ...], Tuple[str, ...]]:
    """A dataclass's (field, type) pairs and the fields that must be present (not
    ``Optional``), read once per class: resolving the annotations (``get_type_hints``)
    is most of a request's cost otherwise."""
    hints = typing.get_type_hints(cls)
    fields = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return fields, tuple(f for f, hint in fields if typing.get_origin(hint) is not typing.Union)


def decode(cls: Any, value: Any, where: str = "") -> Any:
    """``value`` (parsed JSON) as ``cls``: a generated dataclass, ``int``, ``float``,
    ``str``, ``bool``, ``List[T]``, ``Optional[T]``, ``Dict[str, T]`` or ``Any``.
    Raises ``TypeError`` naming the field that does not fit."""
    here = where or getattr(cls, "__name__", str(cls))
    if cls is Any:
        return value
    origin = typing.get_origin(cls)
    if origin is typing.Union:
        args = typing.get_args(cls)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return decode(inner[0], value, here)
    if origin is list:
        (item,) = typing.get_args(cls) or (Any,)
        if not isinstance(value, list):
            raise TypeError(f"{here}: expected a list, got {type(value).__name__}")
        return [decode(item, v, f"{here}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(cls) or (str, Any)
        if not isinstance(value, dict):
            raise TypeError(f"{here}: expected an object, got {type(value).__name__}")
        return {k: decode(item, v, f"{here}[{k!r}]") for k, v in value.items()}
    if dataclasses.is_dataclass(cls):
        if isinstance(value, cls):
            value = dataclasses.asdict(value)
        if not isinstance(value, dict):
            got = type(value)
            if dataclasses.is_dataclass(got) and got.__name__ == cls.__name__:
                raise TypeError(
                    f"{here}: expected {cls.__module__}.{cls.__name__}, got {got.__module__}.{got.__name__} "
                    "(a class of the same name from another protocol module)"
                )
            raise TypeError(f"{here}: expected an object ({cls.__name__}), got {got.__name__}")
        fields, required = _shape(cls)
        missing = [f for f in required if f not in value]
        if missing:
            raise TypeError(f"{here}: missing field(s) {', '.join(missing)}")
        return cls(**{f: decode(hint, value.get(f), f"{here}.{f}") for f, hint in fields})
    if cls is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif cls is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(value, cls):
        return value
    raise TypeError(f"{here}: expected {getattr(cls, '__name__', cls)}, got {type(value).__name__} {value!r}")


def encode(cls: type, value: Any, where: str) -> bytes:
    """The JSON bytes of ``value`` as ``cls``, checked against its declared fields."""
    checked = decode(cls, value, where)
    plain = dataclasses.asdict(checked) if dataclasses.is_dataclass(checked) else checked
    return json.dumps(plain, separators=(",", ":")).encode()
