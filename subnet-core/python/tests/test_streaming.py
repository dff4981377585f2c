"""Streamed tasks from a Python miner: each chunk leaves the miner as soon as the
handler makes it (sync and async generators), failures mid-stream are typed, and a
caller that goes away ends the handler's generator. Run by `cargo xtask python-test`
with `count_protocol.py` (one streamed task, `Count { n, pause_ms }` answered by `n`
chunks `Number { value }`)."""

import asyncio
import json
import os
import sys
import threading
import time
import unittest
from pathlib import Path

import subnet_core
from subnet_core.miner import dispatcher

CHAIN = os.environ["SUBNET_TEST_CHAIN"]
NETUID = int(os.environ["SUBNET_TEST_NETUID"])
WALLETS = os.environ["SUBNET_TEST_WALLETS"]
sys.path.insert(0, os.environ["SUBNET_TEST_PROTOCOL_DIR"])
import count_protocol as proto  # noqa: E402

#: Set by the generator handlers when they end, however they end.
CLOSED = {"sync": threading.Event(), "async": threading.Event()}


def count(task):
    """A generator: chunk 0 at once, then one per `pause_ms`. n = 99 fails after its
    first chunk; n = 98 makes a chunk of the wrong type."""
    try:
        for i in range(task.n):
            if i > 0:
                time.sleep(task.pause_ms / 1000)
            if task.n == 99 and i == 1:
                raise RuntimeError("the model fell over")
            yield {"value": "one"} if task.n == 98 and i == 1 else proto.Number(value=i)
    finally:
        CLOSED["sync"].set()


async def count_async(task):
    try:
        for i in range(task.n):
            if i > 0:
                await asyncio.sleep(task.pause_ms / 1000)
            yield proto.Number(value=i)
    finally:
        CLOSED["async"].set()


def wallet(name):
    return subnet_core.Wallet(name, "default", WALLETS)


class StreamedDispatch(unittest.TestCase):
    def test_a_unary_query_gets_the_chunks_as_one_array(self):
        dispatch = dispatcher(proto.PROTOCOL, count)
        payload = json.dumps({"task": "Count", "body": {"n": 3, "pause_ms": 0}}).encode()
        self.assertEqual(dispatch(payload, "c", 0), ("ok", b'[{"value":0},{"value":1},{"value":2}]'))
        self.assertEqual(dispatch(payload.replace(b'"n": 3', b'"n": 99'), "c", 0), ("miner", b"RuntimeError: the model fell over"))

    def test_a_handler_that_returns_no_chunks_is_an_encode_error(self):
        payload = json.dumps({"task": "Count", "body": {"n": 1, "pause_ms": 0}}).encode()
        outcome, message = dispatcher(proto.PROTOCOL, lambda task: 7)(payload, "c", 0)
        self.assertEqual(outcome, "encode")
        self.assertIn(b"must return or yield its chunks, not a int", message)


class StreamedMiner(unittest.TestCase):
    """Generators behind the Rust server, one miner per handler kind."""

    @classmethod
    def setUpClass(cls):
        chain = subnet_core.connect(CHAIN)
        options = dict(chain=chain, wallet=wallet("miner"), netuid=NETUID, ip="127.0.0.1", port=0, external_ip="0.0.0.0", allow_non_validators=True)
        cls.miners = {"sync": subnet_core.serve(proto.PROTOCOL, count, **options), "async": subnet_core.serve(proto.PROTOCOL, count_async, **options)}
        cls.client = subnet_core.Client(proto.PROTOCOL, wallet("caller"), NETUID)
        cls.hotkey = wallet("miner").hotkey_ss58

    @classmethod
    def tearDownClass(cls):
        for miner in cls.miners.values():
            miner.stop()

    def stream(self, kind, n, pause_ms, timeout=10.0):
        return self.client.query_stream(self.hotkey, self.miners[kind].address, proto.Count(n=n, pause_ms=pause_ms), timeout=timeout)

    def test_each_chunk_leaves_as_soon_as_it_is_made(self):
        for kind in ("sync", "async"):
            with self.subTest(kind):
                started = time.monotonic()
                answer = self.stream(kind, 3, 600)
                total = time.monotonic() - started
                self.assertEqual(answer.chunks, [proto.Number(value=i) for i in range(3)])
                # The handler takes 1.2 s in all; its first chunk was made at once.
                self.assertGreaterEqual(total, 1.2)
                self.assertLess(answer.first_chunk_after, 0.6, f"the first chunk waited for the handler ({answer.first_chunk_after:.3f} s)")

    def test_a_failure_after_the_first_chunk_is_typed_and_the_miner_keeps_serving(self):
        with self.assertRaisesRegex(subnet_core.Refused, "miner_failed.*RuntimeError: the model fell over"):
            self.stream("sync", 99, 0)
        with self.assertRaisesRegex(subnet_core.Refused, "chunk 1 of the answer to Count.*expected int"):
            self.stream("sync", 98, 0)
        self.assertEqual(self.stream("sync", 2, 0).chunks, [proto.Number(value=0), proto.Number(value=1)])

    def test_a_caller_that_goes_away_ends_the_generator(self):
        for kind in ("sync", "async"):
            with self.subTest(kind):
                CLOSED[kind].clear()
                with self.assertRaises(subnet_core.Timeout):
                    self.stream(kind, 1000, 100, timeout=0.5)
                # The next chunk's send fails once the stream is gone; the generator is closed.
                self.assertTrue(CLOSED[kind].wait(5.0), "the handler's generator was not closed")

    def test_query_stream_is_for_streamed_tasks_only(self):
        with self.assertRaises(TypeError):
            self.client.query_stream(self.hotkey, self.miners["sync"].address, object())


if __name__ == "__main__":
    unittest.main()
