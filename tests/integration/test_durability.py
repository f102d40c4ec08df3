"""Nothing acknowledged, and nothing read before a clean shutdown, is ever lost (SPEC §6)."""

import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
import unittest

from spard_harness import Spard, rfc5424, wait_for

# Small segments so that index segments are sealed, built and ingested during the tests.
SMALL_SEGMENTS = "[index]\nsegment_max_events = 500\n"


def event(i, tag):
    return {"ts": f"2026-10-05T08:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
            "system": "procapita", "user": f"u{i % 13}", "action": "read",
            "object": f"{tag}:{i}", "subject": "19650412-1234", "seq": str(i)}


class KillNineTest(unittest.TestCase):
    def test_every_acknowledged_event_survives_kill_9(self):
        spard = Spard(config_extra=SMALL_SEGMENTS).start()
        try:
            acked = []  # seq numbers the server acknowledged
            stop = threading.Event()
            errors = []

            def client(worker):
                # Its own connection: acks are per request, so each worker tracks its own.
                local = Spard(data_dir=spard.data_dir)
                local.addr, local.token = spard.addr, spard.token
                i = worker * 1_000_000
                while not stop.is_set():
                    batch = [event(i + k, "kill") for k in range(50)]
                    try:
                        r = local.ingest(batch)
                    except Exception:  # the kill lands mid-request: not acknowledged
                        return
                    if r["accepted"] != 50:
                        errors.append(r)
                        return
                    acked.extend(e["seq"] for e in batch)
                    i += 50

            threads = [threading.Thread(target=client, args=(w,)) for w in range(3)]
            for t in threads:
                t.start()
            wait_for(lambda: len(acked) >= 3000, timeout=120, what="3000 acked events")
            spard.kill9()
            stop.set()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            spard.start()
            stored = {e["attrs"]["seq"] for e in spard.events(limit=10000, action="read")}
            missing = set(acked) - stored
            self.assertEqual(missing, set(), f"{len(missing)} acknowledged events lost")
            # The indexes agree after recovery: every acked event is found by its object.
            for seq in random.Random(1).sample(acked, 50):
                self.assertEqual(spard.count(object=f"kill:{seq}"), 1)
        finally:
            spard.cleanup()


class CleanShutdownTest(unittest.TestCase):
    def test_sigterm_while_a_client_sends_stores_everything_read(self):
        spard = Spard(config_extra=SMALL_SEGMENTS).start()
        try:
            sock = socket.create_connection(spard.hostport("syslog_tcp"))
            sent = [0]
            done = threading.Event()

            def sender():
                try:
                    i = 0
                    while True:
                        msg = rfc5424(f"2026-10-05T09:00:00.{i % 1000000:06d}Z", "treserva",
                                      f"u{i % 7}", f"obj:{i}", extra={"seq": str(i)})
                        sock.sendall(msg.encode() + b"\n")
                        i += 1
                        sent[0] = i
                except OSError:
                    pass
                finally:
                    done.set()

            t = threading.Thread(target=sender)
            t.start()
            wait_for(lambda: sent[0] > 5000, timeout=60, what="5000 messages sent")
            self.assertEqual(spard.stop(signal.SIGTERM), 0, spard.read_log())
            done.wait(30)
            sock.close()
            t.join()
            log = spard.read_log()
            self.assertIn("stopped cleanly", log)

            spard.start()
            stored = [int(e["attrs"]["seq"]) for e in spard.events(limit=10000, system="treserva")]
            quarantined = spard.json("GET", "/v1/quarantine", {"limit": 10000})["quarantine"]
            # What was read is a prefix of what was sent: no gaps, no duplicates. At most the
            # last message can be cut (read up to the signal), and then it is in quarantine.
            stored.sort()
            self.assertGreater(len(stored), 0)
            self.assertEqual(stored, list(range(len(stored))), "gap or duplicate")
            self.assertLessEqual(len(quarantined), 1, quarantined)
            if quarantined:
                cut = quarantined[0]["raw"]
                full = rfc5424(f"2026-10-05T09:00:00.{len(stored) % 1000000:06d}Z", "treserva",
                               f"u{len(stored) % 7}", f"obj:{len(stored)}",
                               extra={"seq": str(len(stored))})
                self.assertTrue(full.startswith(cut), (cut, full))
            # And every stored event is indexed.
            self.assertEqual(spard.count(system="treserva"), len(stored))
        finally:
            spard.cleanup()

    def test_sigint_and_sigterm_exit_zero_and_remove_listen_json(self):
        spard = Spard().start()
        try:
            spard.ingest([event(1, "x")])
            self.assertEqual(spard.stop(signal.SIGINT), 0)
            self.assertFalse(os.path.exists(os.path.join(spard.data_dir, "listen.json")))
            spard.start()
            self.assertEqual(spard.count(), 1)
            self.assertEqual(spard.stop(signal.SIGTERM), 0)
        finally:
            spard.cleanup()


