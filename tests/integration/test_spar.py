"""spar, the command-line client, against a real spard: the answers match the API, paging past
10,000 events, streaming formats, every exit code with its message, a table on a terminal (a
pty with a window size) versus ndjson in a pipe, --follow, and where the token comes from.

Synchronisation is on output with deadlines, never on fixed sleeps.
"""

import csv
import datetime
import fcntl
import io
import json
import os
import pty
import random
import select
import signal
import socket
import struct
import subprocess
import tempfile
import termios
import time
import unittest

from spard_harness import Spard, SPAR_BIN, wait_for, run_on_pty

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../docs")
BULK = 25_000  # more than two pages of 10,000
SYSTEMS = ["procapita", "treserva", "cosmic"]
# Exactly the bulk events: other tests' events have another subject or time, and spard's own
# events (every query is recorded, SPEC §4) have neither this subject nor these days.
BULK_FILTER = {"subject": "19650412-1234", "from": "2026-10-05T00:00:00Z",
               "to": "2026-10-08T00:00:00Z"}
BULK_ARGS = [arg for k, v in BULK_FILTER.items() for arg in (f"--{k}", v)]


def bulk_events():
    rng = random.Random(5)
    for i in range(BULK):
        ts = (f"2026-10-{5 + rng.randrange(3):02d}T{8 + rng.randrange(9):02d}:"
              f"{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z")
        if i % 1000 == 0:
            ts = "2026-10-06T12:00:00Z"  # a run of events at the same instant
        yield {"ts": ts, "system": rng.choice(SYSTEMS), "user": f"user{rng.randrange(8)}",
               "action": rng.choice(["read", "read", "update", "print"]),
               "object": f"rec:{rng.randrange(30)}", "subject": "19650412-1234",
               "outcome": rng.choice(["success", "success", "denied"]), "seq": str(i)}


# Around the end of summer time in Stockholm (2026-10-25 03:00 CEST -> 02:00 CET).
DST_EVENTS = [
    "2026-10-24T21:59:59Z",  # 24th 23:59:59 CEST
    "2026-10-24T22:00:00Z",  # 25th 00:00:00 CEST: local midnight
    "2026-10-25T00:30:00Z",  # 02:30 CEST, the first 02:30
    "2026-10-25T01:30:00Z",  # 02:30 CET, the second
    "2026-10-25T22:59:59Z",  # 25th 23:59:59 CET
    "2026-10-25T23:00:00Z",  # 26th 00:00:00 CET
]


def event(ts, user, **fields):
    e = {"ts": ts, "system": "procapita", "user": user, "action": "read", "object": "rec:1",
         "subject": "20121212-1212", "outcome": "success"}
    e.update(fields)
    return e


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ids_of_ndjson(text):
    return [json.loads(line)["id"] for line in text.splitlines()]


class SparTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spard = Spard().start()
        bulk = list(bulk_events())
        for start in range(0, BULK, 10_000):
            cls.spard.ingest(bulk[start:start + 10_000])
        cls.spard.ingest([event("2026-10-06T09:30:00Z", "sameinstant", seq=str(i))
                          for i in range(60)])
        cls.spard.ingest([event(ts, "dst") for ts in DST_EVENTS])
        cls.total = BULK + 60 + len(DST_EVENTS)
        cls.spard.wait_count(cls.total)
        host, port = cls.spard.hostport("http")
        cls.url = f"http://{host}:{port}"

    @classmethod
    def tearDownClass(cls):
        cls.spard.cleanup()

    # --- running spar ------------------------------------------------------------------------
    def env(self, token=True, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPAR_")}
        env["SPAR_URL"] = self.url
        if token:
            env["SPAR_TOKEN"] = self.spard.token
        env.setdefault("TZ", "Europe/Stockholm")
        env.update(extra)
        return env

    def spar(self, *args, token=True, env=None, cwd=None, timeout=120):
        """Runs spar with stdout and stderr as pipes; returns the CompletedProcess (text)."""
        return subprocess.run([SPAR_BIN, *args], capture_output=True, text=True, timeout=timeout,
                              env=env or self.env(token), cwd=cwd)

    def assert_exit(self, proc, code, stderr_has=None):
        self.assertEqual(proc.returncode, code, f"stdout: {proc.stdout[:500]!r}\n"
                                                f"stderr: {proc.stderr!r}")
        if stderr_has is not None:
            self.assertIn(stderr_has, proc.stderr)
            self.assertTrue(proc.stderr.startswith("spar: "), proc.stderr)
            self.assertEqual(proc.stderr.count("\n"), 1, "one line: " + proc.stderr)

    # --- answers match the API ---------------------------------------------------------------
    def test_events_with_filters_match_the_api_page_by_page(self):
        for filters in ({"user": "user3"}, {"system": "cosmic", "action": "print"},
                        {"outcome": "denied", "from": "2026-10-06T00:00:00Z",
                         "to": "2026-10-06T12:00:00Z"}):
            with self.subTest(filters=filters):
                args = ["events", "--all"]
                for k, v in filters.items():
                    args += [f"--{k}", v]
                proc = self.spar(*args)
                self.assert_exit(proc, 0)
                want = [e["id"] for e in self.spard.events(limit=10_000, **filters)]
                self.assertGreater(len(want), 100)
                self.assertEqual(ids_of_ndjson(proc.stdout), want)

    def test_count_matches_the_api(self):
        proc = self.spar("count", "--system", "treserva")
        self.assert_exit(proc, 0)
        self.assertEqual(proc.stdout, f"{self.spard.count(system='treserva')}\n")
        proc = self.spar("count", "--format", "json", *BULK_ARGS)
        self.assertEqual(json.loads(proc.stdout), {"count": BULK})

    def test_local_dates_follow_dst_in_stockholm(self):
        def stamps(*args, tz="Europe/Stockholm"):
            proc = self.spar("events", "--user", "dst", "--all", *args, env=self.env(TZ=tz))
            self.assertIn(proc.returncode, (0, 1), proc.stderr)
            return [json.loads(line)["ts"] for line in proc.stdout.splitlines()]
        # The 25th in Stockholm is 25 hours long: 22:00Z on the 24th to 23:00Z on the 25th.
        self.assertEqual(stamps("--from", "2026-10-25", "--to", "2026-10-26"), DST_EVENTS[1:5])
        # The same dates in UTC are another set of events.
        self.assertEqual(stamps("--from", "2026-10-25", "--to", "2026-10-26", tz="UTC"),
                         DST_EVENTS[2:6])
        # 02:30 to 03:00 local spans both 02:30s: the repeated hour is two hours long.
        self.assertEqual(stamps("--from", "2026-10-25T02:30", "--to", "2026-10-25T03:00"),
                         DST_EVENTS[2:4])
        # An offset is taken as given, whatever the zone.
        self.assertEqual(stamps("--from", "2026-10-25T01:30:00Z", "--to", "2026-10-25T23:00:00Z"),
                         DST_EVENTS[3:5])

    def test_since_counts_back_from_now(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        recent = event(now.isoformat().replace("+00:00", "Z"), "sinceuser")
        old = event((now - datetime.timedelta(hours=3)).isoformat().replace("+00:00", "Z"),
                    "sinceuser")
        self.spard.ingest([recent, old])
        self.spard.wait_count(2, user="sinceuser")
        self.assertEqual(self.spar("count", "--user", "sinceuser", "--since", "1h").stdout, "1\n")
        self.assertEqual(self.spar("count", "--user", "sinceuser", "--since", "4h").stdout, "2\n")

    def first_events(self, n, **filters):
        """The first n events of a question: one page of the API."""
        return self.spard.json("GET", "/v1/events", {**filters, "limit": n})["events"]

    # --- paging and streaming ----------------------------------------------------------------
    def test_limit_beyond_one_page_pages_with_the_cursor(self):
        proc = self.spar("-v", "events", "--limit", "15000", *BULK_ARGS)
        self.assert_exit(proc, 0)
        got = ids_of_ndjson(proc.stdout)
        want = [e["id"] for e in self.spard.events(limit=10_000, **BULK_FILTER)][:15_000]
        self.assertEqual(got, want)
        requests = [l for l in proc.stderr.splitlines() if "GET /v1/events?" in l]
        self.assertIn("&limit=10000&format=ndjson", requests[0])
        self.assertTrue(any("limit=5000&format=ndjson&cursor=" in r for r in requests), requests)
        self.assertIn("stopped at --limit 15000; more events match", proc.stderr)

    def test_all_newest_first(self):
        proc = self.spar("events", "--all", "--order", "desc", *BULK_ARGS)
        self.assert_exit(proc, 0)
        got = ids_of_ndjson(proc.stdout)
        want = [e["id"] for e in self.spard.events(limit=10_000, **BULK_FILTER)]
        self.assertEqual(got, list(reversed(want)))
        self.assertEqual(len(got), BULK)

    def test_events_at_one_instant_across_small_pages(self):
        want = [e["id"] for e in self.spard.events(user="sameinstant")]
        self.assertEqual(len(want), 60)
        for order in ("asc", "desc"):
            proc = self.spar("--page-size", "7", "events", "--user", "sameinstant", "--all",
                             "--order", order)
            self.assert_exit(proc, 0)
            self.assertEqual(ids_of_ndjson(proc.stdout),
                             want if order == "asc" else list(reversed(want)))

    def test_ndjson_and_csv_are_the_servers_bytes_streamed(self):
        baseline = self.idle_memory()
        total = BULK
        # The first page is byte for byte what the API streams for the same question.
        for fmt in ("ndjson", "csv"):
            with self.subTest(format=fmt):
                status, _, page = self.spard.request(
                    "GET", "/v1/events", {**BULK_FILTER, "limit": 10_000, "format": fmt})
                self.assertEqual(status, 200)
                proc = subprocess.Popen([SPAR_BIN, "events", "--all", "--format", fmt,
                                         *BULK_ARGS],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=self.env())
                with proc:
                    out, peak = self.read_watching_memory(proc)
                    err = proc.stderr.read()
                self.assertEqual(proc.returncode, 0, err)
                self.assertTrue(out.startswith(page), "first page differs from the API's")
                if fmt == "csv":
                    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
                    self.assertEqual(rows[0][:3], ["id", "ts", "received"])
                    self.assertEqual(len(rows) - 1, total)  # one header, every event
                    self.assertEqual(out.count(b"id,ts,received"), 1)
                else:
                    self.assertEqual(len(out.splitlines()), total)
                    # Streamed: spar's memory does not grow with the answer (~17 MB here).
                    self.assertGreater(len(out), 10_000_000)
                    self.assertLess(peak - baseline, 6_000_000, (peak, baseline))
                    print(f"\n  spar streamed {len(out)} bytes; peak RSS {peak >> 10} KiB, "
                          f"idle {baseline >> 10} KiB", end=" ")

    def idle_memory(self):
        """Peak RSS of a spar that has connected and asked once: the cost of being spar."""
        proc = subprocess.Popen([SPAR_BIN, "-v", "events", "--follow", "--user", "nobody",
                                 "--interval", "100ms"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env())
        try:
            self.assertIn("GET /v1/events", self.read_line(proc.stderr, deadline=30))
            return self.peak_rss(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=30)

    @staticmethod
    def peak_rss(pid):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError):
            pass
        return 0

    def read_watching_memory(self, proc):
        """Reads proc's stdout to the end, sampling its peak RSS (VmHWM) as it goes."""
        chunks, peak = [], 0
        while True:
            data = proc.stdout.read1(1 << 16)
            if not data:
                break
            chunks.append(data)
            peak = max(peak, self.peak_rss(proc.pid))
        return b"".join(chunks), peak

    def test_json_is_one_document(self):
        proc = self.spar("events", "--format", "json", "--limit", "12000", *BULK_ARGS)
        self.assert_exit(proc, 0)
        doc = json.loads(proc.stdout)
        self.assertEqual(len(doc["events"]), 12_000)
        self.assertTrue(doc["more"])
        self.assertEqual([e["id"] for e in doc["events"]][:10],
                         [e["id"] for e in self.first_events(10, **BULK_FILTER)])

    # --- exit codes --------------------------------------------------------------------------
    def test_exit_codes(self):
        self.assert_exit(self.spar("count", "--user", "user1"), 0)
        # 1: nothing matched, for events and count; nothing on stderr.
        proc = self.spar("events", "--user", "nobody")
        self.assert_exit(proc, 1)
        self.assertEqual((proc.stdout, proc.stderr), ("", ""))
        proc = self.spar("count", "--user", "nobody")
        self.assert_exit(proc, 1)
        self.assertEqual(proc.stdout, "0\n")
        # 2: usage, from spar itself or from the server (400, with its message).
        self.assert_exit(self.spar("events", "--bogus"), 2)
        self.assert_exit(self.spar("events", "--from", "2026-02-30"), 2, "--from: '2026-02-30'")
        self.assert_exit(self.spar("count", "--since", "7"), 2, "--since: '7'")
        self.assert_exit(self.spar("events", "--from", "2026-10-02", "--to", "2026-10-01"), 2,
                         "spard refused the query (400): from: must be before to")
        self.assert_exit(self.spar("--url", "https://127.0.0.1", "count"), 2,
                         "https is not supported")
        # 3: server and authentication.
        port = free_port()
        self.assert_exit(self.spar("--url", f"http://127.0.0.1:{port}", "count"), 3,
                         f"cannot connect to http://127.0.0.1:{port}: is spard running? "
                         "(start it with make run)")
        self.assert_exit(self.spar("--token", "wrong", "count"), 3,
                         "the token from --token was refused (401)")
        self.assert_exit(self.spar("count", env=self.env(SPAR_TOKEN="wrong")), 3,
                         "pass a valid one with --token or SPAR_TOKEN")

    def test_a_role_that_may_not_read_is_refused_with_exit_3(self):
        token = self.spar("token", "create", "--role", "ingest", "--name", "feeder")
        self.assert_exit(token, 0)
        self.assert_exit(self.spar("--token", token.stdout.strip(), "count"), 3,
                         "not allowed (403)")

    # --- tokens ------------------------------------------------------------------------------
    def test_token_create_list_revoke(self):
        made = self.spar("token", "create", "--role", "investigator", "--name", "anna.k",
                         "--systems", "procapita,cosmic", "--expires", "2030-06-30",
                         env=self.env(TZ="Europe/Stockholm"))
        self.assert_exit(made, 0)
        secret = made.stdout.strip()
        self.assertEqual(made.stdout.count("\n"), 1)  # the secret alone on stdout
        self.assertIn("created token anna.k", made.stderr)
        self.assertIn("systems procapita,cosmic", made.stderr)
        self.assert_exit(self.spar("--token", secret, "count", "--system", "procapita"), 0)
        self.assert_exit(self.spar("--token", secret, "count", "--system", "treserva"), 3,
                         "not allowed (403)")

        listed = self.spar("token", "list", "--format", "json")
        self.assert_exit(listed, 0)
        entry = next(t for t in json.loads(listed.stdout)["tokens"] if t["name"] == "anna.k")
        self.assertEqual(entry["systems"], ["procapita", "cosmic"])
        self.assertEqual(entry["role"], "investigator")
        self.assertEqual(entry["expires"], "2030-06-29T22:00:00Z")  # Stockholm midnight (CEST)
        self.assertNotIn(secret, listed.stdout)
        code, out, _ = self.run_on_pty(["token", "list"], 150)
        self.assertEqual(code, 0)
        self.assertIn("anna.k", out)
        self.assertRegex(out, r"\d+ tokens")

        # Same name again: refused, exit 3, saying why.
        self.assert_exit(self.spar("token", "create", "--role", "reviewer", "--name", "anna.k"),
                         3, "a token named anna.k exists")
        self.assert_exit(self.spar("token", "create", "--role", "chief"), 2)

        self.assert_exit(self.spar("token", "revoke", "anna.k"), 0, "revoked token anna.k")
        self.assert_exit(self.spar("--token", secret, "count"), 3, "was refused (401)")
        self.assert_exit(self.spar("token", "revoke", "anna.k"), 3, "no token has the id or name")

        unnamed = self.spar("token", "create", "--role", "reviewer", "--format", "json")
        self.assert_exit(unnamed, 0)
        self.assertRegex(json.loads(unnamed.stdout)["name"], r"^reviewer-[0-9a-f]{8}$")

    # --- a terminal versus a pipe ------------------------------------------------------------
    def run_on_pty(self, args, columns, env=None):
        """Runs spar with stdout on a pty of `columns` columns; returns (code, output, stderr)."""
        return run_on_pty([SPAR_BIN, *args], columns, env or self.env())

    def test_a_terminal_gets_an_aligned_table_cut_to_its_width(self):
        code, out, err = self.run_on_pty(["events", "--user", "user2", "--limit", "30"], 100,
                                         env=self.env(NO_COLOR="1"))
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["ts", "system", "user", "action", "object",
                                            "subject", "outcome"])
        self.assertEqual(len(lines), 32)
        self.assertEqual(lines[-1], "30 events (more match: raise --limit, or --all for every one)")
        for line in lines[:-1]:
            self.assertLessEqual(len(line), 100, line)
        # ts in local time (Stockholm, CEST in October): the first event of user2 at +2h.
        first = self.first_events(1, user="user2")[0]
        utc = datetime.datetime.fromisoformat(first["ts"].replace("Z", "+00:00"))
        local = (utc + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
        self.assertTrue(lines[1].startswith(local + "  "), (lines[1], local))
        # Columns line up: each header starts where its values start.
        starts = [lines[0].index(h) for h in ("system", "user")]
        for line in lines[1:-1]:
            self.assertEqual(line[starts[0] - 2:starts[0]], "  ", line)
        self.assertNotIn("\x1b[", out)

    def test_a_narrow_terminal_truncates_with_an_ellipsis(self):
        code, out, _ = self.run_on_pty(["events", "--limit", "5"], 60,
                                       env=self.env(NO_COLOR="", TERM="xterm"))
        self.assertEqual(code, 0)
        rows = out.splitlines()[1:-1]
        self.assertTrue(any("\u2026" in r for r in rows), out)
        plain = [r.replace("\x1b[0m", "").replace("\x1b[31m", "").replace("\x1b[1m", "")
                 for r in out.splitlines()]
        for line in plain[:-1]:
            self.assertLessEqual(len(line), 60, line)
        self.assertIn("\x1b[1m", out)  # a terminal gets color unless NO_COLOR

    def test_a_pipe_gets_ndjson_and_the_same_events(self):
        code, out, _ = self.run_on_pty(["events", "--user", "user5", "--limit", "7"], 200)
        self.assertEqual(code, 0)
        piped = self.spar("events", "--user", "user5", "--limit", "7")
        self.assert_exit(piped, 0)
        lines = piped.stdout.splitlines()
        self.assertEqual(len(lines), 7)
        self.assertEqual(len(out.splitlines()), 9)  # header, 7 rows, total
        for line, row in zip(lines, out.splitlines()[1:8]):
            self.assertIn(json.loads(line)["object"], row)

    # --- follow ------------------------------------------------------------------------------
    def test_follow_prints_an_event_ingested_after_it_started_and_stops_on_ctrl_c(self):
        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        self.spard.ingest([event(before.isoformat().replace("+00:00", "Z"), "follower",
                                 object="rec:old")])
        proc = subprocess.Popen([SPAR_BIN, "events", "--follow", "--user", "follower",
                                 "--interval", "100ms"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env())
        try:
            now = datetime.datetime.now(datetime.timezone.utc)
            self.spard.ingest([event(now.isoformat().replace("+00:00", "Z"), "follower",
                                     object="rec:new")])
            line = self.read_line(proc.stdout, deadline=30)
            self.assertEqual(json.loads(line)["object"], "rec:new")
            # A second one, later, is printed once too.
            self.spard.ingest([event(datetime.datetime.now(datetime.timezone.utc).isoformat()
                                     .replace("+00:00", "Z"), "follower", object="rec:newer")])
            line = self.read_line(proc.stdout, deadline=30)
            self.assertEqual(json.loads(line)["object"], "rec:newer")
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)
            rest = proc.stdout.read().decode()
            err = proc.stderr.read().decode()
            proc.stdout.close()
            proc.stderr.close()
        self.assertEqual(code, 0, err)
        self.assertEqual(rest, "")  # nothing printed twice, the old event never

    def read_line(self, stream, deadline):
        end = time.monotonic() + deadline
        buf = b""
        fd = stream.fileno()
        while not buf.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line within {deadline}s (got {buf!r})")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                b = os.read(fd, 1)
                if not b:
                    raise AssertionError(f"spar ended before a line (got {buf!r})")
                buf += b
        return buf.decode()

    def test_follow_on_a_terminal_shows_a_table_and_its_total_on_ctrl_c(self):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
        proc = subprocess.Popen([SPAR_BIN, "events", "-f", "--user", "ttyfollower",
                                 "--interval", "100ms"], stdout=slave, stderr=subprocess.PIPE,
                                env=self.env(NO_COLOR="1"))
        os.close(slave)
        out = b""

        def read_until(text):
            nonlocal out
            end = time.monotonic() + 30
            while text not in out:
                self.assertLess(time.monotonic(), end, f"waiting for {text!r} in {out!r}")
                ready, _, _ = select.select([master], [], [], 1)
                if ready:
                    out += os.read(master, 65536)
        try:
            read_until(b"outcome")  # the header comes before any event
            now = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
            self.spard.ingest([event(now, "ttyfollower", object="rec:tty")])
            read_until(b"rec:tty")
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)
            proc.stderr.close()
        self.assertEqual(code, 0)
        read_until(b"1 event")
        os.close(master)

    # --- quarantine ----------------------------------------------------------------------------
    def test_quarantine_lists_what_could_not_be_indexed(self):
        self.spard.tcp_send(b"this is not an access event\n")
        wait_for(lambda: self.spard.json("GET", "/v1/quarantine")["quarantine"], timeout=30,
                 what="a quarantined message")
        proc = self.spar("quarantine", "--format", "ndjson")
        self.assert_exit(proc, 0)
        raws = [json.loads(l)["raw"] for l in proc.stdout.splitlines()]
        self.assertIn("this is not an access event", raws)
        proc = self.spar("quarantine", "--format", "csv")
        rows = list(csv.reader(io.StringIO(proc.stdout, newline="")))
        self.assertEqual(rows[0], ["id", "received", "reason", "listener", "peer", "truncated",
                                   "raw"])
        self.assertIn("this is not an access event", [r[6] for r in rows[1:]])

    # --- the token ---------------------------------------------------------------------------
    def test_token_from_env_file_and_data_dir(self):
        # $SPAR_TOKEN (the default environment of these tests)
        self.assert_exit(self.spar("count", "--user", "user1"), 0)
        with tempfile.TemporaryDirectory() as cwd:
            # Neither --token nor SPAR_TOKEN and no ./var/spard: says where it looked.
            proc = self.spar("count", token=False, cwd=cwd)
            self.assert_exit(proc, 3, "no token: there is no ./var/spard/admin.token")
            # ./var/spard/admin.token in the working directory, as after `make run`.
            os.makedirs(os.path.join(cwd, "var/spard"))
            with open(os.path.join(cwd, "var/spard/admin.token"), "w") as f:
                f.write(self.spard.token + "\n")
            self.assert_exit(self.spar("count", "--user", "user1", token=False, cwd=cwd), 0)
        # --data-dir: spard's own data directory.
        self.assert_exit(self.spar("--data-dir", self.spard.data_dir, "count", "--user", "user1",
                                   token=False), 0)
        # --token wins over a wrong $SPAR_TOKEN.
        self.assert_exit(self.spar("count", "--user", "user1", "--token", self.spard.token,
                                   env=self.env(SPAR_TOKEN="wrong")), 0)

    # --- help and the man page ---------------------------------------------------------------
    def test_help_has_examples_and_the_man_page_matches_it(self):
        for command in ("events", "count", "quarantine"):
            proc = self.spar(command, "--help")
            self.assert_exit(proc, 0)
            self.assertIn("Examples:", proc.stdout)
        proc = self.spar("--generate-man")
        self.assert_exit(proc, 0)
        with open(os.path.join(DOCS, "spar.1")) as f:
            self.assertEqual(proc.stdout, f.read(),
                             "docs/spar.1 is stale: build/spar --generate-man > docs/spar.1")


if __name__ == "__main__":
    unittest.main()
