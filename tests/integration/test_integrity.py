"""Riktighet over the API: signed tree heads and RFC 9162 proofs, checked by an independent
verifier written here (hashlib and the RFC's algorithms; Ed25519 with the openssl tool)."""

import base64
import hashlib
import json
import os
import socket
import subprocess
import tempfile
import unittest

from spard_harness import Spard, wait_for


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 §2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def verify_sth_signature(sth, public_key_b64):
    """Ed25519 over "spard-sth-v1\\n" || size || root || ts, with the openssl command line."""
    msg = (b"spard-sth-v1\n" + sth["tree_size"].to_bytes(8, "big") + bytes.fromhex(sth["root"]) +
           sth["timestamp_us"].to_bytes(8, "big"))
    der = bytes.fromhex("302a300506032b6570032100") + base64.b64decode(public_key_b64)
    with tempfile.TemporaryDirectory() as d:
        pub, m, sig = (os.path.join(d, n) for n in ("pub.der", "msg", "sig"))
        for path, data in ((pub, der), (m, msg), (sig, base64.b64decode(sth["signature"]))):
            with open(path, "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-keyform",
                            "DER", "-rawin", "-in", m, "-sigfile", sig], capture_output=True)
        return r.returncode == 0


def events(first, n):
    return [{"ts": f"2026-10-06T09:{(i // 60) % 60:02d}:{i % 60:02d}Z", "system": "treserva",
             "user": f"u{i % 9}", "action": "read", "object": f"t:{i}", "seq": str(i)}
            for i in range(first, first + n)]


