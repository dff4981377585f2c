"""bittensor-drand against our timelock (`subnet_core::drand`), both ways.

Usage: python drand.py DIR   (run by `cargo xtask interop python --only drand`)

DIR/ours.json (written by xtask): real quicknet pulses, ciphertexts our Rust code
made for those past rounds, and weights-commit cases. This script decrypts ours
with bittensor-drand, then writes DIR/theirs.json: bittensor-drand's ciphertexts
for the same rounds and its `get_encrypted_commit_v2` output per case, bracketed by
the wall-clock time around each call (its reveal round reads the clock). xtask then
decrypts theirs and compares reveal rounds. No network: only past rounds whose
signatures are in the file are decrypted.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import Steps, check  # noqa: E402

import bittensor_drand as bd  # noqa: E402

TOOL = "drand"


def scale_compact(n: int) -> bytes:
    """SCALE compact length prefix (what `UserData.encrypted_data: Vec<u8>` starts with)."""
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return struct.pack("<H", (n << 2) | 1)
    if n < 1 << 30:
        return struct.pack("<I", (n << 2) | 2)
    raise ValueError("ciphertext too long for this test")


def user_data(ciphertext: bytes, reveal_round: int) -> bytes:
    """bittensor-drand's `UserData { encrypted_data, reveal_round }`, SCALE."""
    return scale_compact(len(ciphertext)) + ciphertext + struct.pack("<Q", reveal_round)


def strip_user_data(blob: bytes) -> tuple[bytes, int]:
    mode = blob[0] & 3
    if mode == 0:
        n, off = blob[0] >> 2, 1
    elif mode == 1:
        n, off = struct.unpack_from("<H", blob)[0] >> 2, 2
    elif mode == 2:
        n, off = struct.unpack_from("<I", blob)[0] >> 2, 4
    else:
        raise ValueError("unexpected compact mode")
    check(len(blob) == off + n + 8, f"UserData is {len(blob)} bytes, expected {off + n + 8}")
    return blob[off : off + n], struct.unpack_from("<Q", blob, off + n)[0]


def main() -> None:
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} DIR", file=sys.stderr)
        sys.exit(2)
    workdir = sys.argv[1]
    with open(os.path.join(workdir, "ours.json")) as f:
        ours = json.load(f)
    signatures = {p["round"]: p["signature"] for p in ours["pulses"]}
    steps = Steps(TOOL)
    theirs: dict = {"ciphertexts": [], "commits": []}

    for item in ours["ciphertexts"]:
        name = f"bittensor-drand-decrypts-ours-{item['name']}"

        def decrypt_ours(item=item) -> None:
            blob = user_data(bytes.fromhex(item["ciphertext"]), item["round"])
            plain = bd.decrypt_with_signature(blob, signatures[item["round"]])
            check(plain == bytes.fromhex(item["plaintext"]), f"decrypted {plain.hex()}, expected {item['plaintext']}")

        steps.run(name, decrypt_ours)

    for rnd in sorted(signatures):

        def encrypt_theirs(rnd=rnd) -> None:
            plain = f"bittensor-drand {importlib.metadata.version('bittensor-drand')} to round {rnd}".encode()
            blob, got = bd.encrypt_at_round(plain, rnd)
            check(got == rnd, f"encrypt_at_round returned round {got}")
            ct, stored = strip_user_data(blob)
            check(stored == rnd, f"UserData carries round {stored}")
            theirs["ciphertexts"].append({"round": rnd, "plaintext": plain.hex(), "ciphertext": ct.hex()})

        steps.run(f"encrypt-at-round-{rnd}", encrypt_theirs)

    for case in ours["commit_cases"]:

        def commit(case=case) -> None:
            t0 = time.time()
            ct, rnd = bd.get_encrypted_commit_v2(
                case["uids"],
                case["weights"],
                case["version_key"],
                case["last_epoch_block"],
                case["pending_epoch_at"],
                case["subnet_epoch_index"],
                case["tempo"],
                case["blocks_since_last_step"],
                case["current_block"],
                case["reveal_period"],
                case["block_time"],
                bytes.fromhex(case["hotkey"]),
            )
            t1 = time.time()
            theirs["commits"].append({"name": case["name"], "ciphertext": bytes(ct).hex(), "round": rnd, "t0": t0, "t1": t1})

        steps.run(f"encrypted-commit-v2-{case['name']}", commit)

    with open(os.path.join(workdir, "theirs.json"), "w") as f:
        json.dump(theirs, f, indent=1)
    sys.exit(1 if steps.failed else 0)


if __name__ == "__main__":
    main()
