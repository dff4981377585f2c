"""bittensor 10.5 against a served localnet: the workflow of issue #13 through `Subtensor`.

Usage: python sdk10.py ws://127.0.0.1:PORT   (run by `cargo xtask interop python`)

Keys are Substrate dev keys (//Alice is sudo and the subnet owner) written as
unencrypted wallets into a temporary wallet directory. Secrets are never printed.
"""

from __future__ import annotations

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import TAO, Steps, check, url_from_argv, wait_until  # noqa: E402

import bittensor as bt  # noqa: E402
from bittensor.core.extrinsics.utils import sudo_call_extrinsic  # noqa: E402
from bittensor.utils.balance import Balance  # noqa: E402
from bittensor_wallet import Keypair, Wallet  # noqa: E402

TOOL = "sdk10"
AXON_IP, AXON_PORT = "10.20.30.41", 8091
TLS_AXON_PORT = 8092
STAKE_TAO = 100
TRANSFER_TAO = 12.5
TEMPO = 10


def make_wallet(path: str, name: str, cold_uri: str, hot_uri: str) -> Wallet:
    wallet = Wallet(name=name, hotkey="default", path=path)
    wallet.create_coldkey_from_uri(cold_uri, use_password=False, overwrite=True, suppress=True)
    wallet.create_hotkey_from_uri(hot_uri, use_password=False, overwrite=True, suppress=True)
    return wallet


def ok(response, what: str):
    """An `ExtrinsicResponse` that must have succeeded on chain. Writes pass
    `raise_error=True`, so the SDK's own exception (and its traceback) reaches the log."""
    check(response is not None, f"{what}: no response")
    if not response.success:
        raise AssertionError(f"{what} failed: {response.message} {getattr(response, 'error', '') or ''}".strip())
    return response


