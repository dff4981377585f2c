"""bittensor 11 against a served localnet: the workflow of issue #13, step by step.

Usage: python sdk11.py ws://127.0.0.1:PORT   (run by `cargo xtask interop python`)

Keys are Substrate dev keys (//Alice is sudo and the subnet owner) written as
unencrypted wallets into a temporary wallet directory. Secrets are never printed.
"""

from __future__ import annotations

import ipaddress
import sys
import tempfile
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from common import TAO, Steps, check, url_from_argv, wait_until  # noqa: E402

import bittensor as bt  # noqa: E402
from bittensor import calls, storage  # noqa: E402
from bittensor.sp_core import Keypair  # noqa: E402

TOOL = "sdk11"
AXON_IP, AXON_PORT = "10.20.30.40", 8091
# The TLS public key charlie publishes with its axon (`ServeAxonTls`).
TLS_KEY = bytes(range(0xA0, 0xC0))
STAKE_TAO = 100
TRANSFER_TAO = 12.5
TEMPO = 10


def make_wallet(path: str, name: str, cold_uri: str, hot_uri: str) -> bt.Wallet:
    wallet = bt.Wallet(name=name, hotkey="default", path=path)
    cold, hot = Keypair.create_from_uri(cold_uri), Keypair.create_from_uri(hot_uri)
    wallet.coldkey_file.set_keypair(cold, encrypt=False, overwrite=True)
    public = Keypair(ss58_address=cold.ss58_address, public_key=bytes(cold.public_key), crypto_type=cold.crypto_type)
    wallet.coldkeypub_file.set_keypair(public, encrypt=False, overwrite=True)
    wallet.hotkey_file.set_keypair(hot, encrypt=False, overwrite=True)
    return wallet


def ok(result, what: str):
    """An extrinsic result that must have succeeded on chain."""
    check(result is not None, f"{what}: no result")
    if not result.success:
        error = getattr(result, "error", None)
        raise AssertionError(f"{what} failed: {result.message or ''} {error or ''}".strip())
    return result