class IntegrityTest(unittest.TestCase):
    def setUp(self):
        self.witness = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.witness.bind(("127.0.0.1", 0))
        self.witness.settimeout(30)
        port = self.witness.getsockname()[1]
        self.spard = Spard(config_extra=f'[integrity]\nsth_interval_s = 1\n'
                                        f'witness = "udp://127.0.0.1:{port}"\n').start()

    def tearDown(self):
        self.spard.cleanup()
        self.witness.close()

    def wait_sth(self, size):
        # Every read of the log is itself logged (an event of system spard), so the tree keeps
        # growing while we look at it: wait for a head that covers at least `size` events.
        def covered():
            sth = self.spard.json("GET", "/v1/integrity")["latest_sth"]
            return sth if sth and sth["tree_size"] >= size else None
        return wait_for(covered, timeout=60, what=f"an STH of size {size} or more")

    def test_proofs_and_signed_heads_verify_independently(self):
        for i in range(0, 3000, 500):
            self.spard.ingest(events(i, 500))
        sth1 = self.wait_sth(3000)
        n1 = sth1["tree_size"]
        key = self.spard.json("GET", "/v1/integrity/public-key", token=None)
        self.assertEqual(key["algorithm"], "ed25519")
        self.assertTrue(verify_sth_signature(sth1, key["public_key"]))
        forged = dict(sth1, tree_size=sth1["tree_size"] + 1)
        self.assertFalse(verify_sth_signature(forged, key["public_key"]))

        root1 = bytes.fromhex(sth1["root"])
        # Without tree_size a proof is anchored to the latest signed head.
        p = self.spard.json("GET", "/v1/events/1/proof")
        signed = [s["tree_size"] for s in self.spard.json("GET", "/v1/integrity/sths")["sths"]]
        self.assertIn(p["tree_size"], signed)
        self.assertGreaterEqual(p["tree_size"], n1)
        for event_id in (1, 2, 1023, 1024, 1025, 2048, 2999, 3000, n1):
            p = self.spard.json("GET", f"/v1/events/{event_id}/proof", {"tree_size": n1})
            self.assertEqual(p["tree_size"], n1)
            leaf = hashlib.sha256(b"\x00" + base64.b64decode(p["leaf_data"])).digest()
            self.assertEqual(leaf.hex(), p["leaf_hash"])
            self.assertEqual(base64.b64decode(p["leaf_data"])[:8], event_id.to_bytes(8, "big"))
            proof = [bytes.fromhex(h) for h in p["proof"]]
            self.assertTrue(verify_inclusion(leaf, event_id - 1, n1, proof, root1), event_id)
            self.assertFalse(verify_inclusion(leaf, event_id % n1, n1, proof, root1))

        # The log grows; the new head is consistent with the old one.
        self.spard.ingest(events(3000, 700))
        sth2 = self.wait_sth(n1 + 700)
        n2 = sth2["tree_size"]
        c = self.spard.json("GET", "/v1/integrity/consistency", {"first": n1, "second": n2})
        self.assertEqual(c["first_root"], sth1["root"])
        self.assertEqual(c["second_root"], sth2["root"])
        self.assertTrue(verify_consistency(n1, n2, root1, bytes.fromhex(sth2["root"]),
                                           [bytes.fromhex(h) for h in c["proof"]]))
        # Any tree size can be asked for, not only signed ones.
        p = self.spard.json("GET", "/v1/events/10/proof", {"tree_size": 1500})
        r = self.spard.json("GET", "/v1/integrity/consistency", {"first": 1500, "second": n2})
        self.assertTrue(verify_inclusion(bytes.fromhex(p["leaf_hash"]), 9, 1500,
                                         [bytes.fromhex(h) for h in p["proof"]],
                                         bytes.fromhex(r["first_root"])))

        # Every STH left the machine: in sth.log and at the witness.
        listed = self.spard.json("GET", "/v1/integrity/sths")["sths"]
        self.assertIn(sth1, listed)
        self.assertIn(sth2, listed)
        with open(os.path.join(self.spard.data_dir, "sth.log")) as f:
            logged = [json.loads(line) for line in f]
        self.assertEqual([l["root"] for l in logged], [s["root"] for s in listed])
        seen = set()
        while sth2["root"] not in seen:
            msg = self.witness.recv(65536).decode()
            self.assertIn(" spard - STH [sth@53000 ", msg)
            seen.add(json.loads(msg[msg.index("{"):])["root"])
        self.assertIn(sth1["root"], seen)

    def test_bad_proof_requests_are_400_or_404(self):
        self.spard.ingest(events(0, 5))
        code, _, _ = self.spard.request("GET", "/v1/events/6/proof")
        self.assertEqual(code, 404)
        code, _, _ = self.spard.request("GET", "/v1/events/3/proof", {"tree_size": 2})
        self.assertEqual(code, 400)
        code, _, _ = self.spard.request("GET", "/v1/integrity/consistency",
                                        {"first": 4, "second": 3})
        self.assertEqual(code, 400)
        code, _, _ = self.spard.request("GET", "/v1/events/3/proof", token=None)
        self.assertEqual(code, 401)

    def test_the_live_store_verifies(self):
        for i in range(0, 2500, 500):
            self.spard.ingest(events(i, 500))
        self.wait_sth(2500)
        report = self.spard.json("POST", "/v1/integrity/verify")
        self.assertTrue(report["ok"], report["problems"])
        # The 2500 sent, and spard's audit events of the reads above (in the system index only).
        own = report["events"] - 2500
        self.assertGreaterEqual(own, 1)
        self.assertEqual(report["index_entries"], 2500 * 4 + own)  # user, object, system, time
        self.assertGreaterEqual(report["sths_checked"], 1)
        code, _, _ = self.spard.request("POST", "/v1/integrity/verify", token=None)
        self.assertEqual(code, 401)

    def test_a_clean_shutdown_signs_the_final_head(self):
        self.spard.ingest(events(0, 10))
        self.spard.stop()
        with open(os.path.join(self.spard.data_dir, "sth.log")) as f:
            last = json.loads(f.readlines()[-1])
        self.assertEqual(last["tree_size"], 10)
        self.spard.start()
        listed = self.spard.json("GET", "/v1/integrity/sths")["sths"]
        self.assertIn((last["tree_size"], last["root"], last["signature"]),
                      [(s["tree_size"], s["root"], s["signature"]) for s in listed])


if __name__ == "__main__":
    unittest.main()
