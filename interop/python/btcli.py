"""btcli (bittensor-cli 9) against a served localnet: the commands of issue #13.

Usage: python btcli.py ws://127.0.0.1:PORT   (run by `cargo xtask interop python`)

Every btcli command runs as a subprocess with a timeout (a command that does not
exit is a failure: "no hang on exit"), must exit 0, and its `--json-output` is
checked against the chain state read independently through async-substrate-interface,
the library btcli itself uses. The subnet btcli inspects is created first through
that library too (step `setup-subnet`), signed by //Alice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import TAO, Steps, check, run_cli, url_from_argv  # noqa: E402

from async_substrate_interface.sync_substrate import SubstrateInterface  # noqa: E402
from bittensor_wallet import Keypair, Wallet  # noqa: E402

TOOL = "btcli"
COMMAND_TIMEOUT = 60  # seconds per btcli command
BTCLI = os.path.join(os.path.dirname(sys.executable), "btcli")


def make_wallet(path: str, name: str, cold_uri: str, hot_uri: str) -> Wallet:
    wallet = Wallet(name=name, hotkey="default", path=path)
    wallet.create_coldkey_from_uri(cold_uri, use_password=False, overwrite=True, suppress=True)
    wallet.create_hotkey_from_uri(hot_uri, use_password=False, overwrite=True, suppress=True)
    return wallet


def btcli(*args: str, url: str) -> dict | list:
    """Run `btcli ARGS --network URL --json-output`; its parsed JSON output."""
    argv = [BTCLI, *args, "--network", url, "--json-output"]
    done = run_cli(argv, f"btcli {' '.join(args)}", COMMAND_TIMEOUT)
    check(done.returncode == 0, f"`btcli {args[0]} {args[1]}` exited {done.returncode}: {last_line(done.stderr or done.stdout)}")
    try:
        return parse_json(done.stdout, f"btcli {args[0]} {args[1]}")
    except AssertionError:
        # With --json-output btcli swallows its own errors (and still exits 0): run
        # it again without, for the error it shows a user.
        raise AssertionError(f"`btcli {args[0]} {args[1]}` exited 0 with no JSON output; without --json-output: {diagnose(args, url)}") from None


def diagnose(args: tuple[str, ...], url: str) -> str:
    argv = [BTCLI, *args, "--network", url]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"did not exit within {COMMAND_TIMEOUT}s"
    print(f"$ btcli {' '.join(args)}  (diagnostic run) [exit {done.returncode}]\n{done.stdout}{done.stderr}", file=sys.stderr)
    text = f"{done.stdout}\n{done.stderr}"
    errors = [line.strip() for line in text.splitlines() if "Error" in line or "error" in line or "❌" in line]
    return errors[-1] if errors else last_line(text)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def parse_json(text: str, what: str):
    """The JSON document in btcli's output (tables may precede it)."""
    decoder = json.JSONDecoder()
    for i, ch in enumerate(text):
        if ch in "{[":
            try:
                value, _ = decoder.raw_decode(text[i:])
                return value
            except json.JSONDecodeError:
                continue
    raise AssertionError(f"{what}: no JSON in its output: {last_line(text)}")


class Chain:
    """Reads and signed calls through async-substrate-interface (btcli's client)."""

    def __init__(self, url: str):
        self.substrate = SubstrateInterface(url)

    def query(self, module: str, item: str, params: list):
        result = self.substrate.query(module, item, params)
        return getattr(result, "value", result)

    def free(self, ss58: str) -> int:
        return int(self.query("System", "Account", [ss58])["data"]["free"])

    def submit(self, keypair: Keypair, module: str, function: str, params: dict):
        call = self.substrate.compose_call(module, function, params)
        xt = self.substrate.create_signed_extrinsic(call=call, keypair=keypair)
        receipt = self.substrate.submit_extrinsic(xt, wait_for_inclusion=True)
        check(receipt.is_success, f"{module}.{function} failed: {receipt.error_message}")
        return receipt


