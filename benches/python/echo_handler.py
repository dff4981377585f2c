"""The echo handler of `cargo xtask bench python`, one function for every server.

Behind the `subnet_core` miner it gets the task (the echo protocol's body, an integer,
decoded by the package's dispatcher) and its answer is encoded the same way; behind
btlightning's Python server it gets the request's dict (`{"payload": bytes}`) and its
answer is that dict. Either way the handler itself does nothing but hand its input
back, so the rows compare what surrounds it.
"""

from typing import Any


def echo(task: Any) -> Any:
    return task


async def echo_async(task: Any) -> Any:
    return task
