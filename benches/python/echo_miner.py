"""A Python echo miner on the framework's Rust server, for `cargo xtask bench python`.

    echo_miner.py --handler def|async miner --netuid … --wallet.name … (the `miner` flags)

`echo_protocol` is the module `cargo xtask python`'s generator writes from the echo
protocol's description (`subnet-bench echo-protocol`); xtask puts it on PYTHONPATH
with this folder. Everything after `--handler X` is the subnet binary's `miner`
command line, parsed by the same Rust code (`subnet_core.run_miner`).
"""

import sys

import echo_protocol
import subnet_core
from echo_handler import echo, echo_async

HANDLERS = {"def": echo, "async": echo_async}


def main(argv):
    if len(argv) < 3 or argv[1] != "--handler" or argv[2] not in HANDLERS:
        print(f"usage: {argv[0]} --handler {'|'.join(HANDLERS)} miner [flags…]", file=sys.stderr)
        return 2
    handler = HANDLERS[argv[2]]
    return subnet_core.run_miner(echo_protocol.PROTOCOL, {"Echo": handler}, argv=[argv[0], *argv[3:]])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