def main() -> None:
    url = url_from_argv()
    steps = Steps(TOOL, step_timeout=3 * COMMAND_TIMEOUT)  # a command, its diagnostic rerun, reads
    wallets_dir = tempfile.mkdtemp(prefix="interop-btcli-wallets-")
    alice = make_wallet(wallets_dir, "alice", "//Alice", "//Alice//owner")
    bob = make_wallet(wallets_dir, "bob", "//Bob", "//Bob//miner")
    state: dict = {}
    chains: list[Chain] = []

    def chain_() -> Chain:
        if not chains:
            chains.append(Chain(url))
        return chains[0]
    check(shutil.which(BTCLI) or os.path.exists(BTCLI), f"no btcli at {BTCLI}")

    def setup_subnet():
        chain = chain_()
        before = set()
        for key, added in chain.substrate.query_map("SubtensorModule", "NetworksAdded", []):
            if getattr(added, "value", added):
                before.add(int(getattr(key, "value", key)))
        chain.submit(alice.coldkey, "SubtensorModule", "register_network", {"hotkey": alice.hotkey.ss58_address})
        after = set()
        for key, added in chain.substrate.query_map("SubtensorModule", "NetworksAdded", []):
            if getattr(added, "value", added):
                after.add(int(getattr(key, "value", key)))
        new = sorted(after - before)
        check(len(new) == 1, f"NetworksAdded gained {new}")
        netuid = new[0]
        chain.submit(alice.coldkey, "SubtensorModule", "start_call", {"netuid": netuid})
        state["netuid"] = netuid

    def tempo() -> int:
        return int(chain_().query("SubtensorModule", "Tempo", [state["netuid"]]))

    def subnets_list():
        out = btcli("subnets", "list", url=url)
        subnets = out.get("subnets") or {}
        row = subnets.get(str(state["netuid"])) or subnets.get(state["netuid"])
        check(row is not None, f"netuid {state['netuid']} not in `subnets list` ({sorted(subnets)})")
        check(row["tempo"]["sn_tempo"] == tempo(), f"listed tempo {row['tempo']} != chain {tempo()}")

    def subnets_show():
        out = btcli("subnets", "show", "--netuid", str(state["netuid"]), "--no-prompt", url=url)
        check(out.get("netuid") == state["netuid"], f"shown netuid {out.get('netuid')}")
        check(out.get("owner") == alice.coldkeypub.ss58_address, f"shown owner {out.get('owner')}")
        hotkeys = {u.get("hotkey") for u in out.get("uids", [])}
        check(alice.hotkey.ss58_address in hotkeys, f"owner hotkey not among shown uids {sorted(h for h in hotkeys if h)}")

    def subnets_hyperparameters():
        netuid = state["netuid"]
        out = btcli("subnets", "hyperparameters", "--netuid", str(netuid), url=url)
        check(isinstance(out, list), f"hyperparameters output is {type(out).__name__}: {str(out)[:200]}")
        values = {row["hyperparameter"]: row["value"] for row in out}
        check(str(values.get("tempo")) == str(tempo()), f"tempo {values.get('tempo')} != chain {tempo()}")
        cr = chain_().query("SubtensorModule", "CommitRevealWeightsEnabled", [netuid])
        shown = values.get("commit_reveal_weights_enabled")
        check(str(shown).lower() == str(cr).lower(), f"commit_reveal_weights_enabled {shown} != chain {cr}")

    def wallet_balance():
        out = btcli("wallet", "balance", "--wallet-name", "bob", "--wallet-path", wallets_dir, url=url)
        entry = (out.get("balances") or {}).get("bob")
        check(entry is not None, f"no `bob` in balances: {str(out)[:200]}")
        check(entry["coldkey"] == bob.coldkeypub.ss58_address, f"coldkey {entry['coldkey']}")
        want = chain_().free(bob.coldkeypub.ss58_address) / TAO
        check(abs(entry["free"] - want) < 1e-6, f"free {entry['free']} != chain {want}")
        check(abs(want - 1_000_000) < 1e-6, f"//Bob holds {want} TAO, want the dev endowment 1,000,000")

    def subnets_register():
        netuid = state["netuid"]
        hot = bob.hotkey.ss58_address
        before = chain_().free(bob.coldkeypub.ss58_address)
        burn = int(chain_().query("SubtensorModule", "Burn", [netuid]))
        out = btcli(
            "subnets", "register", "--netuid", str(netuid), "--wallet-name", "bob", "--wallet-hotkey", "default",
            "--wallet-path", wallets_dir, "--no-prompt", url=url,
        )  # fmt: skip
        check(out.get("success") is True, f"register: {out.get('msg')}")
        uid = chain_().query("SubtensorModule", "Uids", [netuid, hot])
        check(uid is not None, f"//Bob's hotkey has no uid on netuid {netuid}")
        paid = before - chain_().free(bob.coldkeypub.ss58_address)
        # The burn decays block by block (BurnHalfLife) between the read above and the
        # registration's block, never rises without a registration: paid is at most the
        # burn read, and within a few blocks' decay of it.
        check(burn * 0.95 <= paid <= burn, f"//Bob paid {paid} rao, burn was {burn}")

    steps.run("setup-subnet", setup_subnet)
    steps.run("subnets-list", subnets_list, needs=["setup-subnet"])
    steps.run("subnets-show", subnets_show, needs=["setup-subnet"])
    steps.run("subnets-hyperparameters", subnets_hyperparameters, needs=["setup-subnet"])
    steps.run("wallet-balance", wallet_balance)
    steps.run("subnets-register", subnets_register, needs=["setup-subnet"])
    for c in chains:
        c.substrate.close()
    sys.exit(1 if steps.failed else 0)


if __name__ == "__main__":
    main()