class StartupTest(unittest.TestCase):
    def test_admin_token_is_private_and_stable(self):
        spard = Spard().start()
        try:
            path = os.path.join(spard.data_dir, "admin.token")
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            self.assertEqual(os.stat(spard.data_dir).st_mode & 0o777, 0o700)
            token = spard.token
            self.assertNotIn(token, spard.read_log())
            spard.stop()
            spard.start()
            self.assertEqual(spard.token, token)
            self.assertEqual(spard.count(), 0)
        finally:
            spard.cleanup()

    def test_listen_json_names_every_listener_that_is_on(self):
        spard = Spard(listen={"syslog_tcp": "127.0.0.1:0", "syslog_udp": "",
                              "http": "127.0.0.1:0", "relp": "", "syslog_tls": ""}).start()
        try:
            self.assertEqual(sorted(spard.addr), ["http", "syslog_tcp"])
            for v in spard.addr.values():
                self.assertTrue(v.startswith("127.0.0.1:") and not v.endswith(":0"), v)
        finally:
            spard.cleanup()

    def test_second_daemon_on_the_same_data_dir_is_refused(self):
        first = Spard().start()
        second = Spard(data_dir=first.data_dir)
        try:
            with self.assertRaises(AssertionError) as ctx:
                second.start(timeout=20)
            self.assertIn("in use", str(ctx.exception))
            # The first daemon is unaffected, its listen.json included.
            self.assertEqual(first.count(), 0)
            self.assertTrue(os.path.exists(os.path.join(first.data_dir, "listen.json")))
        finally:
            second.cleanup()
            first.cleanup()

    def test_config_errors_name_key_and_line(self):
        spard = Spard(config_extra="[ingest]\nqueue_max_mb = 0\n")
        bad_line = spard.config_text().splitlines().index("queue_max_mb = 0") + 1
        with self.assertRaises(AssertionError) as ctx:
            spard.start(timeout=20)
        self.assertIn("ingest.queue_max_mb", str(ctx.exception))
        self.assertIn(f"spard.toml:{bad_line}:", str(ctx.exception))
        spard.cleanup()

    def test_print_default_config_is_a_valid_config(self):
        from spard_harness import SPARD_BIN
        text = subprocess.run([SPARD_BIN, "--print-default-config"], check=True,
                              capture_output=True, text=True).stdout
        self.assertIn("[listen]", text)
        self.assertIn('syslog_tcp = "127.0.0.1:5514"', text)
        spard = Spard()
        try:
            # The default config with our own ports and data dir must start.
            body = text.replace('"127.0.0.1:5514"', '"127.0.0.1:0"').replace(
                '"127.0.0.1:8514"', '"127.0.0.1:0"').replace('"127.0.0.1:20514"', '""')
            body = body.replace('data_dir = "./var/spard"', f'data_dir = "{spard.data_dir}"')
            spard.config_text = lambda: body
            spard.start()
            self.assertIn("syslog_tcp", spard.addr)
            self.assertEqual(spard.stop(), 0)
            # Its commented [[mapping]] example, uncommented, is a mapping spard takes.
            at = body.index("# [[mapping]]\n")
            example = "".join(line[2:] + "\n" for line in body[at:].splitlines())
            spard.config_text = lambda: body[:at] + example
            spard.start()
            self.assertIn("mapping procapita-journal", spard.read_log())
        finally:
            spard.cleanup()


if __name__ == "__main__":
    unittest.main()
