"""The subnet_core package end to end: run by `cargo xtask python-test`, which builds the
wheel, serves a localnet with a subnet, registered `miner` and `caller` hotkeys, an
unregistered `newcomer` and a `locked` wallet, and generates `sum_protocol.py`."""

import asyncio
import importlib.util
import json
import os
import sys
import unittest
from pathlib import Path

import subnet_core
from subnet_core.miner import dispatcher

CHAIN = os.environ["SUBNET_TEST_CHAIN"]
NETUID = int(os.environ["SUBNET_TEST_NETUID"])
WALLETS = os.environ["SUBNET_TEST_WALLETS"]
PROTOCOL_DIR = Path(os.environ["SUBNET_TEST_PROTOCOL_DIR"])
FINGERPRINT = os.environ["SUBNET_TEST_FINGERPRINT"]

sys.path.insert(0, str(PROTOCOL_DIR))
import sum_protocol as proto  # noqa: E402


def wallet(name):
    return subnet_core.Wallet(name, "default", WALLETS)


def envelope(a, b):
    return json.dumps({"task": "Add", "body": {"a": a, "b": b}}).encode()


def add(task):
    """Honest, except on purpose: a = -1 raises, a = -2 answers the wrong type, a >= 100
    answers through a coroutine (the async path)."""
    if task.a == -1:
        raise ValueError("no negative numbers here")
    if task.a == -2:
        return {"value": "three"}
    if task.a >= 100:
        return add_later(task)
    return proto.Total(value=task.a + task.b)


async def add_later(task):
    await asyncio.sleep(0.01)
    return proto.Total(value=task.a + task.b)


class GeneratedModule(unittest.TestCase):
    def test_has_the_declared_types_and_the_subnets_fingerprint(self):
        self.assertEqual(proto.Add(a=1, b=2).a, 1)
        self.assertEqual([f for f in proto.Add.__dataclass_fields__], ["a", "b"])
        self.assertEqual(proto.PROTOCOL.fingerprint, FINGERPRINT)
        self.assertEqual(subnet_core.protocol_fingerprint(proto.DESCRIPTION), FINGERPRINT)
        self.assertEqual(set(proto.PROTOCOL.tasks), {"Add"})

    def test_carries_the_subnets_access_rules(self):
        self.assertEqual(proto.PROTOCOL.access, json.loads(os.environ["SUBNET_TEST_ACCESS"]))
        self.assertEqual(set(proto.PROTOCOL.access), {"require_registered", "require_validator_permit", "min_stake", "rate_limit", "max_concurrent"})

    def test_an_edited_module_fails_at_import(self):
        edited = (PROTOCOL_DIR / "sum_protocol.py").read_text().replace('\\"i64\\"', '\\"u64\\"', 1)
        path = PROTOCOL_DIR / "edited_protocol.py"
        path.write_text(edited)
        spec = importlib.util.spec_from_file_location("edited_protocol", path)
        module = importlib.util.module_from_spec(spec)
        # Dataclasses look their module up while the class is made, as an import does.
        sys.modules["edited_protocol"] = module
        try:
            with self.assertRaisesRegex(subnet_core.ProtocolMismatch, "regenerate"):
                spec.loader.exec_module(module)
        finally:
            del sys.modules["edited_protocol"]

    def test_a_stale_module_is_refused_before_serving(self):
        with self.assertRaisesRegex(subnet_core.ProtocolMismatch, "the Rust declaration changed"):
            proto.PROTOCOL.check_against("0000000000000000")
        code = subnet_core.run_miner(proto.PROTOCOL, add, argv=["miner.py", "miner"], expected_fingerprint="0000000000000000")
        self.assertEqual(code, 1)

    def test_every_task_needs_a_handler(self):
        with self.assertRaisesRegex(subnet_core.ProtocolMismatch, "no handler for"):
            dispatcher(proto.PROTOCOL, {})
        with self.assertRaisesRegex(subnet_core.ProtocolMismatch, "unknown tasks"):
            dispatcher(proto.PROTOCOL, {"Add": add, "Mul": add})


