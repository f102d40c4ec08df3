"""Syslog over TLS (RFC 5425): server certificates, mutual TLS with allowed names, reload on
SIGHUP, the minimum version, and rsyslog forwarding over TLS with its gtls driver."""

import os
import signal
import socket
import ssl
import subprocess
import tempfile
import unittest

from rsyslog_harness import Rsyslog
from spard_harness import Spard, octet_frame, rfc5424, wait_for


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Pki:
    """A throwaway CA and certificates made with the openssl command line."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="spard-pki-")
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                "ca.pem", "-days", "2", "-subj", "/CN=spard test CA", cwd=self.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def issue(self, name, cn, san):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", f"/CN={cn}", cwd=self.dir)
        with open(self.path(f"{name}.ext"), "w") as f:
            f.write(f"subjectAltName={san}\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile",
                f"{name}.ext", cwd=self.dir)
        return self.path(f"{name}.pem"), self.path(f"{name}.key")


def tls_config(pki, server="server", extra=""):
    return (f'[tls]\ncert_file = "{pki.path(server + ".pem")}"\n'
            f'key_file = "{pki.path(server + ".key")}"\nca_file = "{pki.path("ca.pem")}"\n' + extra)


def messages(first, n):
    return [rfc5424(f"2026-10-05T11:00:{i % 60:02d}.{i:06d}Z", "lifecare", f"u{i % 5}", f"lc:{i}",
                    extra={"seq": str(i)}) for i in range(first, first + n)]


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = Pki()
        cls.pki.issue("server", "localhost", "DNS:localhost,IP:127.0.0.1")
        cls.pki.issue("server2", "renewed.localhost", "DNS:localhost,IP:127.0.0.1")
        cls.pki.issue("client", "logfwd1.kommun.example", "DNS:logfwd1.kommun.example")
        cls.pki.issue("intruder", "intruder.example", "DNS:intruder.example")

    def start(self, extra=""):
        listen = {"syslog_tcp": "", "syslog_udp": "", "http": "127.0.0.1:0", "relp": "",
                  "syslog_tls": "127.0.0.1:0"}
        self.spard = Spard(listen=listen, config_extra=tls_config(self.pki, extra=extra)).start()
        self.addCleanup(self.spard.cleanup)
        return self.spard

    def client_context(self, cert=None, maximum=None):
        ctx = ssl.create_default_context(cafile=self.pki.path("ca.pem"))
        if cert:
            ctx.load_cert_chain(self.pki.path(cert + ".pem"), self.pki.path(cert + ".key"))
        if maximum:
            ctx.maximum_version = maximum
        return ctx

    def send(self, ctx, msgs):
        raw = socket.create_connection(self.spard.hostport("syslog_tls"))
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"".join(octet_frame(m) for m in msgs))
            peer = s.getpeercert()
            # Close as a careful client does (close_notify), not with a reset.
            s.unwrap()
        return peer

    def test_octet_counted_syslog_over_tls_is_stored(self):
        spard = self.start()
        self.assertIn("syslog_tls", spard.addr)
        self.send(self.client_context(), messages(0, 200))
        spard.wait_count(200)
        e = spard.events(limit=1, object="lc:7")[0]
        self.assertEqual(e["source"]["listener"], "tls")
        self.assertEqual(e["user"], "u2")

    def test_mutual_tls_allows_only_named_clients(self):
        spard = self.start('verify_client = true\nallowed_client_names = "logfwd1.kommun.example"\n')
        self.send(self.client_context("client"), messages(0, 10))
        spard.wait_count(10)
        for cert in (None, "intruder"):
            with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
                # The handshake (or the first read after it, with TLS 1.3) is refused.
                raw = socket.create_connection(spard.hostport("syslog_tls"))
                with self.client_context(cert).wrap_socket(raw, server_hostname="localhost") as s:
                    s.sendall(b"".join(octet_frame(m) for m in messages(100, 5)))
                    s.settimeout(10)
                    s.recv(1)
        wait_for(lambda: spard.metrics().get(
            'spard_ingest_tls_handshake_failures_total{listener="tls"}', 0) >= 2,
            what="two failed handshakes counted")
        self.assertEqual(spard.count(), 10)

    def test_sighup_reloads_the_certificate(self):
        spard = self.start()
        cn = dict(x[0] for x in self.send(self.client_context(), [])["subject"])["commonName"]
        self.assertEqual(cn, "localhost")
        # Renew: new files in place, then SIGHUP.
        for ext in ("pem", "key"):
            os.replace(self.pki.path(f"server.{ext}"), self.pki.path(f"server.{ext}.old"))
            with open(self.pki.path(f"server2.{ext}"), "rb") as src, \
                    open(self.pki.path(f"server.{ext}"), "wb") as dst:
                dst.write(src.read())
        try:
            spard.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "TLS certificate, key and CA reloaded" in spard.read_log(),
                     what="the reload to be logged")
            cn = dict(x[0] for x in self.send(self.client_context(), [])["subject"])["commonName"]
            self.assertEqual(cn, "renewed.localhost")
        finally:
            for ext in ("pem", "key"):
                os.replace(self.pki.path(f"server.{ext}.old"), self.pki.path(f"server.{ext}"))

    def test_minimum_version(self):
        spard = self.start('min_version = "1.3"\n')
        with self.assertRaises(ssl.SSLError):
            self.send(self.client_context(maximum=ssl.TLSVersion.TLSv1_2), messages(0, 1))
        self.send(self.client_context(), messages(0, 1))
        spard.wait_count(1)

    def test_a_bad_certificate_path_stops_start_up_naming_the_key(self):
        listen = {"syslog_tcp": "", "syslog_udp": "", "http": "127.0.0.1:0", "relp": "",
                  "syslog_tls": "127.0.0.1:0"}
        spard = Spard(listen=listen, config_extra='[tls]\ncert_file = "/nonexistent/cert.pem"\n')
        self.addCleanup(spard.cleanup)
        with self.assertRaises(AssertionError) as ctx:
            spard.start(timeout=20)
        self.assertIn("tls.cert_file", str(ctx.exception))

    def test_rsyslog_forwards_over_tls(self):
        spard = self.start()
        _, port = spard.hostport("syslog_tls")
        rs_dir = os.path.join(spard.root, "rsyslog")
        action = (f'type="omfwd" target="127.0.0.1" port="{port}" protocol="tcp" '
                  'template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted" '
                  'StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" '
                  'StreamDriverPermittedPeers="localhost"')
        rs = Rsyslog(rs_dir, action)
        rs.global_extra = (f'defaultNetstreamDriverCAFile="{self.pki.path("ca.pem")}"')
        rs.start()
        self.addCleanup(rs.stop)
        s = socket.create_connection(("127.0.0.1", rs.port))
        s.sendall("".join(m + "\n" for m in messages(0, 500)).encode())
        s.close()
        spard.wait_count(500, timeout=120)
        self.assertEqual(spard.events(limit=1)[0]["source"]["listener"], "tls")


if __name__ == "__main__":
    unittest.main()
