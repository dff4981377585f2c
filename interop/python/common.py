"""Shared step runner for the interop scripts (`cargo xtask interop python`).

Each workflow step prints exactly one line on stdout:

    PASS <tool> <step>
    FAIL <tool> <step>: <one-line reason>

with the full traceback on stderr. A step whose prerequisite failed is reported
as failed ("not run: needs <step>") so the step list is always complete.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import traceback
from typing import Callable, Iterable, Optional

TAO = 1_000_000_000
STEP_TIMEOUT = 90  # seconds; a step that waits longer is reported as hung


class StepTimeout(Exception):
    pass


def one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Steps:
    def __init__(self, tool: str, step_timeout: int = STEP_TIMEOUT):
        self.tool = tool
        self.step_timeout = step_timeout
        self.passed: set[str] = set()
        self.failed: list[str] = []
        signal.signal(signal.SIGALRM, self._alarm)

    def _alarm(self, _signum, _frame):
        raise StepTimeout(f"step did not finish within {self.step_timeout}s")

    def run(self, name: str, fn: Callable[[], None], needs: Iterable[str] = ()) -> bool:
        missing = [n for n in needs if n not in self.passed]
        if missing:
            self._fail(name, f"not run: needs {', '.join(missing)}")
            return False
        started = time.monotonic()
        signal.alarm(self.step_timeout)
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 - every failure is a step result
            signal.alarm(0)
            if isinstance(e, KeyboardInterrupt):
                raise
            print(f"--- {self.tool} {name} failed after {time.monotonic() - started:.1f}s", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            reason = f"{type(e).__name__}: {e}" if not isinstance(e, AssertionError) else str(e)
            self._fail(name, reason or type(e).__name__)
            return False
        signal.alarm(0)
        self.passed.add(name)
        print(f"PASS {self.tool} {name}", flush=True)
        print(f"--- {self.tool} {name} passed in {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
        return True

    def _fail(self, name: str, reason: str) -> None:
        self.failed.append(name)
        print(f"FAIL {self.tool} {name}: {one_line(reason)}", flush=True)
        sys.stderr.flush()


def check(condition: bool, message: str) -> None:
    """An assertion that survives `python -O` and reads as a step failure."""
    if not condition:
        raise AssertionError(message)


def wait_until(probe: Callable[[], Optional[object]], what: str, timeout: float = 30.0, every: float = 0.25):
    """Poll `probe` until it returns something truthy; fail naming `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def url_from_argv() -> str:
    if len(sys.argv) != 2 or not sys.argv[1].startswith(("ws://", "wss://")):
        print(f"usage: {sys.argv[0]} ws://HOST:PORT", file=sys.stderr)
        sys.exit(2)
    return sys.argv[1]


def run_cli(argv: list[str], shown: str, timeout: float) -> subprocess.CompletedProcess:
    """Run a command-line tool with a timeout (one that does not exit is a hang,
    a failure), logging the command, its exit code, time and output to stderr."""
    started = time.monotonic()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        print(f"$ {' '.join(argv[1:])}\n(timed out) stdout:\n{out}", file=sys.stderr)
        raise AssertionError(f"`{shown}` did not exit within {timeout}s (hang)") from None
    print(f"$ {' '.join(argv[1:])}  [exit {done.returncode}, {time.monotonic() - started:.1f}s]", file=sys.stderr)
    if done.stdout.strip():
        print(f"stdout:\n{done.stdout.rstrip()}", file=sys.stderr)
    if done.stderr.strip():
        print(f"stderr:\n{done.stderr.rstrip()}", file=sys.stderr)
    return done

