"""The echo handler behind btlightning 0.2.15's Python server, for `cargo xtask bench python`.

    btlightning_echo.py --port PORT --hotkey SS58     (the key's 32-byte seed in hex on stdin)

Listens on 127.0.0.1:PORT (QUIC, UDP) as the miner hotkey SS58, whose seed it reads
from standard input so that no secret appears on a command line; prints `ready` once
the endpoint is bound, then serves until killed. btlightning's own defaults: no
validator-permit check (`require_validator_permit` is off unless a resolver is set),
so the bench's `//Validator` client is served as any signed caller.
"""

import argparse
import sys

import btlightning
from echo_handler import echo


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hotkey", required=True, help="the miner hotkey's SS58 address")
    args = parser.parse_args()
    try:
        seed = bytes.fromhex(sys.stdin.readline().strip())
    except ValueError:
        seed = b""
    if len(seed) != 32:
        print("error: expected the hotkey's 32-byte seed in hex on stdin", file=sys.stderr)
        return 2
    server = btlightning.LightningServer(miner_hotkey=args.hotkey, host="127.0.0.1", port=args.port)
    server.set_miner_keypair(seed)
    server.register_synapse_handler("Echo", echo)
    server.start()
    print("ready", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
