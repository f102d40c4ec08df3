"""The log extract (logguttag) against a real spard and spar: GET /v1/subjects/{subject}/extract
in json, ndjson, csv and html (Swedish and English), every written form of a personnummer, the
period, the per-system settings for user and unit, access control (roles and a token limited to
one system), the audit event, and `spar extract` on a terminal (a pty) and in a pipe with its exit
codes.

Synchronisation is on observable conditions with deadlines, never on fixed sleeps.
"""

import csv
import datetime
import html.parser
import io
import json
import os
import stat
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import zoneinfo

from spard_harness import Spard, SPAR_BIN, wait_for, run_on_pty

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")

CONFIG = """
[extract]
issuer = "Testkommunen"

[extract.systems.procapita]
show_user = true
unit_field = "attrs.vardenhet"

[extract.systems.treserva]
unit = "Socialtjänsten"
"""

A = "196504121234"  # person A, written below in all four forms
B = "191212121212"  # person B, 100 or older: "121212+1212"
C = "201212121212"  # person C: "121212-1212" is C, not B

A_EVENTS = [
    # Ingested out of order: the extract is oldest first.
    {"ts": "2026-10-03T08:00:00Z", "system": "procapita", "user": "anna.a", "action": "read",
     "object": "procapita:1", "subject": "19650412-1234", "vardenhet": "Hemtjänst Norr"},
    {"ts": "2026-10-01T09:00:00Z", "system": "treserva", "user": "bo.b", "action": "print",
     "object": "treserva:7", "subject": "650412-1234", "unit": "IFO Barn"},
    {"ts": "2026-10-02T10:00:00Z", "system": "treserva", "user": "bo.b", "action": "update",
     "object": "treserva:7", "subject": "6504121234"},
    {"ts": "2026-10-04T07:30:00Z", "system": "procapita", "user": "cia.c", "action": "update",
     "object": "procapita:1", "subject": "196504121234", "vardenhet": "Hemtjänst Söder",
     "unit": "not this one"},
    {"ts": "2026-10-06T12:00:00Z", "system": "cosmic", "user": "dan.d", "action": "read",
     "object": "cosmic:3", "subject": "19650412-1234", "unit": "<img src=x onerror=alert(1)>"},
    {"ts": "2026-10-07T12:00:00Z", "system": "cosmic", "user": "dan.d", "action": "export",
     "object": "cosmic:3", "subject": "650412-1234", "unit": "=HYPERLINK(\"http://evil\")"},
    {"ts": "2026-11-05T12:00:00Z", "system": "procapita", "user": "anna.a",
     "action": "emergency_access", "object": "procapita:2", "subject": "650412-1234",
     "vardenhet": "Hemtjänst Norr", "outcome": "denied"},
]
# (unit, user shown or None) per A event, in the order above.
A_EXPECTED = [("Hemtjänst Norr", "anna.a"), ("IFO Barn", None), ("Socialtjänsten", None),
              ("Hemtjänst Söder", "cia.c"), ("<img src=x onerror=alert(1)>", None),
              ("=HYPERLINK(\"http://evil\")", None), ("Hemtjänst Norr", "anna.a")]

OTHER_EVENTS = [
    {"ts": "2026-10-02T11:00:00Z", "system": "procapita", "user": "bertil.b", "action": "read",
     "object": "procapita:9", "subject": "121212+1212", "vardenhet": "Hemtjänst Bortre"},
    {"ts": "2026-10-03T11:00:00Z", "system": "treserva", "user": "bertil.t", "action": "read",
     "object": "treserva:9", "subject": "19121212-1212", "unit": "IFO Bortre"},
    {"ts": "2026-10-04T11:00:00Z", "system": "procapita", "user": "cecilia.c", "action": "read",
     "object": "procapita:8", "subject": "121212-1212", "vardenhet": "Förskolan Cecilia"},
]
OTHER_MARKERS = ["bertil", "Bortre", "cecilia", "Cecilia"]


