"""spar import against the real binaries: archived logs in four formats (gzip, zstd, stdin) into
a fresh data directory, then the real spard on it answering for every event field by field; a
second import adding nothing; refusal while spard runs; and SIGKILL in the middle of a big
import (twice, fed through a pipe so that it cannot have finished), after which a re-run from
the file stores exactly every event once.

Synchronisation is on observable conditions with deadlines (the progress line on a pty, a
process's exit), never on fixed sleeps.
"""

import datetime
import fcntl
import gzip
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import threading
import time
import unittest
import zoneinfo

from spard_harness import Spard, SPAR_BIN, wait_for

ZONE = "Europe/Stockholm"
SUBJECT = "196504121234"


def spar(*args, stdin=None, config=None):
    cmd = [SPAR_BIN, "import"] + (["--config", config] if config else []) + list(args)
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=600)


def ndjson(stdout):
    return [json.loads(line) for line in stdout.decode().splitlines()]


def rfc3164_stamp(local):
    """'Oct  5 08:17:00' as BSD syslog writes it (day padded with a space)."""
    return f"{local.strftime('%b')} {local.day:2d} {local.strftime('%H:%M:%S')}"


def bulk(prefix, n, system, start=0):
    """n RFC 5424 and JSON lines with unique objects and a seq attribute."""
    lines = []
    for i in range(start, start + n):
        ts = f"2026-10-{6 + i % 20:02d}T{8 + i % 9:02d}:{i % 60:02d}:{(i // 60) % 60:02d}.{i % 1000:03d}Z"
        if i % 2:
            lines.append(json.dumps({"ts": ts, "system": system, "user": f"{prefix}{i % 10}",
                                     "action": "read", "object": f"{prefix}:{i}",
                                     "seq": str(i)}))
        else:
            lines.append(f'<134>1 {ts} host {system} - - [access@53000 user="{prefix}{i % 10}" '
                         f'action="read" object="{prefix}:{i}" seq="{i}"]')
    return lines


class ImportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="spar-import-it-")
        self.data = os.path.join(self.dir, "data")
        self.config = os.path.join(self.dir, "import.toml")
        with open(self.config, "w") as f:
            f.write(f'[storage]\ndata_dir = "{self.data}"\n'
                    f'[ingest]\nrfc3164_timezone = "{ZONE}"\n'
                    "[index]\nsegment_max_events = 2000\n")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_mixed_formats_are_stored_like_live_events_and_once(self):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        bsd_local = (now - datetime.timedelta(hours=1)).astimezone(zoneinfo.ZoneInfo(ZONE))
        special = [
            '<134>1 2026-10-05T08:15:00.123Z app01 procapita 42 access [access@53000 '
            'user="anna.a" action="read" object="procapita:000123" subject="19650412-1234" '
            'outcome="success" client_ip="10.0.0.7" unit="Barn och unga"] opened the case',
            f"<38>{rfc3164_stamp(bsd_local)} host1 lifecare: user=bo.b action=print "
            "object=lifecare:77 subject=650412-1234 outcome=denied",
            "CEF:0|Cambio|Cosmic|3.1|100|Journal read|3|rt=1790000000000 suser=cecilia.c "
            "fname=cosmic:5 duid=196504121234 act=read outcome=success src=10.1.2.3 "
            "dvchost=cosmic-app02",
            json.dumps({"ts": "2026-10-05T08:16:00+02:00", "system": "treserva",
                        "user": "dan.d", "action": "emergency_access", "object": "treserva:9",
                        "subject": "19650412-1234", "outcome": "success", "reason": "akut"}),
            "this line is not a log message",
            json.dumps({"ts": "2026-10-05T09:00:00Z", "user": "erik.e", "object": "edlevo:1",
                        "action": "read"}),
        ]
        lines = bulk("b", 1000, "bulksys")
        lines[500:500] = special  # in the middle of the file
        gz = os.path.join(self.dir, "archive.log.gz")
        with gzip.open(gz, "wb") as f:
            f.write(("\n".join(lines) + "\n").encode())

        r = spar(gz, "--system", "edlevo", "--format", "ndjson", config=self.config)
        self.assertEqual(r.returncode, 0, r.stderr)
        first, summary = ndjson(r.stdout)
        self.assertEqual((first["input"], first["outcome"], first["compression"]),
                         (gz, "imported", "gzip"))
        self.assertEqual((first["events"], first["quarantined"]), (1005, 1))
        self.assertEqual((summary["events"], summary["quarantined"]), (1005, 1))
        self.assertEqual(os.stat(self.data).st_mode & 0o777, 0o700)

        # Again, under another name and unpacked: nothing is added.
        r = spar(gz, "--format", "ndjson", config=self.config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(ndjson(r.stdout)[0]["outcome"], "already imported")
        plain = os.path.join(self.dir, "unpacked.log")
        with gzip.open(gz) as src, open(plain, "wb") as dst:
            dst.write(src.read())
        r = spar("--format", "table", plain, config=self.config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"already imported (1,005 events, 1 quarantined); nothing added", r.stdout)

        # zstd, and gzip through a pipe.
        zst = os.path.join(self.dir, "more.zst")
        subprocess.run(["zstd", "-q", "-o", zst], input=("\n".join(bulk("z", 300, "zsys")) +
                                                         "\n").encode(), check=True)
        r = spar(zst, "--format", "ndjson", config=self.config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(ndjson(r.stdout)[0]["compression"], "zstd")
        piped = gzip.compress(("\n".join(bulk("p", 200, "pipesys")) + "\n").encode())
        r = spar("-", "--format", "ndjson", stdin=piped, config=self.config)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(ndjson(r.stdout)[0]["events"], 200)

        spard = Spard(data_dir=self.data).start()
        try:
            # Refused while spard holds the directory, with what to do.
            r = spar(plain, config=self.config)
            self.assertEqual(r.returncode, 3)
            self.assertEqual(r.stderr.decode(),
                             f"spar: cannot import into {self.data}: another process has it "
                             "open (a running spard?); stop spard first, spar import works "
                             "offline\n")

            def one(**filters):
                events = spard.events(**filters)
                self.assertEqual(len(events), 1, (filters, events))
                e = events[0]
                self.assertEqual(e["source"], {"listener": "import", "peer": gz})
                return e

            e = one(user="anna.a")
            self.assertEqual(
                {k: e[k] for k in ("ts", "system", "user", "action", "object", "subject",
                                   "outcome", "client_ip", "host", "reason", "format", "raw")},
                {"ts": "2026-10-05T08:15:00.123Z", "system": "procapita", "user": "anna.a",
                 "action": "read", "object": "procapita:000123", "subject": "19650412-1234",
                 "outcome": "success", "client_ip": "10.0.0.7", "host": "app01",
                 "reason": None, "format": "rfc5424", "raw": special[0]})
            self.assertEqual(e["attrs"]["unit"], "Barn och unga")

            e = one(user="bo.b")
            bsd_utc = bsd_local.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.assertEqual((e["ts"], e["system"], e["host"], e["action"], e["object"],
                              e["subject"], e["outcome"], e["format"]),
                             (bsd_utc, "lifecare", "host1", "print", "lifecare:77",
                              "650412-1234", "denied", "rfc3164"))

            e = one(user="cecilia.c")
            self.assertEqual((e["ts"], e["system"], e["host"], e["action"], e["object"],
                              e["subject"], e["outcome"], e["client_ip"], e["format"]),
                             ("2026-09-21T14:13:20Z", "Cosmic", "cosmic-app02", "read",
                              "cosmic:5", "196504121234", "success", "10.1.2.3", "cef"))

            e = one(user="dan.d")
            self.assertEqual((e["ts"], e["system"], e["action"], e["object"], e["reason"],
                              e["format"]),
                             ("2026-10-05T06:16:00Z", "treserva", "emergency_access",
                              "treserva:9", "akut", "json"))

            e = one(user="erik.e")
            self.assertEqual(e["system"], "edlevo")  # --system: the message named none

            # Indexed: by object (with and without its system), by subject in any form.
            self.assertEqual(one(object="cosmic:5")["user"], "cecilia.c")
            self.assertEqual(one(object="procapita:000123", system="procapita")["user"],
                             "anna.a")
            by_subject = {e["user"] for e in spard.events(subject="19650412-1234")}
            self.assertEqual(by_subject, {"anna.a", "bo.b", "cecilia.c", "dan.d"})
            self.assertEqual(spard.count(subject="650412-1234"), 4)

            # Every event once.
            self.assertEqual(spard.count(system="bulksys"), 1000)
            self.assertEqual(spard.count(system="zsys"), 300)
            self.assertEqual(spard.count(system="pipesys"), 200)
            seqs = [e["attrs"]["seq"] for e in spard.events(system="bulksys", limit=10000)]
            self.assertEqual(sorted(seqs, key=int), [str(i) for i in range(1000)])

            q = spard.json("GET", "/v1/quarantine")["quarantine"]
            self.assertEqual([(x["raw"], x["reason"], x["source"]) for x in q],
                             [("this line is not a log message", "unsupported format",
                               {"listener": "import", "peer": gz})])
            # The hash tree and every index entry check out against the events.
            report = spard.json("POST", "/v1/integrity/verify")
            self.assertEqual((report["ok"], report["problems"]), (True, []))
            self.assertGreaterEqual(report["events"], 1505)
        finally:
            spard.cleanup()

    def run_until_killed(self, data, at_least):
        """Runs `spar import -` with its progress on a pty, feeds it `data` through a pipe that
        stays open (so it cannot finish), and SIGKILLs it once the progress line says at least
        `at_least` events are stored by this run."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
        proc = subprocess.Popen([SPAR_BIN, "import", "--config", self.config, "--batch", "500",
                                 "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=slave)
        os.close(slave)

        def feed():
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass  # killed before it read everything

        feeder = threading.Thread(target=feed)
        feeder.start()
        seen, buf = 0, b""
        deadline = time.monotonic() + 600
        try:
            while seen < at_least:
                self.assertIsNone(proc.poll(), "spar import ended before it could be killed")
                self.assertLess(time.monotonic(), deadline, "no progress")
                ready, _, _ = select.select([master], [], [], 1)
                if not ready:
                    continue
                buf = (buf + os.read(master, 65536))[-4096:]
                counts = re.findall(rb"([\d,]+) events?  [\d,]+ quarantined", buf)
                if counts:
                    seen = int(counts[-1].replace(b",", b""))
            proc.send_signal(signal.SIGKILL)
            self.assertEqual(proc.wait(60), -signal.SIGKILL)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            feeder.join()
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
            os.close(master)
        return seen

    def test_sigkill_mid_import_then_rerun_stores_every_event_once(self):
        n = 60_000
        lines = bulk("k", n, "crashsys")
        for i in range(999, n, 1000):
            lines[i] = f"bad line {i}"  # 60 quarantined
        text = ("\n".join(lines) + "\n").encode()
        path = os.path.join(self.dir, "big.log")
        with open(path, "wb") as f:
            f.write(text)
        # Through a pipe that never ends, so the kill always lands mid-import: half the events
        # fed, killed once 20,000 are stored (several index segments: flushed to disk).
        cut = text.index(b"\n", len(text) // 2) + 1
        self.run_until_killed(text[:cut], 20_000)
        # The second run re-reads what the first left on disk, goes on, and is killed in turn.
        cut = text.index(b"\n", len(text) * 3 // 4) + 1
        self.run_until_killed(text[:cut], 5_000)
        # The file itself: the same content, so the same input; it completes.
        r = spar(path, "--format", "ndjson", config=self.config)
        self.assertEqual(r.returncode, 0, r.stderr)
        result = ndjson(r.stdout)[0]
        self.assertEqual(result["outcome"], "imported")
        self.assertGreater(result["resumed_at"], len(text) // 8, "too little survived the kills")
        self.assertEqual((result["total_events"], result["total_quarantined"]), (n - 60, 60))
        r = spar(path, "--format", "ndjson", config=self.config)
        self.assertEqual(ndjson(r.stdout)[0]["outcome"], "already imported")

        spard = Spard(data_dir=self.data).start()
        try:
            self.assertEqual(spard.count(system="crashsys"), n - 60)
            seqs = [e["attrs"]["seq"] for e in spard.events(system="crashsys", limit=10000)]
            expected = [str(i) for i in range(n) if i % 1000 != 999]
            self.assertEqual(len(seqs), len(set(seqs)), "duplicates")
            self.assertEqual(sorted(seqs, key=int), expected)
            quarantined, after = [], None
            while True:
                page = spard.json("GET", "/v1/quarantine",
                                  {"limit": 1000, **({"after": after} if after else {})})
                quarantined += [x["raw"] for x in page["quarantine"]]
                if page["next_after"] is None:
                    break
                after = page["next_after"]
            self.assertEqual(sorted(quarantined),
                             sorted(f"bad line {i}" for i in range(999, n, 1000)))
            report = spard.json("POST", "/v1/integrity/verify")
            self.assertEqual((report["ok"], report["problems"]), (True, []))
        finally:
            spard.cleanup()


if __name__ == "__main__":
    unittest.main()