def main() -> None:
    url = url_from_argv()
    steps = Steps(TOOL)
    wallets_dir = tempfile.mkdtemp(prefix="interop-sdk10-wallets-")
    alice = make_wallet(wallets_dir, "alice", "//Alice", "//Alice//owner")
    bob = make_wallet(wallets_dir, "bob", "//Bob", "//Bob//validator")
    charlie = make_wallet(wallets_dir, "charlie", "//Charlie", "//Charlie//miner")
    eve = Keypair.create_from_uri("//Eve").ss58_address
    state: dict = {}
    subs: list = []

    def sub() -> bt.Subtensor:
        if not subs:
            subs.append(bt.Subtensor(network=url))
        return subs[0]

    def connect():
        first = sub().get_current_block()
        check(isinstance(first, int) and first >= 0, f"get_current_block() = {first!r}")
        wait_until(lambda: sub().get_current_block() > first, "a new block")
        bal = sub().get_balance(alice.coldkeypub.ss58_address)
        check(bal.rao > 0, f"//Alice balance is {bal}")

    def list_subnets():
        netuids = sub().get_all_subnets_netuid()
        check(isinstance(netuids, list), f"get_all_subnets_netuid() = {netuids!r}")
        state["netuids_before"] = set(netuids)
        infos = sub().all_subnets()
        check(isinstance(infos, list), f"all_subnets() = {infos!r}")
        check({i.netuid for i in infos} == set(netuids), f"all_subnets() {[i.netuid for i in infos]} vs netuids {netuids}")

    def register_subnet():
        before = sub().get_balance(alice.coldkeypub.ss58_address).rao
        ok(sub().register_subnet(alice, raise_error=True), "register_subnet")
        added = sorted(set(sub().get_all_subnets_netuid()) - state.get("netuids_before", set()))
        check(len(added) == 1, f"new netuids {added}")
        netuid = added[0]
        state["netuid"] = netuid
        owner = sub().get_subnet_owner_hotkey(netuid)
        check(owner == alice.hotkey.ss58_address, f"subnet owner hotkey {owner}")
        after = sub().get_balance(alice.coldkeypub.ss58_address).rao
        check(after < before, f"//Alice did not pay the lock ({before} -> {after})")

    def start_call():
        netuid = state["netuid"]
        ok(sub().start_call(alice, netuid, raise_error=True), "start_call")
        first = sub().query_subtensor("FirstEmissionBlockNumber", params=[netuid])
        first = getattr(first, "value", first)
        check(first is not None and int(first) > 0, f"FirstEmissionBlockNumber = {first!r}")

    def burned_register():
        netuid = state["netuid"]
        for wallet in (bob, charlie):
            ok(sub().burned_register(wallet, netuid, raise_error=True), f"burned_register {wallet.name}")
        uids = {}
        for wallet in (bob, charlie):
            check(sub().is_hotkey_registered(wallet.hotkey.ss58_address, netuid), f"{wallet.name} not registered")
            uid = sub().get_uid_for_hotkey_on_subnet(wallet.hotkey.ss58_address, netuid)
            check(uid is not None, f"{wallet.name} has no uid")
            uids[wallet.name] = int(uid)
        check(len(set(uids.values())) == 2, f"uids {uids}")
        state["uids"] = uids

    def serve_axon():
        netuid = state["netuid"]
        axon = bt.Axon(wallet=bob, port=AXON_PORT, external_ip=AXON_IP, external_port=AXON_PORT)
        ok(sub().serve_axon(netuid, axon, raise_error=True), "serve_axon")
        n = sub().get_neuron_for_pubkey_and_subnet(bob.hotkey.ss58_address, netuid)
        check(n.axon_info.ip == AXON_IP and n.axon_info.port == AXON_PORT, f"served axon {n.axon_info.ip}:{n.axon_info.port}")

    def serve_axon_tls():
        # `serve_axon(..., certificate=...)` submits `serve_axon_tls` (call 40) when a
        # certificate is given. scalecodec encodes the call's `Vec<u8>` from 0x-hex: the
        # raw bytes, algorithm 1 (Ed25519) then a 32-byte key. It must be a plain `str`:
        # scalecodec 1.2 refuses str subclasses, so the SDK's own `Certificate` type
        # fails with "Cannot encode type" (the client's limit, whatever the chain).
        netuid = state["netuid"]
        key = bytes(range(0xA0, 0xC0))
        cert = "0x01" + key.hex()
        axon = bt.Axon(wallet=charlie, port=TLS_AXON_PORT, external_ip=AXON_IP, external_port=TLS_AXON_PORT)
        ok(sub().serve_axon(netuid, axon, certificate=cert, raise_error=True), "serve_axon (TLS)")
        n = sub().get_neuron_for_pubkey_and_subnet(charlie.hotkey.ss58_address, netuid)
        check(n.axon_info.port == TLS_AXON_PORT, f"charlie's axon port {n.axon_info.port}")
        # Read back as the SDK reads it: chr(algorithm) + public key as 0x-hex.
        want = chr(1) + "0x" + key.hex()
        got = sub().get_neuron_certificate(charlie.hotkey.ss58_address, netuid)
        check(got == want, f"get_neuron_certificate = {got!r}, want {want!r}")
        check(sub().get_neuron_certificate(bob.hotkey.ss58_address, netuid) is None, "bob has a certificate without serving one")
        every = sub().get_all_neuron_certificates(netuid)
        check(every == {charlie.hotkey.ss58_address: want}, f"get_all_neuron_certificates = {every!r}")

    def add_stake():
        netuid = state["netuid"]
        cold, hot = bob.coldkeypub.ss58_address, bob.hotkey.ss58_address
        b0, s0 = sub().get_balance(cold).rao, sub().get_stake(cold, hot, netuid).rao
        ok(sub().add_stake(bob, netuid, hot, Balance.from_tao(STAKE_TAO), raise_error=True), "add_stake")
        b1, s1 = sub().get_balance(cold).rao, sub().get_stake(cold, hot, netuid).rao
        check(STAKE_TAO * TAO <= b0 - b1 <= STAKE_TAO * TAO + TAO, f"balance fell by {b0 - b1} rao for {STAKE_TAO} TAO")
        # The local chain has no AMM: stake is 1:1 with TAO (README).
        check(s1 - s0 >= STAKE_TAO * TAO * 0.99, f"stake grew by {s1 - s0} rao")

    def sudo(function: str, params: dict):
        ok(sudo_call_extrinsic(sub(), alice, function, params, raise_error=True), f"Sudo.sudo(AdminUtils.{function})")

    def hyperparameters():
        netuid = state["netuid"]
        sudo("sudo_set_commit_reveal_weights_enabled", {"netuid": netuid, "enabled": False})
        sudo("sudo_set_weights_set_rate_limit", {"netuid": netuid, "weights_set_rate_limit": 0})
        sudo("sudo_set_tempo", {"netuid": netuid, "tempo": TEMPO})
        check(sub().commit_reveal_enabled(netuid) is False, "commit_reveal_enabled() is not False")
        hp = sub().get_subnet_hyperparameters(netuid)
        check(hp is not None, "get_subnet_hyperparameters() is None")
        check(int(hp.tempo) == TEMPO, f"tempo {hp.tempo}")
        check(int(hp.weights_rate_limit) == 0, f"weights_rate_limit {hp.weights_rate_limit}")
        check(hp.commit_reveal_weights_enabled is False, f"commit_reveal_weights_enabled {hp.commit_reveal_weights_enabled}")

    def set_weights():
        netuid, uids = state["netuid"], state["uids"]
        v = uids["bob"]

        def permit():
            row = sub().query_subtensor("ValidatorPermit", params=[netuid])
            row = list(getattr(row, "value", row) or [])
            return len(row) > v and row[v]

        # A validator permit comes with the next epoch after the stake (tempo 10).
        wait_until(permit, "bob's validator permit", timeout=30)
        ok(sub().set_weights(bob, netuid, uids=[0, uids["charlie"]], weights=[0.25, 0.75], raise_error=True), "set_weights")

    def read_weights():
        netuid, uids = state["netuid"], state["uids"]
        v, m = uids["bob"], uids["charlie"]
        rows = dict(sub().weights(netuid))
        pairs = sorted(rows.get(v, []))
        # Max-upscaled u16 (weight_utils): 0.75 -> 65535, 0.25 -> 21845.
        check(pairs == sorted([(0, 21845), (m, 65535)]), f"weights row of uid {v}: {pairs}")

    def check_graph(mg, what: str):
        for wallet in (alice, bob, charlie):
            check(wallet.hotkey.ss58_address in mg.hotkeys, f"{what}: {wallet.name}'s hotkey missing")
        uid = mg.hotkeys.index(bob.hotkey.ss58_address)
        axon = mg.axons[uid]
        check(axon.ip == AXON_IP and axon.port == AXON_PORT, f"{what}: bob's axon {axon.ip}:{axon.port}")
        check(float(mg.S[uid]) >= STAKE_TAO * 0.99, f"{what}: bob's stake {mg.S[uid]}")
        check(mg.coldkeys[uid] == bob.coldkeypub.ss58_address, f"{what}: bob's coldkey {mg.coldkeys[uid]}")

    def metagraph():
        check_graph(sub().metagraph(state["netuid"]), "subtensor.metagraph()")

    def neurons_lite():
        neurons = sub().neurons_lite(state["netuid"])
        by_hotkey = {n.hotkey: n for n in neurons}
        for wallet in (bob, charlie):
            check(wallet.hotkey.ss58_address in by_hotkey, f"{wallet.name} missing from neurons_lite")
        n = by_hotkey[bob.hotkey.ss58_address]
        check(n.coldkey == bob.coldkeypub.ss58_address, f"bob's coldkey {n.coldkey}")
        check(n.axon_info.ip == AXON_IP and n.axon_info.port == AXON_PORT, f"bob's axon {n.axon_info.ip}:{n.axon_info.port}")

    def standalone_metagraph():
        mg = bt.Metagraph(state["netuid"], network=url)
        check_graph(mg, "bt.Metagraph(netuid, network=URL)")

    def transfer():
        src = alice.coldkeypub.ss58_address
        a0, e0 = sub().get_balance(src).rao, sub().get_balance(eve).rao
        ok(sub().transfer(alice, eve, Balance.from_tao(TRANSFER_TAO), raise_error=True), "transfer")
        a1, e1 = sub().get_balance(src).rao, sub().get_balance(eve).rao
        amount = int(TRANSFER_TAO * TAO)
        check(e1 - e0 == amount, f"//Eve received {e1 - e0} rao, want {amount}")
        check(amount <= a0 - a1 <= amount + TAO, f"//Alice paid {a0 - a1} rao for {amount}")

    steps.run("connect", connect)
    steps.run("list-subnets", list_subnets, needs=["connect"])
    steps.run("register-subnet", register_subnet, needs=["connect"])
    steps.run("start-call", start_call, needs=["register-subnet"])
    steps.run("burned-register", burned_register, needs=["register-subnet"])
    steps.run("serve-axon", serve_axon, needs=["burned-register"])
    steps.run("serve-axon-tls", serve_axon_tls, needs=["burned-register"])
    steps.run("add-stake", add_stake, needs=["burned-register", "start-call"])
    steps.run("sudo-hyperparameters", hyperparameters, needs=["register-subnet"])
    steps.run("set-weights", set_weights, needs=["add-stake", "sudo-hyperparameters"])
    steps.run("weights", read_weights, needs=["set-weights"])
    steps.run("metagraph", metagraph, needs=["serve-axon", "add-stake"])
    steps.run("neurons-lite", neurons_lite, needs=["serve-axon"])
    steps.run("bt-metagraph", standalone_metagraph, needs=["serve-axon", "add-stake"])
    steps.run("transfer", transfer, needs=["connect"])
    for s in subs:
        try:
            s.close()
        except Exception as e:  # noqa: BLE001
            print(f"closing the client: {e}", file=sys.stderr)
    sys.exit(1 if steps.failed else 0)


if __name__ == "__main__":
    main()