def main() -> None:
    url = url_from_argv()
    steps = Steps(TOOL)
    wallets_dir = tempfile.mkdtemp(prefix="interop-sdk11-wallets-")
    alice = make_wallet(wallets_dir, "alice", "//Alice", "//Alice//owner")
    bob = make_wallet(wallets_dir, "bob", "//Bob", "//Bob//validator")
    charlie = make_wallet(wallets_dir, "charlie", "//Charlie", "//Charlie//miner")
    dave = make_wallet(wallets_dir, "dave", "//Dave", "//Dave//miner")
    eve = Keypair.create_from_uri("//Eve").ss58_address
    state: dict = {}
    sub = bt.Subtensor(url)

    def connect():
        first = sub.block
        check(isinstance(first, int) and first >= 0, f"block number {first!r}")
        spec = sub.spec_version
        check(isinstance(spec, int) and spec > 0, f"spec_version {spec!r}")
        # 250 ms blocks: the head must move within a few seconds.
        wait_until(lambda: sub.block > first, "a new block")
        bal = sub.balances.get(alice.coldkeypub.ss58_address)
        check(bal.rao > 0, f"//Alice balance is {bal}")

    def list_subnets():
        subnets = sub.subnets.all()
        check(isinstance(subnets, list), f"subnets.all() returned {type(subnets).__name__}")
        state["netuids_before"] = {s.netuid for s in subnets}

    def create_subnet():
        before = sub.balances.get(alice.coldkeypub.ss58_address).rao
        result = ok(sub.execute(bt.RegisterSubnet(), alice), "RegisterSubnet")
        netuid = result.data.get("netuid")
        if netuid is None:
            added = [s.netuid for s in sub.subnets.all() if s.netuid not in state.get("netuids_before", set())]
            check(len(added) == 1, f"no netuid in the result and {len(added)} new subnets listed")
            netuid = added[0]
        netuid = int(netuid)
        state["netuid"] = netuid
        owner = sub.query(storage.SubtensorModule.SubnetOwner, [netuid])
        check(str(owner) == alice.coldkeypub.ss58_address, f"SubnetOwner({netuid}) = {owner}, want //Alice")
        check(netuid in {s.netuid for s in sub.subnets.all()}, f"netuid {netuid} not in subnets.all()")
        after = sub.balances.get(alice.coldkeypub.ss58_address).rao
        check(after < before, f"//Alice balance did not pay the lock ({before} -> {after})")

    def start_subnet():
        netuid = state["netuid"]
        ok(sub.execute(bt.StartCall(netuid=netuid), alice), "StartCall")
        first = sub.query(storage.SubtensorModule.FirstEmissionBlockNumber, [netuid])
        check(first is not None and int(first) > 0, f"FirstEmissionBlockNumber({netuid}) = {first!r}")

    def register_hotkeys():
        netuid = state["netuid"]
        for wallet in (bob, charlie):
            call = calls.SubtensorModule.burned_register(netuid=netuid, hotkey=wallet.hotkey.ss58_address)
            ok(sub.submit_call(call, wallet, signer="coldkey"), f"burned_register {wallet.name}")
        uids = {}
        for wallet in (bob, charlie):
            uid = sub.query(storage.SubtensorModule.Uids, [netuid, wallet.hotkey.ss58_address])
            check(uid is not None, f"{wallet.name}'s hotkey has no uid on netuid {netuid}")
            key = sub.query(storage.SubtensorModule.Keys, [netuid, int(uid)])
            check(str(key) == wallet.hotkey.ss58_address, f"Keys({netuid}, {uid}) = {key}")
            uids[wallet.name] = int(uid)
        check(len(set(uids.values())) == 2, f"uids {uids}")
        n = sub.query(storage.SubtensorModule.SubnetworkN, [netuid])
        check(int(n) >= 3, f"SubnetworkN({netuid}) = {n}, want the owner + 2")
        state["uids"] = uids

    def serve_axon():
        netuid = state["netuid"]
        ok(sub.execute(bt.ServeAxon(netuid=netuid, ip=AXON_IP, port=AXON_PORT), bob), "ServeAxon bob")
        # charlie publishes a TLS key with its axon (one serve per hotkey: rate limit).
        tls = bt.ServeAxonTls(netuid=netuid, ip=AXON_IP, port=AXON_PORT + 1, certificate="0x01" + TLS_KEY.hex())
        ok(sub.execute(tls, charlie), "ServeAxonTls charlie")
        charlie_axon = sub.query(storage.SubtensorModule.Axons, [netuid, charlie.hotkey.ss58_address])
        check(int(charlie_axon["port"]) == AXON_PORT + 1, f"charlie's axon port {charlie_axon['port']}")
        axon = sub.query(storage.SubtensorModule.Axons, [netuid, bob.hotkey.ss58_address])
        check(axon is not None, "Axons(netuid, bob) is empty")
        check(int(axon["ip"]) == int(ipaddress.ip_address(AXON_IP)), f"axon ip {axon['ip']}")
        check(int(axon["port"]) == AXON_PORT, f"axon port {axon['port']}")

    def neuron_certificates():
        # charlie served with `ServeAxonTls` (call 40): the certificate is stored as
        # the chain keeps it, algorithm 1 (Ed25519) then the 32-byte key.
        netuid = state["netuid"]
        cert = sub.query(storage.SubtensorModule.NeuronCertificates, [netuid, charlie.hotkey.ss58_address])
        check(cert is not None, "NeuronCertificates(netuid, charlie) is empty")
        public_key = cert["public_key"]
        if isinstance(public_key, str):
            public_key = bytes.fromhex(public_key.removeprefix("0x"))
        check(bytes(public_key) == TLS_KEY and int(cert["algorithm"]) == 1, f"NeuronCertificates(netuid, charlie) = {cert!r}")
        missing = sub.query(storage.SubtensorModule.NeuronCertificates, [netuid, bob.hotkey.ss58_address])
        check(missing is None, f"bob has a certificate without serving one: {missing!r}")

    def add_stake():
        netuid = state["netuid"]
        cold, hot = bob.coldkeypub.ss58_address, bob.hotkey.ss58_address
        bal_before = sub.balances.get(cold).rao
        stake_before = sub.staking.stake(cold, hot, netuid).rao
        ok(sub.execute(bt.AddStake(hotkey_ss58=hot, netuid=netuid, amount_tao=STAKE_TAO), bob), "AddStake")
        bal_after = sub.balances.get(cold).rao
        stake_after = sub.staking.stake(cold, hot, netuid).rao
        spent = bal_before - bal_after
        check(STAKE_TAO * TAO <= spent <= STAKE_TAO * TAO + TAO, f"balance fell by {spent} rao for a {STAKE_TAO} TAO stake")
        # The local chain has no AMM: stake is 1:1 with TAO (README).
        check(stake_after - stake_before >= STAKE_TAO * TAO * 0.99, f"stake grew by {stake_after - stake_before} rao")

    def sudo(call, what: str):
        # A nested call is composed first (`Client.compose` documents this for Sudo.sudo).
        inner = sub.compose(call)
        ok(sub.submit_call(calls.Sudo.sudo(call=inner), alice, signer="coldkey"), f"Sudo.sudo({what})")

    def hyperparameters():
        netuid = state["netuid"]
        sudo(calls.AdminUtils.sudo_set_commit_reveal_weights_enabled(netuid=netuid, enabled=False), "commit-reveal off")
        sudo(calls.AdminUtils.sudo_set_weights_set_rate_limit(netuid=netuid, weights_set_rate_limit=0), "rate limit 0")
        sudo(calls.AdminUtils.sudo_set_tempo(netuid=netuid, tempo=TEMPO), f"tempo {TEMPO}")
        # And one through the owner's intent (what `btcli sudo set` does).
        ok(sub.execute(bt.SetHyperparameter(netuid=netuid, name="immunity_period", value=1000), alice), "SetHyperparameter")
        check(sub.query(storage.SubtensorModule.CommitRevealWeightsEnabled, [netuid]) is False, "commit-reveal still on")
        check(int(sub.query(storage.SubtensorModule.WeightsSetRateLimit, [netuid])) == 0, "WeightsSetRateLimit not 0")
        check(int(sub.query(storage.SubtensorModule.Tempo, [netuid])) == TEMPO, "Tempo not set")
        check(sub.subnets.commit_reveal_enabled(netuid) is False, "subnets.commit_reveal_enabled() is not False")
        hp = sub.subnets.subnet_hyperparameters(netuid)
        check(isinstance(hp, dict), f"subnet_hyperparameters returned {hp!r}")
        check(int(hp.get("tempo", -1)) == TEMPO, f"hyperparameters tempo = {hp.get('tempo')}")
        check(int(hp.get("immunity_period", -1)) == 1000, f"hyperparameters immunity_period = {hp.get('immunity_period')}")

    def set_weights():
        netuid, uids = state["netuid"], state["uids"]
        v = uids["bob"]
        # A validator permit comes with the next epoch after the stake (tempo 10).
        wait_until(
            lambda: (sub.query(storage.SubtensorModule.ValidatorPermit, [netuid]) or [False] * (v + 1))[v],
            "bob's validator permit",
            timeout=30,
        )
        targets = [0, uids["charlie"]]
        result = sub.execute(bt.SetWeights(netuid=netuid, uids=targets, weights=[0.25, 0.75]), bob)
        ok(result, "SetWeights")
        state["weights_block"] = sub.block

    def read_weights():
        netuid, uids = state["netuid"], state["uids"]
        v, m = uids["bob"], uids["charlie"]
        raw = sub.query(storage.SubtensorModule.Weights, [netuid, v])
        pairs = sorted((int(a), int(b)) for a, b in (raw or []))
        # Max-upscaled u16 (weight_utils): 0.75 -> 65535, 0.25 -> 21845.
        check(pairs == sorted([(0, 21845), (m, 65535)]), f"Weights({netuid}, {v}) = {pairs}")
        rows = sub.weights.weights(netuid)
        row = rows.get(v) or {}
        check(abs(row.get(m, 0) - 0.75) < 1e-3 and abs(row.get(0, 0) - 0.25) < 1e-3, f"weights read row {row}")

    def metagraph():
        netuid = state["netuid"]
        mg = sub.subnets.metagraph(netuid)
        check(mg is not None, f"no metagraph for netuid {netuid}")
        for wallet in (alice, bob, charlie):
            check(wallet.hotkey.ss58_address in mg.hotkeys, f"{wallet.name}'s hotkey missing from the metagraph")
        n = mg.by_hotkey(bob.hotkey.ss58_address)
        check(n.coldkey == bob.coldkeypub.ss58_address, f"bob's coldkey {n.coldkey}")
        check(n.axon is not None and n.axon.endswith(f"{AXON_IP}:{AXON_PORT}"), f"bob's axon {n.axon}")
        check(n.total_stake.rao >= STAKE_TAO * TAO * 0.99, f"bob's stake {n.total_stake}")
        permits = sub.query(storage.SubtensorModule.ValidatorPermit, [netuid]) or []
        on_chain = bool(permits[n.uid]) if n.uid < len(permits) else False
        check(n.validator_permit == on_chain, f"bob's permit {n.validator_permit} in the metagraph, {on_chain} on chain")
        check(mg.owner_coldkey == alice.coldkeypub.ss58_address, f"owner coldkey {mg.owner_coldkey}")
        neurons = sub.neurons.all(netuid)
        check({x.hotkey for x in neurons} >= {w.hotkey.ss58_address for w in (bob, charlie)}, "neurons.all() misses hotkeys")

    def transfer():
        src, dst = alice.coldkeypub.ss58_address, eve
        a0, e0 = sub.balances.get(src).rao, sub.balances.get(dst).rao
        ok(sub.execute(bt.Transfer(dest_ss58=dst, amount_tao=TRANSFER_TAO), alice), "Transfer")
        a1, e1 = sub.balances.get(src).rao, sub.balances.get(dst).rao
        amount = int(TRANSFER_TAO * TAO)
        check(e1 - e0 == amount, f"//Eve received {e1 - e0} rao, want {amount}")
        check(amount <= a0 - a1 <= amount + TAO, f"//Alice paid {a0 - a1} rao for {amount}")

    def shielded_register():
        # bittensor 11.3.0's BurnedRegister intent is always MEV-shielded: the signed
        # burned_register (nonce n + 1) travels encrypted to MevShield.NextKey inside
        # MevShield.submit_encrypted (nonce n). Its own account (//Dave) and the last
        # step: the SDK's nonce cache then holds n + 1 for //Dave although the chain
        # consumed both, so a later call of //Dave's from the same client would be stale.
        netuid = state["netuid"]
        hot = dave.hotkey.ss58_address
        ok(sub.execute(bt.BurnedRegister(netuid=netuid, hotkey_ss58=hot), dave), "BurnedRegister (shielded)")
        uid = sub.query(storage.SubtensorModule.Uids, [netuid, hot])
        check(uid is not None, f"//Dave's hotkey has no uid on netuid {netuid} after the shielded registration")

    steps.run("connect", connect)
    steps.run("list-subnets", list_subnets, needs=["connect"])
    steps.run("create-subnet", create_subnet, needs=["connect"])
    steps.run("start-subnet", start_subnet, needs=["create-subnet"])
    steps.run("register-hotkeys", register_hotkeys, needs=["create-subnet"])
    steps.run("serve-axon", serve_axon, needs=["register-hotkeys"])
    steps.run("neuron-certificates", neuron_certificates, needs=["serve-axon"])
    steps.run("add-stake", add_stake, needs=["register-hotkeys", "start-subnet"])
    steps.run("sudo-hyperparameters", hyperparameters, needs=["create-subnet"])
    steps.run("set-weights", set_weights, needs=["add-stake", "sudo-hyperparameters"])
    steps.run("read-weights", read_weights, needs=["set-weights"])
    steps.run("metagraph", metagraph, needs=["register-hotkeys", "serve-axon", "add-stake"])
    steps.run("transfer", transfer, needs=["connect"])
    steps.run("shielded-register", shielded_register, needs=["create-subnet"])
    started = time.monotonic()
    try:
        sub.close()
    except Exception as e:  # noqa: BLE001
        print(f"closing the client: {e}", file=sys.stderr)
    print(f"--- {TOOL} closed in {time.monotonic() - started:.1f}s", file=sys.stderr)
    sys.exit(1 if steps.failed else 0)


if __name__ == "__main__":
    main()