def local(ts):
    """'2026-10-03T08:00:00Z' as the HTML and the table show it: Stockholm time."""
    utc = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return utc.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S")


class TableText(html.parser.HTMLParser):
    """The text of every <td> row of an HTML document, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self.tags = [], None, None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr":
            if self._row:
                self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def html_rows(text):
    parser = TableText()
    parser.feed(text)
    parser.close()
    return parser


class ExtractTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spard = Spard(config_extra=CONFIG).start()
        cls.spard.ingest(A_EVENTS + OTHER_EVENTS)
        cls.spard.wait_count(len(A_EVENTS), subject=A)
        cls.spard.wait_count(2, subject=B)
        host, port = cls.spard.hostport("http")
        cls.url = f"http://{host}:{port}"
        cls.investigator = cls.create_token("dso", "investigator")
        cls.procapita_only = cls.create_token("dso-procapita", "investigator", ["procapita"])
        cls.feeder = cls.create_token("feeder", "ingest")
        cls.reviewer = cls.create_token("granskare", "reviewer")

    @classmethod
    def tearDownClass(cls):
        cls.spard.cleanup()

    @classmethod
    def create_token(cls, name, role, systems=None):
        body = {"name": name, "role": role}
        if systems:
            body["systems"] = systems
        status, _, data = cls.spard.request("POST", "/v1/tokens", body=json.dumps(body).encode(),
                                            headers={"Content-Type": "application/json"})
        assert status in (200, 201), (status, data)
        return json.loads(data)["token"]

    # --- the API -----------------------------------------------------------------------------
    def extract(self, subject, token="admin", expect=200, **params):
        path = "/v1/subjects/" + urllib.parse.quote(subject, safe="") + "/extract"
        status, resp, body = self.spard.request("GET", path, params or None, token=token)
        self.assertEqual(status, expect, body[:500])
        return resp, body

    def extract_json(self, subject, token="admin", **params):
        _, body = self.extract(subject, token, **params)
        return json.loads(body)

    def test_json_has_every_access_to_the_person_oldest_first_in_any_form(self):
        doc = self.extract_json("19650412-1234")
        self.assertEqual(doc["subject"], A)
        self.assertIsNone(doc["from"])
        self.assertIsNone(doc["to"])
        self.assertIsNone(doc["scope"])
        issued = datetime.datetime.fromisoformat(doc["issued"].replace("Z", "+00:00"))
        self.assertLess(abs((datetime.datetime.now(datetime.timezone.utc) - issued).total_seconds()),
                        300)
        self.assertEqual(doc["count"], len(A_EVENTS))
        got = doc["accesses"]
        order = sorted(range(len(A_EVENTS)), key=lambda i: A_EVENTS[i]["ts"])
        self.assertEqual([a["ts"] for a in got], [A_EVENTS[i]["ts"] for i in order])
        for access, i in zip(got, order):
            event, (unit, user) = A_EVENTS[i], A_EXPECTED[i]
            self.assertEqual(access["system"], event["system"])
            self.assertEqual(access["action"], event["action"])
            self.assertEqual(access["unit"], unit, access)
            self.assertEqual(access["outcome"], event.get("outcome"))
            if user is None:
                self.assertNotIn("user", access)  # hidden by default, and for treserva
            else:
                self.assertEqual(access["user"], user)
            self.assertEqual(set(access), {"ts", "system", "unit", "action", "outcome", "id"} |
                             ({"user"} if user else set()))
        # Every written form of A's number gives the same accesses.
        for form in ("196504121234", "650412-1234", "6504121234"):
            self.assertEqual(self.extract_json(form)["accesses"], got, form)

    def test_the_plus_form_is_a_different_century(self):
        b = self.extract_json("121212+1212")
        self.assertEqual(b["subject"], B)
        self.assertEqual([a["ts"] for a in b["accesses"]],
                         ["2026-10-02T11:00:00Z", "2026-10-03T11:00:00Z"])
        c = self.extract_json("121212-1212")
        self.assertEqual(c["subject"], C)
        self.assertEqual([a["unit"] for a in c["accesses"]], ["Förskolan Cecilia"])

    def test_from_inclusive_to_exclusive(self):
        doc = self.extract_json(A, **{"from": "2026-10-02T10:00:00Z", "to": "2026-10-06"})
        self.assertEqual(doc["from"], "2026-10-02T10:00:00Z")
        self.assertEqual(doc["to"], "2026-10-06T00:00:00Z")
        self.assertEqual([a["ts"] for a in doc["accesses"]],
                         ["2026-10-02T10:00:00Z", "2026-10-03T08:00:00Z", "2026-10-04T07:30:00Z"])
        self.assertEqual(doc["count"], 3)
        empty = self.extract_json(A, **{"from": "2025-01-01", "to": "2025-02-01"})
        self.assertEqual((empty["count"], empty["accesses"]), (0, []))

    def test_ndjson_is_the_accesses_line_by_line(self):
        resp, body = self.extract(A, format="ndjson")
        self.assertEqual(resp.getheader("Content-Type"), "application/x-ndjson")
        lines = [json.loads(line) for line in body.decode().splitlines()]
        self.assertEqual(lines, self.extract_json(A)["accesses"])

    def test_csv_with_a_header_and_formulas_defused(self):
        resp, body = self.extract(A, format="csv")
        self.assertEqual(resp.getheader("Content-Type"), "text/csv; charset=utf-8")
        text = body.decode()
        self.assertTrue(text.startswith("ts,system,unit,action,outcome,user,id\r\n"))
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        accesses = self.extract_json(A)["accesses"]
        self.assertEqual(len(rows), len(accesses))
        for row, access in zip(rows, accesses):
            self.assertEqual(row["ts"], access["ts"])
            self.assertEqual(int(row["id"]), access["id"])
            self.assertEqual(row["user"], access.get("user", ""))
            unit = access["unit"] or ""
            self.assertEqual(row["unit"], "'" + unit if unit.startswith("=") else unit)
        self.assertIn("'=HYPERLINK", text)

    def check_html(self, text, lang):
        doc = html_rows(text)
        self.assertTrue(text.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">'))
        # Self-contained: nothing loaded, nothing run (the injected unit is text).
        for tag, attrs in doc.tags:
            self.assertNotIn(tag, ("script", "link", "img", "iframe", "object"), attrs)
            for name in ("src", "href"):
                self.assertNotIn(name, attrs, (tag, attrs))
        self.assertNotIn("http://", text.replace("=HYPERLINK(&quot;http://evil&quot;)", ""))
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", text)
        # Exactly A's accesses, oldest first, in Stockholm time; nobody else's.
        rows = doc.rows
        order = sorted(range(len(A_EVENTS)), key=lambda i: A_EVENTS[i]["ts"])
        self.assertEqual(len(rows), len(A_EVENTS))
        for row, i in zip(rows, order):
            event, (unit, user) = A_EVENTS[i], A_EXPECTED[i]
            self.assertEqual(row[0], local(event["ts"]))
            self.assertEqual(row[1], event["system"])
            self.assertEqual(row[2], unit)
            self.assertEqual(row[4], user or "–")
        for marker in OTHER_MARKERS:
            self.assertNotIn(marker, text)
        for hidden in ("bo.b", "dan.d"):
            self.assertNotIn(hidden, text)
        self.assertIn("19650412-1234", text)
        self.assertIn("Testkommunen", text)
        return rows

    def test_html_in_swedish_by_default(self):
        resp, body = self.extract("650412-1234", format="html")
        self.assertEqual(resp.getheader("Content-Type"), "text/html; charset=utf-8")
        self.assertIn("default-src 'none'", resp.getheader("Content-Security-Policy"))
        text = body.decode()
        rows = self.check_html(text, "sv")
        self.assertIn("<title>Logguttag</title>", text)
        self.assertIn(f"<dt>Antal åtkomster</dt><dd>{len(A_EVENTS)}</dd>", text)
        self.assertIn("<dd>Från loggens början till utfärdandet</dd>", text)
        self.assertIn("Utfärdat", text)
        self.assertIn("artikel 15", text)
        self.assertIn("8 kap. 5 §", text)
        self.assertIn("Europe/Stockholm", text)
        self.assertIn("Nödåtkomst (nekad)", [row[3] for row in rows])
        self.assertIn("@media print", text)

    def test_html_in_english_with_a_period(self):
        _, body = self.extract(A, format="html", lang="en", **{"from": "2026-09-30T22:00:00Z"})
        text = body.decode()
        self.check_html(text, "en")
        self.assertIn("<title>Log extract</title>", text)
        self.assertIn("<dd>From 2026-10-01 until the time of issue</dd>", text)
        self.assertIn("Article 15", text)
        _, body = self.extract(A, format="html", lang="en", **{"to": "2026-01-01"})
        self.assertIn("No accesses were recorded in the period.", body.decode())

    # --- access control and the audit trail --------------------------------------------------
    def test_a_token_limited_to_procapita_sees_only_procapita(self):
        doc = self.extract_json(A, token=self.procapita_only)
        self.assertEqual(doc["scope"], ["procapita"])
        self.assertEqual({a["system"] for a in doc["accesses"]}, {"procapita"})
        self.assertEqual(doc["count"], sum(e["system"] == "procapita" for e in A_EVENTS))
        self.assertEqual(doc["count"], len(doc["accesses"]))
        for fmt in ("csv", "html", "ndjson"):
            _, body = self.extract(A, token=self.procapita_only, format=fmt)
            for other in ("treserva", "cosmic", "IFO Barn", "Socialtjänsten"):
                self.assertNotIn(other, body.decode().replace("Socialtjänsten\"", ""), fmt)
        # Any investigator may issue extracts; an unlimited one sees every system.
        self.assertEqual(self.extract_json(A, token=self.investigator)["count"], len(A_EVENTS))

    def test_roles_that_may_not_issue_extracts_are_refused(self):
        _, body = self.extract(A, token=self.feeder, expect=403)
        self.assertIn("role ingest may not use", json.loads(body)["error"])
        self.extract(A, token=self.reviewer, expect=403)
        self.extract(A, token=None, expect=401)
        self.extract(A, token="spard_not-a-token", expect=401)

    def test_bad_requests_name_what_is_wrong(self):
        cases = [
            ({"format": "xml"}, "format: expected json, ndjson, csv or html"),
            ({"lang": "fi"}, "lang: expected sv or en"),
            ({"from": "yesterday"}, "from: expected an RFC 3339 time"),
            ({"from": "2026-10-05", "to": "2026-10-01"}, "from: must be before to"),
            ({"limit": "5"}, "limit: unknown parameter"),
        ]
        for params, message in cases:
            _, body = self.extract(A, expect=400, **params)
            self.assertIn(message, json.loads(body)["error"], params)
        _, body = self.extract("19650412-1235", expect=400)
        self.assertIn("subject: not a valid personnummer", json.loads(body)["error"])
        status, _, _ = self.spard.request("GET", "/v1/subjects/" + A + "/other")
        self.assertEqual(status, 404)

    def test_every_extract_is_audited_with_the_normal_form_and_the_count(self):
        marker = "2026-10-03"  # no other request of these tests has this "from"
        self.extract_json("650412-1234", **{"from": marker})
        self.extract(A, token=self.feeder, expect=403)
        expected = sum(e["ts"] >= marker for e in A_EVENTS)

        def audited():
            events = self.spard.events(limit=10000, system="spard")
            return [e for e in events if e["action"] in ("subject.extract", "refused")]

        found = wait_for(lambda: [e for e in audited() if e["attrs"].get("from") == marker],
                         what="the audit event of the extract")
        event = found[-1]
        self.assertEqual(event["action"], "subject.extract")
        self.assertEqual(event["object"], A)
        self.assertEqual(event["user"], "admin")
        self.assertEqual(event["attrs"]["returned"], str(expected))
        self.assertEqual(event["outcome"], "success")
        refused = [e for e in audited() if e["action"] == "refused" and e["user"] == "feeder"]
        self.assertTrue(refused)
        self.assertEqual(refused[-1]["attrs"]["endpoint"], "subject.extract")
        self.assertEqual(refused[-1]["object"], A)
        # The personnummer is the audit event's object only: not in spard's own log.
        self.assertNotIn("650412", self.spard.read_log())

    # --- spar extract ------------------------------------------------------------------------
    def env(self, token=None, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPAR_")}
        env["SPAR_URL"] = self.url
        env["SPAR_TOKEN"] = token or self.spard.token
        env["TZ"] = "Europe/Stockholm"
        env.update(extra)
        return env

    def spar(self, *args, token=None, text=True):
        return subprocess.run([SPAR_BIN, *args], capture_output=True, text=text, timeout=120,
                              env=self.env(token))

    def run_on_pty(self, args, columns, env=None):
        """Runs spar with stdout on a pty of `columns` columns; returns (code, output, stderr)."""
        return run_on_pty([SPAR_BIN, *args], columns, env or self.env(NO_COLOR="1"))

    def test_spar_on_a_terminal_prints_a_table_in_local_time(self):
        code, out, err = self.run_on_pty(["extract", "650412-1234"], 160)
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["ts", "system", "unit", "action", "outcome", "user"])
        self.assertEqual(lines[-1], f"{len(A_EVENTS)} accesses")
        rows = lines[1:-1]
        self.assertEqual(len(rows), len(A_EVENTS))
        order = sorted(range(len(A_EVENTS)), key=lambda i: A_EVENTS[i]["ts"])
        for row, i in zip(rows, order):
            self.assertTrue(row.startswith(local(A_EVENTS[i]["ts"]) + "  "), (row, A_EVENTS[i]))
            self.assertIn(A_EXPECTED[i][0], row)
            self.assertEqual(A_EXPECTED[i][1] is not None, A_EVENTS[i]["user"] in row, row)
        for line in lines:
            self.assertLessEqual(len(line), 160)
        # Nobody else's accesses.
        for marker in OTHER_MARKERS:
            self.assertNotIn(marker, out)
        # A person with no access: an empty table is still the answer (exit 0).
        code, out, err = self.run_on_pty(["extract", "20121212-1212", "--to", "2026-01-01"], 100)
        self.assertEqual((code, out.splitlines()[-1]), (0, "0 accesses"), err)

    def test_spar_in_a_pipe_writes_the_json_document(self):
        proc = self.spar("extract", "6504121234", "--from", "2026-10-02", "--to", "2026-10-05")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        self.assertEqual(doc["subject"], A)
        # Local dates: Stockholm midnight, sent with its offset.
        self.assertEqual(doc["from"], "2026-10-01T22:00:00Z")
        self.assertEqual(doc["to"], "2026-10-04T22:00:00Z")
        self.assertEqual([a["ts"] for a in doc["accesses"]],
                         ["2026-10-02T10:00:00Z", "2026-10-03T08:00:00Z", "2026-10-04T07:30:00Z"])
        proc = self.spar("extract", A, "--format", "csv", text=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        _, body = self.extract(A, format="csv")
        self.assertEqual(proc.stdout, body)  # the server's bytes, CRLF and all
        proc = self.spar("extract", A, "--format", "ndjson")
        self.assertEqual(len(proc.stdout.splitlines()), len(A_EVENTS))
        # Limited token through spar too.
        proc = self.spar("extract", A, token=self.procapita_only)
        self.assertEqual({a["system"] for a in json.loads(proc.stdout)["accesses"]}, {"procapita"})

    def test_spar_writes_the_html_document_to_a_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "logguttag.html")
            proc = self.spar("extract", "19650412-1234", "--format", "html", "-o", path)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout, "")
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path, encoding="utf-8") as f:
                self.check_html(f.read(), "sv")
            # The file's name chooses html; --lang en.
            path = os.path.join(d, "extract.HTML")
            proc = self.spar("extract", A, "--lang", "en", "-o", path)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with open(path, encoding="utf-8") as f:
                self.check_html(f.read(), "en")
            # html to stdout.
            proc = self.spar("extract", A, "--format", "html")
            self.check_html(proc.stdout, "sv")
            # A refused extract leaves no file behind, not even a partial one.
            path = os.path.join(d, "refused.html")
            proc = self.spar("extract", A, "-o", path, token=self.feeder)
            self.assertEqual(proc.returncode, 3)
            self.assertEqual(sorted(os.listdir(d)), ["extract.HTML", "logguttag.html"])

    def test_spar_exit_codes(self):
        # 0 with no access at all: the extract is still the answer.
        proc = self.spar("extract", "20121212-1212", "--to", "2026-01-01")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["count"], 0)
        # 2: usage, from spar or from spard (400).
        for args, message in [
            (["extract"], "SUBJECT is required"),
            (["extract", "19650412-1235"], "subject: not a valid personnummer"),
            (["extract", A, "--lang", "fi"], "--lang"),
            (["extract", A, "--from", "2026-02-30"], "--from: '2026-02-30'"),
            (["events", "--format", "html"], "--format html: events writes"),
        ]:
            proc = self.spar(*args)
            self.assertEqual(proc.returncode, 2, (args, proc.stderr))
            self.assertIn(message, proc.stderr, args)
            self.assertTrue(proc.stderr.startswith("spar: "), proc.stderr)
        # 3: the token's role may not issue extracts.
        proc = self.spar("extract", A, token=self.feeder)
        self.assertEqual(proc.returncode, 3)
        self.assertIn("403", proc.stderr)


class ExtractScaleTest(unittest.TestCase):
    """A long history streams: 10,000 accesses in every format, timed."""

    N = 10_000

    def test_ten_thousand_accesses_stream_in_every_format(self):
        with Spard() as spard:
            events = [{"ts": f"2026-{1 + i // 900 % 12:02d}-{1 + i % 28:02d}T"
                             f"{8 + i % 9:02d}:{i % 60:02d}:{i % 59:02d}.{i % 1000:03d}Z",
                       "system": ["procapita", "treserva", "cosmic"][i % 3],
                       "user": f"user{i % 40}", "action": ["read", "update", "print"][i % 3],
                       "object": f"rec:{i % 100}", "subject": "19650412-1234",
                       "unit": f"Enhet {i % 25}"} for i in range(self.N)]
            spard.ingest(events)
            spard.wait_count(self.N, subject=A)
            path = "/v1/subjects/" + A + "/extract"
            timings = {}
            for fmt in ("json", "csv", "html"):
                start = time.monotonic()
                status, _, body = spard.request("GET", path, {"format": fmt})
                timings[fmt] = time.monotonic() - start
                self.assertEqual(status, 200)
                if fmt == "json":
                    doc = json.loads(body)
                    self.assertEqual(doc["count"], self.N)
                    stamps = [a["ts"] for a in doc["accesses"]]
                    self.assertEqual(len(stamps), self.N)
                    self.assertEqual(stamps, sorted(stamps))
                elif fmt == "csv":
                    self.assertEqual(len(body.decode().splitlines()), self.N + 1)
                else:
                    self.assertEqual(body.decode().count("<tr><td"), self.N)
            print(json.dumps({"extract_accesses": self.N,
                              **{f"{k}_seconds": round(v, 3) for k, v in timings.items()}}))


if __name__ == "__main__":
    unittest.main()
