"""Real syslog clients against the real spard: util-linux logger in each of its framings and
transports, Python's logging.handlers.SysLogHandler over UDP and TCP, and rsyslog's omfwd over
plain TCP. Every event they send arrives, mapped field by field."""

import logging
import logging.handlers
import os
import shutil
import socket
import subprocess
import tempfile
import unittest
import uuid

from rsyslog_harness import Rsyslog
from spard_harness import Spard, wait_for

LOGGER = shutil.which("logger")


class ClientsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spard = Spard().start()

    @classmethod
    def tearDownClass(cls):
        cls.spard.cleanup()

    def arrived(self, n, **filters):
        self.spard.wait_count(n, **filters)
        events = self.spard.events(**filters)
        self.assertEqual(len(events), n, filters)
        return events

    def logger(self, transport, *args):
        host, port = self.spard.hostport("syslog_tcp" if transport == "--tcp" else "syslog_udp")
        subprocess.run([LOGGER, transport, "-n", host, "-P", str(port), *args], check=True,
                       timeout=30)

    @unittest.skipIf(LOGGER is None, "util-linux logger is not installed")
    def test_logger_rfc5424_with_structured_data_over_tcp_udp_and_octet_counting(self):
        run = uuid.uuid4().hex[:8]
        for i, (transport, extra) in enumerate([("--tcp", []), ("--udp", []),
                                                ("--tcp", ["--octet-count"])]):
            self.logger(transport, "--rfc5424", *extra, "-t", "procapita", "-p", "auth.info",
                        "--sd-id", "access@53000", "--sd-param", f'user="anna{run}"',
                        "--sd-param", f'object="journal:{i}"', "--sd-param",
                        'subject="19650412-1234"', "--sd-param", 'action="read"',
                        f"journal {i} opened")
        events = self.arrived(3, user=f"anna{run}")
        self.assertEqual(sorted(e["object"] for e in events), ["journal:0", "journal:1",
                                                               "journal:2"])
        for e in events:
            self.assertEqual(e["system"], "procapita")  # APP-NAME
            self.assertEqual(e["action"], "read")
            self.assertEqual(e["subject"], "19650412-1234")
            self.assertIn("opened", e["raw"])

    @unittest.skipIf(LOGGER is None, "util-linux logger is not installed")
    def test_logger_rfc3164_key_values_over_tcp_and_udp(self):
        run = uuid.uuid4().hex[:8]
        for i, transport in enumerate(["--tcp", "--udp"]):
            self.logger(transport, "--rfc3164", "-t", "treserva",
                        f'user=bo{run} object=case:{i} action=update reason="fixed a typo"')
        events = self.arrived(2, user=f"bo{run}")
        for e in events:
            self.assertEqual(e["system"], "treserva")  # TAG
            self.assertEqual(e["action"], "update")
            self.assertEqual(e["reason"], "fixed a typo")
        self.assertEqual(sorted(e["object"] for e in events), ["case:0", "case:1"])

    def test_python_sysloghandler_over_udp_and_tcp(self):
        run = uuid.uuid4().hex[:8]
        for kind, name in ((socket.SOCK_DGRAM, "syslog_udp"), (socket.SOCK_STREAM, "syslog_tcp")):
            handler = logging.handlers.SysLogHandler(address=self.spard.hostport(name),
                                                     socktype=kind)
            handler.setFormatter(logging.Formatter("lifecare: %(message)s"))
            log = logging.getLogger(f"spard-test-{name}-{run}")
            log.propagate = False
            log.addHandler(handler)
            for i in range(3):
                log.warning("user=cj%s object=%s:%d action=read outcome=success", run, name, i)
            handler.close()
        events = self.arrived(6, user=f"cj{run}")
        self.assertEqual(sorted(e["object"] for e in events),
                         [f"{n}:{i}" for n in ("syslog_tcp", "syslog_udp") for i in range(3)])
        for e in events:
            self.assertEqual(e["system"], "lifecare")
            self.assertEqual(e["outcome"], "success")

    def test_rsyslog_forwards_over_plain_tcp(self):
        host, port = self.spard.hostport("syslog_tcp")
        work = tempfile.mkdtemp(prefix="rsyslog-")
        self.addCleanup(shutil.rmtree, work, True)
        action = (f'type="omfwd" target="{host}" port="{port}" protocol="tcp" '
                  'template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted"')
        rsyslog = Rsyslog(work, action).start()
        self.addCleanup(rsyslog.stop)
        run = uuid.uuid4().hex[:8]
        with socket.create_connection(("127.0.0.1", rsyslog.port)) as s:
            for i in range(200):
                s.sendall((f"<86>Nov 23 10:00:{i % 60:02d} web01 cosmic: user=dd{run} "
                           f"object=rec:{i} subject=121212-1212 action=read\n").encode())
        events = self.arrived(200, user=f"dd{run}")
        self.assertEqual(sorted(int(e["object"].split(":")[1]) for e in events), list(range(200)))
        self.assertEqual({e["system"] for e in events}, {"cosmic"})
        self.assertEqual({e["subject"] for e in events}, {"121212-1212"})


if __name__ == "__main__":
    unittest.main()
