"""Per-connection limits: a peer cannot take the listener (connection caps, per-address caps),
a silent connection is closed, and every refusal is counted."""

import socket
import unittest

from spard_harness import Spard, rfc5424, wait_for


def closed_by_server(sock, timeout=30):
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


class LimitsTest(unittest.TestCase):
    def test_connections_per_address_are_capped_and_counted(self):
        with Spard(config_extra="[ingest]\nmax_connections_per_ip = 2\n") as spard:
            a = socket.create_connection(spard.hostport("syslog_tcp"))
            b = socket.create_connection(spard.hostport("syslog_tcp"))
            wait_for(lambda: spard.metrics()[
                'spard_ingest_connections_total{listener="tcp"}'] == 2, what="2 accepted")
            c = socket.create_connection(spard.hostport("syslog_tcp"))
            self.assertTrue(closed_by_server(c))
            self.assertEqual(
                spard.metrics()['spard_ingest_connections_refused_total{listener="tcp"}'], 1)
            # The two allowed connections still work.
            for s, i in ((a, 1), (b, 2)):
                s.sendall((rfc5424("2026-10-05T08:00:00Z", "x", "u", f"o{i}") + "\n").encode())
                s.close()
            spard.wait_count(2)
            c.close()

    def test_a_silent_connection_is_closed_after_the_idle_timeout(self):
        with Spard(config_extra="[ingest]\nidle_timeout_s = 1\n") as spard:
            s = socket.create_connection(spard.hostport("syslog_tcp"))
            # Half a message, then silence: the partial message is kept (in quarantine).
            s.sendall(b"<134>1 2026-10-05T08:00:00Z host app - - [a user=\"u\"")
            self.assertTrue(closed_by_server(s))
            self.assertEqual(
                spard.metrics()['spard_ingest_idle_closed_total{listener="tcp"}'], 1)
            q = spard.json("GET", "/v1/quarantine")["quarantine"]
            self.assertEqual(len(q), 1)
            self.assertTrue(q[0]["raw"].startswith("<134>1 2026-10-05T08:00:00Z host app"))


if __name__ == "__main__":
    unittest.main()
