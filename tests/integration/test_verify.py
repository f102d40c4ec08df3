"""`spar verify` against real stores: an untouched one passes, offline and through the server;
every kind of tampering with a stopped store is found and named; a store rewritten with another
signing key is caught with --public-key; a running spard's store is not read behind its back."""

import base64
import json
import os
import random
import shutil
import subprocess
import tempfile
import unittest

from spard_harness import SPAR_BIN, Spard

TAMPER_BIN = os.environ.get(
    "SPARD_TAMPER_BIN", os.path.join(os.path.dirname(__file__), "../../build/tests/spard_tamper"))

N = 3010  # two complete 1024-leaf blocks, and a tail no block hash covers yet


def events(n):
    return [{"ts": f"2026-11-0{1 + i % 9}T10:{i % 60:02d}:00Z", "system": "procapita",
             "user": f"u{i % 7}", "object": f"rec{i}", "subject": "19650412-1234",
             "action": "read"} for i in range(n)]


def covering_range(event_id, size, block=1024):
    """The ids spar verify can name for a changed event: its stored block of 1024 leaves, or,
    past the last complete block, the complete subtree of the tree's frontier holding it."""
    if event_id <= size // block * block:
        start = (event_id - 1) // block * block
        return start + 1, start + block
    start = 0
    for bit in range(63, -1, -1):
        width = 1 << bit
        if size & width:
            if event_id <= start + width:
                return start + 1, start + width
            start += width
    raise ValueError(event_id)


class VerifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spard = Spard().start()
        cls.spard.ingest(events(N))
        cls.public_key = cls.spard.json("GET", "/v1/integrity/public-key", token=None)["public_key"]

    @classmethod
    def tearDownClass(cls):
        cls.spard.cleanup()

    @property
    def url(self):  # the port changes when spard restarts
        host, port = self.spard.hostport("http")
        return f"http://{host}:{port}"

    def spar(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPAR_")}
        env["SPAR_TOKEN"] = self.spard.token
        return subprocess.run([SPAR_BIN, *args], capture_output=True, text=True, timeout=300,
                              env=env)

    def stopped_copy(self):
        """A copy of the data dir of a cleanly stopped spard (restarted afterwards)."""
        self.spard.stop()
        try:
            dest = tempfile.mkdtemp(prefix="spard-verify-")
            shutil.copytree(self.spard.data_dir, dest, dirs_exist_ok=True)
        finally:
            self.spard.start()
        self.addCleanup(shutil.rmtree, dest, True)
        return dest

    def tamper(self, data_dir, *args):
        subprocess.run([TAMPER_BIN, data_dir, *map(str, args)], check=True, timeout=60)

    def verify_offline(self, data_dir, *extra):
        return self.spar("--data-dir", data_dir, "verify", *extra)

    def assert_failed(self, proc, *needles):
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("FAILED: ", proc.stdout)
        self.assertIn("NOT verified", proc.stdout)
        for n in needles:
            self.assertIn(n, proc.stdout)

    def test_an_untouched_store_verifies_offline_and_online(self):
        online = self.spar("--url", self.url, "verify", "--format", "json")
        self.assertEqual(online.returncode, 0, online.stdout + online.stderr)
        report = json.loads(online.stdout)
        self.assertTrue(report["ok"])
        self.assertGreaterEqual(report["events"], N)

        copy = self.stopped_copy()
        offline = self.verify_offline(copy)
        self.assertEqual(offline.returncode, 0, offline.stdout + offline.stderr)
        self.assertRegex(offline.stdout, r"^verified: \d+ events")
        self.assertNotIn("FAILED", offline.stdout)
        as_json = json.loads(self.verify_offline(copy, "--format", "json").stdout)
        self.assertTrue(as_json["ok"])
        self.assertGreaterEqual(as_json["sths_checked"], 1)  # the head signed at shutdown
        self.assertGreaterEqual(as_json["index_entries"], N * 5)

    def test_the_public_key_offline_and_online_is_the_servers(self):
        online = self.spar("--url", self.url, "verify", "--print-public-key")
        self.assertEqual(online.stdout.strip(), self.public_key)
        copy = self.stopped_copy()
        offline = self.verify_offline(copy, "--print-public-key")
        self.assertEqual(offline.returncode, 0, offline.stderr)
        self.assertEqual(offline.stdout.strip(), self.public_key)
        pinned = self.verify_offline(copy, "--public-key", self.public_key)
        self.assertEqual(pinned.returncode, 0, pinned.stdout)

    def test_another_signing_key_is_caught_when_the_key_is_pinned(self):
        other = base64.b64encode(os.urandom(32)).decode()
        copy = self.stopped_copy()
        self.assert_failed(self.verify_offline(copy, "--public-key", other),
                           "not the expected public key")
        online = self.spar("--url", self.url, "verify", "--public-key", other)
        self.assertEqual(online.returncode, 1)
        self.assertIn("another key", online.stdout)
        bad = self.verify_offline(copy, "--public-key", "not-base64")
        self.assertEqual(bad.returncode, 2)

    def test_every_kind_of_tampering_is_found(self):
        rng = random.Random(5)
        size = json.loads(self.verify_offline(self.stopped_copy(), "--format", "json").stdout)[
            "tree_size"]
        for victim in ([rng.randint(1, 1024), rng.randint(1025, 2048)] +
                       [rng.randint(2049, N) for _ in range(3)]):
            copy = self.stopped_copy()
            self.tamper(copy, "flip", victim, rng.randint(0, 10_000))
            first, last = covering_range(victim, size)
            self.assert_failed(self.verify_offline(copy), f"events {first}..{last}: ")
        copy = self.stopped_copy()
        self.tamper(copy, "delete", 700)
        self.assert_failed(self.verify_offline(copy), "event 700 is missing")
        copy = self.stopped_copy()
        self.tamper(copy, "swap", 10, 11)
        self.assert_failed(self.verify_offline(copy))
        copy = self.stopped_copy()
        self.tamper(copy, "delete-index-row")
        self.assert_failed(self.verify_offline(copy, "--format", "table"), "index user: ")
        # Without the index check, the events and the tree still verify.
        self.assertEqual(self.verify_offline(copy, "--no-indexes").returncode, 0)

    def test_without_its_subject_key_a_copy_verifies_all_but_the_subject_index(self):
        copy = self.stopped_copy()
        os.unlink(os.path.join(copy, "subject.key"))
        self.assert_failed(self.verify_offline(copy),
                           "index subject: not checked: subject.key is missing")
        self.assertEqual(self.verify_offline(copy, "--no-indexes").returncode, 0)
        key = self.verify_offline(copy, "--print-public-key")
        self.assertEqual((key.returncode, key.stdout.strip()), (0, self.public_key))

    def test_a_running_spards_store_is_verified_through_the_server(self):
        proc = self.verify_offline(self.spard.data_dir)
        self.assertEqual(proc.returncode, 3, proc.stdout)
        self.assertIn("spard is running on", proc.stderr)
        self.assertIn("--url", proc.stderr)
        missing = self.verify_offline(os.path.join(self.spard.data_dir, "nothing-here"))
        self.assertEqual(missing.returncode, 3)
        self.assertIn("no spard store in", missing.stderr)


if __name__ == "__main__":
    unittest.main()
