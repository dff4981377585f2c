"""The {{subnet_name}} miner, in Python.

Run it (see README.md):

    python python/miner.py miner --netuid 1 --wallet.name my-miner --wallet.hotkey default \
        --subtensor.network finney --axon.port 8091

The flags are the Rust subnet binary's `miner` command's, parsed by the same code. The
server in front of this handler (TLS, the hotkey handshake, blacklist, rate limits,
stake priority) is the framework's Rust server; this file is only the answer.
"""

from collections import Counter

import subnet_core

# Generated from the subnet's Rust declaration by `cargo xtask python <crate>`: the
# task and answer dataclasses, and the protocol's fingerprint (checked at start).
import subnet_protocol as protocol


def count(task: protocol.Count) -> protocol.Counts:
    """Count each word of the text. Replace with your model; `async def` works too."""
    return protocol.Counts(counts=dict(Counter(task.text.split())))


if __name__ == "__main__":
    raise SystemExit(subnet_core.run_miner(protocol.PROTOCOL, {"Count": count}))
