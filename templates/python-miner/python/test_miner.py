"""The miner's handler on its own (no chain, no network): `python -m unittest` from
this folder, with the subnet_core package installed and subnet_protocol.py generated."""

import json
import unittest

from subnet_core.miner import dispatcher

import miner
import subnet_protocol as protocol


class Handler(unittest.TestCase):
    def test_counts_each_word(self):
        answer = miner.count(protocol.Count(text="tao stake tao"))
        self.assertEqual(answer, protocol.Counts(counts={"tao": 2, "stake": 1}))

    def test_answers_requests_as_the_validator_sends_them(self):
        dispatch = dispatcher(protocol.PROTOCOL, {"Count": miner.count})
        request = json.dumps({"task": "Count", "body": {"text": "epoch epoch"}}).encode()
        self.assertEqual(dispatch(request, "validator", 0), ("ok", b'{"counts":{"epoch":2}}'))


if __name__ == "__main__":
    unittest.main()
