"""The `btcli` that bittensor 11 ships (`bittensor.cli.main:main`) against a served
localnet: the commands of issue #13.

Usage: python btcli11.py ws://127.0.0.1:PORT   (run by `cargo xtask interop python`,
with the sdk11 venv's Python: this `btcli` is installed by `bittensor==11.3.0`)

It is not bittensor-cli 9 (`btcli.py`): the netuid of `subnets show` and `subnets
hyperparameters` is positional, JSON comes with `--json`. Every command runs as a
subprocess with a timeout (a command that does not exit is a failure: "no hang on
exit"), must exit 0, and its `--json` output is checked against the chain state read
independently through bittensor 11's SDK, which also creates the subnet (step
`setup-subnet`, signed by //Alice).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import TAO, Steps, check, run_cli, url_from_argv  # noqa: E402
from sdk11 import make_wallet, ok  # noqa: E402  (bittensor 11's wallets and results, as there)

import bittensor as bt  # noqa: E402
from bittensor import storage  # noqa: E402

TOOL = "btcli11"
COMMAND_TIMEOUT = 60  # seconds per btcli command
BTCLI = os.path.join(os.path.dirname(sys.executable), "btcli")


def last_line(text: str) -> str:
    """The error a `--json` run reports (`{"error": ...}`), else the last line."""
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and doc.get("error"):
            return str(doc["error"])
    except json.JSONDecodeError:
        pass
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def btcli(*args: str, url: str):
    """Run `btcli ARGS --network URL --json`; its parsed JSON output."""
    # No public fallback or archive endpoints: only the localnet is asked.
    argv = [BTCLI, *args, "--network", url, "--fallback-endpoints", "none", "--archive-endpoints", "none", "--json"]
    done = run_cli(argv, f"btcli {' '.join(args[:2])}", COMMAND_TIMEOUT)
    check(done.returncode == 0, f"`btcli {args[0]} {args[1]}` exited {done.returncode}: {last_line(done.stderr or done.stdout)}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"`btcli {args[0]} {args[1]}`: no JSON on stdout: {last_line(done.stdout)}") from None


def main() -> None:
    url = url_from_argv()
    steps = Steps(TOOL, step_timeout=2 * COMMAND_TIMEOUT)
    wallets_dir = tempfile.mkdtemp(prefix="interop-btcli11-wallets-")
    alice = make_wallet(wallets_dir, "alice", "//Alice", "//Alice//owner")
    bob = make_wallet(wallets_dir, "bob", "//Bob", "//Bob//miner")
    state: dict = {}
    sub = bt.Subtensor(url)

    def query(item, params):
        return sub.query(item, params)

    def setup_subnet():
        before = {s.netuid for s in sub.subnets.all()}
        ok(sub.execute(bt.RegisterSubnet(), alice), "RegisterSubnet")
        new = sorted({s.netuid for s in sub.subnets.all()} - before)
        check(len(new) == 1, f"subnets.all() gained {new}")
        netuid = new[0]
        ok(sub.execute(bt.StartCall(netuid=netuid), alice), "StartCall")
        state["netuid"] = netuid

    def tempo() -> int:
        return int(query(storage.SubtensorModule.Tempo, [state["netuid"]]))

    def subnets_list():
        out = btcli("subnets", "list", url=url)
        check(isinstance(out, list), f"`subnets list` gave {type(out).__name__}: {str(out)[:200]}")
        rows = {int(r["netuid"]): r for r in out}
        netuid = state["netuid"]
        check(netuid in rows, f"netuid {netuid} not in `subnets list` ({sorted(rows)})")
        check(0 in rows, f"root (netuid 0) not in `subnets list` ({sorted(rows)})")
        row = rows[netuid]
        check(row["tempo"] == tempo(), f"listed tempo {row['tempo']} != chain {tempo()}")
        n = int(query(storage.SubtensorModule.SubnetworkN, [netuid]))
        check(row["neurons"] == n, f"listed neurons {row['neurons']} != chain SubnetworkN {n}")
        max_n = int(query(storage.SubtensorModule.MaxAllowedUids, [netuid]))
        check(row["max_neurons"] == max_n, f"listed max_neurons {row['max_neurons']} != chain {max_n}")

    def subnets_show():
        netuid = state["netuid"]
        out = btcli("subnets", "show", str(netuid), url=url)
        check(out.get("netuid") == netuid, f"shown netuid {out.get('netuid')}")
        check(out.get("owner_coldkey") == alice.coldkeypub.ss58_address, f"shown owner {out.get('owner_coldkey')}")
        check(out.get("owner_hotkey") == alice.hotkey.ss58_address, f"shown owner hotkey {out.get('owner_hotkey')}")
        check(out.get("tempo") == tempo(), f"shown tempo {out.get('tempo')} != chain {tempo()}")
        registered = int(query(storage.SubtensorModule.NetworkRegisteredAt, [netuid]))
        check(out.get("registered_at") == registered, f"shown registered_at {out.get('registered_at')} != chain {registered}")
        n = int(query(storage.SubtensorModule.SubnetworkN, [netuid]))
        check(out.get("neurons") == n, f"shown neurons {out.get('neurons')} != chain {n}")

    def subnets_hyperparameters():
        netuid = state["netuid"]
        out = btcli("subnets", "hyperparameters", str(netuid), url=url)
        values = out.get("hyperparameters", out) if isinstance(out, dict) else out
        if isinstance(values, list):
            values = {row.get("name") or row.get("hyperparameter"): row.get("value") for row in values}
        check(isinstance(values, dict), f"hyperparameters output is {type(out).__name__}: {str(out)[:200]}")
        check(str(values.get("tempo")) == str(tempo()), f"tempo {values.get('tempo')} != chain {tempo()}")
        cr = query(storage.SubtensorModule.CommitRevealWeightsEnabled, [netuid])
        shown = values.get("commit_reveal_weights_enabled")
        check(str(shown).lower() == str(cr).lower(), f"commit_reveal_weights_enabled {shown} != chain {cr}")
        alpha = int(query(storage.SubtensorModule.AdjustmentAlpha, [netuid]))
        check(str(values.get("adjustment_alpha")) == str(alpha), f"adjustment_alpha {values.get('adjustment_alpha')} != chain {alpha}")

    def wallet_balance():
        out = btcli("wallet", "balance", "--wallet", "bob", "--wallet-path", wallets_dir, url=url)
        state["balance_out"] = out
        want = sub.balances.get(bob.coldkeypub.ss58_address).rao
        check(want == 1_000_000 * TAO, f"//Bob holds {want} rao, want the dev endowment 1,000,000 TAO")
        free = find_free(out, bob.coldkeypub.ss58_address)
        check(free is not None, f"no free balance for //Bob in: {str(out)[:300]}")
        check(abs(free - want / TAO) < 1e-6, f"free {free} != chain {want / TAO}")

    def subnets_register():
        netuid = state["netuid"]
        hot = bob.hotkey.ss58_address
        before = sub.balances.get(bob.coldkeypub.ss58_address).rao
        burn = int(query(storage.SubtensorModule.Burn, [netuid]))
        out = btcli(
            "subnets", "register", "--netuid", str(netuid), "--wallet", "bob", "--wallet-hotkey", "default",
            "--wallet-path", wallets_dir, "--no-prompt", url=url,
        )  # fmt: skip
        check(out.get("success") is True, f"register: {str(out)[:300]}")
        uid = query(storage.SubtensorModule.Uids, [netuid, hot])
        check(uid is not None, f"//Bob's hotkey has no uid on netuid {netuid}")
        paid = before - sub.balances.get(bob.coldkeypub.ss58_address).rao
        # The burn decays block by block between the read above and the registration's
        # block, never rises without a registration: paid is at most the burn read.
        check(burn * 0.95 <= paid <= burn, f"//Bob paid {paid} rao, burn was {burn}")

    steps.run("setup-subnet", setup_subnet)
    steps.run("subnets-list", subnets_list, needs=["setup-subnet"])
    steps.run("subnets-show", subnets_show, needs=["setup-subnet"])
    steps.run("subnets-hyperparameters", subnets_hyperparameters, needs=["setup-subnet"])
    steps.run("wallet-balance", wallet_balance)
    steps.run("subnets-register", subnets_register, needs=["setup-subnet"])
    sys.exit(1 if steps.failed else 0)


def find_free(out, ss58: str):
    """The free TAO `wallet balance --json` reports for `ss58`."""
    if isinstance(out, dict):
        if out.get("coldkey") == ss58 or out.get("address") == ss58 or out.get("ss58") == ss58:
            for key in ("free_tao", "free"):
                if key in out:
                    v = out[key]
                    return float(v.get("tao", v)) if isinstance(v, dict) else float(v)
        for v in out.values():
            found = find_free(v, ss58)
            if found is not None:
                return found
    elif isinstance(out, list):
        for v in out:
            found = find_free(v, ss58)
            if found is not None:
                return found
    return None


if __name__ == "__main__":
    main()