class Dispatcher(unittest.TestCase):
    def setUp(self):
        self.dispatch = dispatcher(proto.PROTOCOL, {"Add": add})

    def test_sync_and_async_handlers_answer(self):
        self.assertEqual(self.dispatch(envelope(1, 2), "caller", 0), ("ok", b'{"value":3}'))
        self.assertEqual(self.dispatch(envelope(100, 2), "caller", 0), ("ok", b'{"value":102}'))

        async def async_add(task):
            return proto.Total(value=task.a * task.b)

        self.assertEqual(dispatcher(proto.PROTOCOL, async_add)(envelope(3, 4), "c", 0), ("ok", b'{"value":12}'))

    def test_bad_requests_and_failures_are_typed(self):
        self.assertEqual(self.dispatch(b"not json", "c", 0)[0], "bad_request")
        self.assertEqual(self.dispatch(b'{"task":"Mul","body":{}}', "c", 0), ("unknown_task", b"Mul"))
        outcome, message = self.dispatch(b'{"task":"Add","body":{"a":"x","b":1}}', "c", 0)
        self.assertEqual(outcome, "bad_request")
        self.assertIn(b"Add.a: expected int", message)
        self.assertEqual(self.dispatch(envelope(-1, 0), "c", 0), ("miner", b"ValueError: no negative numbers here"))
        outcome, message = self.dispatch(envelope(-2, 0), "c", 0)
        self.assertEqual(outcome, "encode")
        self.assertIn(b"value: expected int, got str", message)

    def test_an_answer_of_another_modules_class_is_named_so(self):
        import limited_protocol

        outcome, message = dispatcher(limited_protocol.PROTOCOL, add)(envelope(1, 2), "c", 0)
        self.assertEqual(outcome, "encode")
        self.assertIn(b"expected limited_protocol.Total, got sum_protocol.Total (a class of the same name from another protocol module)", message)


class Wallets(unittest.TestCase):
    def test_reads_btcli_wallets(self):
        w = wallet("miner")
        self.assertTrue(w.hotkey_ss58.startswith("5"))
        self.assertTrue(w.coldkey_ss58.startswith("5"))

    def test_a_wrong_password_is_a_wallet_error(self):
        chain = subnet_core.connect(CHAIN)
        with self.assertRaises(subnet_core.WalletError):
            chain.register(wallet("locked"), NETUID, coldkey_password="wrong")

    def test_a_missing_wallet_is_a_wallet_error(self):
        with self.assertRaises(subnet_core.WalletError):
            _ = wallet("nobody").hotkey_ss58


class ChainAccess(unittest.TestCase):
    def test_an_unreachable_chain_is_a_chain_error(self):
        with self.assertRaisesRegex(subnet_core.ChainError, "cannot reach"):
            subnet_core.connect("ws://127.0.0.1:9")
        with self.assertRaises(subnet_core.ChainError):
            subnet_core.connect("http://not-a-websocket")

    def test_register_and_list_neurons(self):
        chain = subnet_core.connect(CHAIN)
        newcomer = wallet("newcomer")
        uid = chain.register(newcomer, NETUID)
        self.assertEqual(chain.register(newcomer, NETUID), uid, "registering again is a no-op")
        neurons = {n["hotkey"]: n for n in chain.neurons(NETUID)}
        self.assertEqual(neurons[newcomer.hotkey_ss58]["uid"], uid)


class ServeAndQuery(unittest.TestCase):
    """A Python miner behind the Rust server, queried by the Python client."""

    @classmethod
    def setUpClass(cls):
        cls.chain = subnet_core.connect(CHAIN)
        cls.miner = subnet_core.serve(
            proto.PROTOCOL,
            {"Add": add},
            chain=cls.chain,
            wallet=wallet("miner"),
            netuid=NETUID,
            ip="127.0.0.1",
            port=0,
            external_ip="0.0.0.0",
            # The caller is registered but holds no validator permit (no epoch ran).
            allow_non_validators=True,
            expected_fingerprint=FINGERPRINT,
        )
        cls.client = subnet_core.Client(proto.PROTOCOL, wallet("caller"), NETUID)
        cls.hotkey = wallet("miner").hotkey_ss58
        # As announced now: later tests serve the same hotkey elsewhere.
        cls.announced = {n["hotkey"]: n for n in cls.chain.neurons(NETUID)}[cls.hotkey]

    @classmethod
    def tearDownClass(cls):
        cls.miner.stop()

    def query(self, a, b):
        return self.client.query(self.hotkey, self.miner.address, proto.Add(a=a, b=b), timeout=10.0)

    def test_the_miner_is_announced_on_chain(self):
        self.assertEqual(self.announced["uid"], self.miner.uid)
        self.assertEqual(self.announced["axon"].split(":")[1], self.miner.address.split(":")[1])

    def test_typed_answers_from_sync_and_async_handlers(self):
        self.assertEqual(self.query(2, 3), proto.Total(value=5))
        self.assertEqual(self.query(100, 1), proto.Total(value=101))

    def test_a_raising_handler_is_a_typed_failure_and_the_miner_keeps_serving(self):
        with self.assertRaisesRegex(subnet_core.Refused, "miner_failed.*ValueError: no negative numbers"):
            self.query(-1, 0)
        with self.assertRaisesRegex(subnet_core.Refused, "value: expected int"):
            self.query(-2, 0)
        self.assertEqual(self.query(4, 4), proto.Total(value=8))
        self.assertGreaterEqual(self.miner.stats()["failed"], 2)

    def test_an_unregistered_caller_is_refused_by_the_rust_server(self):
        stranger = subnet_core.Client(proto.PROTOCOL, wallet("locked"), NETUID)
        with self.assertRaises(subnet_core.Refused):
            stranger.query(self.hotkey, self.miner.address, proto.Add(a=1, b=1), timeout=10.0)

    def test_a_subnets_own_access_rules_are_applied(self):
        """`limited_protocol.py` declares 1 request/s with bursts of 3 and no validator
        permit needed: the miner serves the permit-less caller and refuses its fourth
        request in a row, where the default (50/s, validators only) would differ in both."""
        import limited_protocol

        miner = subnet_core.serve(
            limited_protocol.PROTOCOL,
            {"Add": lambda task: limited_protocol.Total(value=task.a + task.b)},
            chain=self.chain, wallet=wallet("miner"), netuid=NETUID, ip="127.0.0.1", port=0, external_ip="0.0.0.0"
        )
        try:
            client = subnet_core.Client(limited_protocol.PROTOCOL, wallet("caller"), NETUID)
            ask = lambda: client.query(self.hotkey, miner.address, limited_protocol.Add(a=1, b=2), timeout=10.0)
            self.assertEqual([ask() for _ in range(3)], [limited_protocol.Total(value=3)] * 3)
            with self.assertRaisesRegex(subnet_core.Refused, "rate_limited"):
                ask()
        finally:
            miner.stop()

    def test_a_caller_built_from_another_protocol_is_refused(self):
        import limited_protocol

        other = subnet_core.Client(limited_protocol.PROTOCOL, wallet("caller"), NETUID)
        with self.assertRaisesRegex(subnet_core.Refused, "protocol_mismatch"):
            other.query(self.hotkey, self.miner.address, limited_protocol.Add(a=1, b=1), timeout=10.0)

    def test_a_dead_address_is_unreachable(self):
        with self.assertRaises(subnet_core.Unreachable):
            self.client.query(self.hotkey, "127.0.0.1:9", proto.Add(a=1, b=1), timeout=5.0)


if __name__ == "__main__":
    unittest.main()
