"""Ingest over every listener, query back exactly what was sent: the spine of spard end to end."""

import json
import random
import socket
import unittest

from spard_harness import Spard, rfc5424, octet_frame, wait_for, HttpError

SYSTEMS = ["procapita", "treserva", "cosmic"]
# Valid personnummer (Luhn) in several written forms; a samordningsnummer; a non-personnummer.
PERSONS = {
    "196504121234": ["19650412-1234", "196504121234", "650412-1234", "6504121234"],
    "201212121212": ["20121212-1212", "121212-1212"],
    "196504721231": ["19650472-1231", "650472-1231"],
}


def make_events(n, seed, base_day=5):
    rng = random.Random(seed)
    events = []
    for i in range(n):
        person = rng.choice(list(PERSONS))
        ts = f"2026-10-{base_day + rng.randrange(3):02d}T{8 + rng.randrange(9):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z"
        events.append({
            "ts": ts,
            "system": rng.choice(SYSTEMS),
            "user": f"user{rng.randrange(8)}",
            "action": rng.choice(["read", "read", "update", "print"]),
            "object": f"rec:{rng.randrange(30)}",
            "subject": rng.choice(PERSONS[person]),
            "outcome": "success",
            "client_ip": f"10.0.0.{rng.randrange(250)}",
            "host": f"host{rng.randrange(3)}",
            "seq": str(i),
        })
    return events


def as_rfc5424(e):
    return rfc5424(e["ts"], e["system"], e["user"], e["object"], e["subject"], e["action"],
                   host=e["host"], extra={"outcome": e["outcome"], "client_ip": e["client_ip"],
                                          "seq": e["seq"]})


def normal(subject):
    for n, forms in PERSONS.items():
        if subject in forms:
            return n
    return subject


class IngestQueryTest(unittest.TestCase):
    def setUp(self):
        self.spard = Spard().start()

    def tearDown(self):
        self.spard.cleanup()

    def send_all_ways(self, events):
        """A quarter each over TCP lines, TCP octet-counted frames, UDP and HTTP."""
        q = len(events) // 4
        lines = b"".join(as_rfc5424(e).encode() + b"\n" for e in events[:q])
        self.spard.tcp_send(lines)
        framed = b"".join(octet_frame(as_rfc5424(e)) for e in events[q:2 * q])
        self.spard.tcp_send(framed)
        self.spard.udp_send([as_rfc5424(e).encode() for e in events[2 * q:3 * q]])
        result = self.spard.ingest(events[3 * q:])
        self.assertEqual(result["accepted"], len(events) - 3 * q)
        self.assertEqual(result["quarantined"], 0)
        self.spard.wait_count(len(events))

    def check_matches(self, events, **filters):
        """The API returns exactly the sent events matching the filters, in time order."""
        def keep(e):
            for k, v in filters.items():
                if k == "subject":
                    if normal(e["subject"]) != normal(v):
                        return False
                elif k == "from":
                    if e["ts"] < v:
                        return False
                elif k == "to":
                    if e["ts"] >= v:
                        return False
                elif e[k] != v:
                    return False
            return True
        expected = sorted((e for e in events if keep(e)), key=lambda e: (e["ts"], int(e["seq"])))
        got = self.spard.events(limit=7, **filters)
        self.assertEqual([g["attrs"].get("seq") for g in got], [e["seq"] for e in expected],
                         f"filters {filters}")
        for g, e in zip(got, expected):
            for field in ("system", "user", "action", "object", "subject", "outcome",
                          "client_ip", "host"):
                self.assertEqual(g[field], e[field], f"{field} of seq {e['seq']}")
            self.assertTrue(g["ts"].startswith(e["ts"][:19]), (g["ts"], e["ts"]))
        self.assertEqual(self.spard.count(**filters), len(expected), f"count {filters}")
        return expected

    def test_every_listener_and_every_filter(self):
        events = make_events(200, seed=1)
        self.send_all_ways(events)
        self.check_matches(events, user="user3")
        self.check_matches(events, object="rec:7")
        self.check_matches(events, object="rec:7", system="cosmic")
        for person, forms in PERSONS.items():
            for form in forms:
                self.assertTrue(self.check_matches(events, subject=form))
        self.check_matches(events, system="treserva")
        self.check_matches(events, **{"from": "2026-10-06T00:00:00Z", "to": "2026-10-07T00:00:00Z"})
        self.check_matches(events, user="user1", action="print")
        self.check_matches(events, system="procapita", **{"from": "2026-10-06"})
        self.check_matches(events)
        # Descending order is the reverse of ascending.
        asc = self.spard.events(limit=13, user="user2")
        desc = self.spard.events(limit=13, user="user2", order="desc")
        self.assertEqual([e["id"] for e in desc], [e["id"] for e in reversed(asc)])

    def test_restart_keeps_every_event_and_index(self):
        events = make_events(120, seed=2)
        self.send_all_ways(events)
        self.assertEqual(self.spard.stop(), 0)
        self.spard.start()
        self.check_matches(events, user="user5")
        self.check_matches(events, subject="6504121234")
        self.check_matches(events)
        # New events continue after the old ones.
        more = make_events(40, seed=3, base_day=20)
        for e in more:
            e["seq"] = str(int(e["seq"]) + 1000)
        self.spard.ingest(more)
        self.check_matches(events + more)

    def test_malformed_neighbours_do_not_disturb_valid_messages(self):
        good = make_events(3, seed=4)
        stream = (as_rfc5424(good[0]).encode() + b"\n" + b"\x00\xff garbage <<>> not syslog\n" +
                  as_rfc5424(good[1]).encode() + b"\n" + b'{"ts": "2026-10-05T08:00:00Z", "user": "x"}\n' +
                  octet_frame(as_rfc5424(good[2])) + b"\n" + b"<13>1 broken header\n")
        self.spard.tcp_send(stream)
        self.spard.wait_count(3)
        self.check_matches(good)
        q = wait_for(lambda: (lambda r: r if len(r["quarantine"]) >= 3 else None)(
            self.spard.json("GET", "/v1/quarantine")), what="3 quarantined")
        raws = [r["raw"] for r in q["quarantine"]]
        self.assertIn('{"ts": "2026-10-05T08:00:00Z", "user": "x"}', raws)
        self.assertIn("<13>1 broken header", raws)
        self.assertTrue(any(r.endswith("garbage <<>> not syslog") for r in raws), raws)
        reasons = " ".join(r["reason"] for r in q["quarantine"])
        self.assertIn("object", reasons)
        # Filters: by reason prefix, listener and receive time; paging with next_after.
        missing = self.spard.json("GET", "/v1/quarantine", {"reason": "missing field"})
        self.assertEqual([r["raw"] for r in missing["quarantine"]],
                         ['{"ts": "2026-10-05T08:00:00Z", "user": "x"}'])
        self.assertEqual(self.spard.json("GET", "/v1/quarantine", {"listener": "udp"})["quarantine"], [])
        self.assertEqual(len(self.spard.json("GET", "/v1/quarantine",
                                             {"from": "2000-01-01"})["quarantine"]), 3)
        self.assertEqual(self.spard.json("GET", "/v1/quarantine",
                                         {"to": "2000-01-01"})["quarantine"], [])
        page = self.spard.json("GET", "/v1/quarantine", {"limit": 2})
        self.assertEqual(len(page["quarantine"]), 2)
        rest = self.spard.json("GET", "/v1/quarantine", {"after": page["next_after"]})
        self.assertEqual(len(rest["quarantine"]), 1)
        self.assertIsNone(rest["next_after"])
        code, _, body = self.spard.request("GET", "/v1/quarantine", {"listener": "pigeon"})
        self.assertEqual(code, 400)
        self.assertIn("listener", body.decode())
        metrics = self.spard.metrics()
        self.assertEqual(metrics['spard_ingest_quarantined_total{listener="tcp"}'], 3)

    def test_split_writes_and_mixed_framing_on_one_connection(self):
        events = make_events(50, seed=5)
        data = b""
        for i, e in enumerate(events):
            data += octet_frame(as_rfc5424(e)) if i % 2 else as_rfc5424(e).encode() + b"\r\n"
        s = socket.create_connection(self.spard.hostport("syslog_tcp"))
        rng = random.Random(9)
        pos = 0
        while pos < len(data):
            n = rng.randrange(1, 40)
            s.sendall(data[pos:pos + n])
            pos += n
        s.shutdown(socket.SHUT_WR)
        while s.recv(100):
            pass
        s.close()
        self.spard.wait_count(len(events))
        self.check_matches(events)

    def test_json_ndjson_and_csv_answers(self):
        events = make_events(30, seed=6)
        self.spard.ingest(events)
        status, resp, body = self.spard.request("GET", "/v1/events",
                                                {"format": "ndjson", "limit": 1000})
        self.assertEqual(status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "application/x-ndjson")
        lines = [json.loads(l) for l in body.decode().splitlines()]
        self.assertEqual(len(lines), 30)
        status, resp, body = self.spard.request("GET", "/v1/events", {"format": "csv", "user": "user1"})
        self.assertEqual(status, 200)
        rows = body.decode().split("\r\n")
        self.assertTrue(rows[0].startswith("id,ts,received,system,user,action,object,subject"))
        self.assertEqual(len([r for r in rows[1:] if r]), self.spard.count(user="user1"))


class ApiContractTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spard = Spard().start()
        cls.spard.ingest(make_events(25, seed=7))

    @classmethod
    def tearDownClass(cls):
        cls.spard.cleanup()

    def expect_error(self, status, params, mention, path="/v1/events", token="admin"):
        code, _, body = self.spard.request("GET", path, params, token=token)
        self.assertEqual(code, status, body)
        self.assertIn(mention, json.loads(body)["error"])

    def test_bad_parameters_are_400_naming_the_parameter(self):
        self.expect_error(400, {"limit": "0"}, "limit")
        self.expect_error(400, {"limit": "10001"}, "limit")
        self.expect_error(400, {"limit": "ten"}, "limit")
        self.expect_error(400, {"order": "up"}, "order")
        self.expect_error(400, {"format": "xml"}, "format")
        self.expect_error(400, {"from": "yesterday"}, "from")
        self.expect_error(400, {"to": "2026-13-01"}, "to")
        self.expect_error(400, {"from": "2026-10-02", "to": "2026-10-01"}, "from")
        self.expect_error(400, {"usr": "a"}, "usr")
        self.expect_error(400, {"user": ""}, "user")
        self.expect_error(400, {"cursor": "!!!"}, "cursor")
        self.expect_error(400, {"usr": "a"}, "usr", path="/v1/events/count")

    def test_cursor_belongs_to_its_query(self):
        page = self.spard.json("GET", "/v1/events", {"limit": 2})
        self.assertIsNotNone(page["next_cursor"])
        self.expect_error(400, {"limit": 2, "user": "user1", "cursor": page["next_cursor"]}, "cursor")
        self.expect_error(400, {"limit": 2, "order": "desc", "cursor": page["next_cursor"]}, "cursor")

    def test_default_and_max_limit(self):
        self.assertEqual(len(self.spard.json("GET", "/v1/events")["events"]), 25)
        many = [{"ts": "2026-11-01T00:00:00Z", "user": "bulk", "object": f"o{i}"} for i in range(150)]
        self.spard.ingest(many)
        page = self.spard.json("GET", "/v1/events", {"user": "bulk"})
        self.assertEqual(len(page["events"]), 100)
        self.assertIsNotNone(page["next_cursor"])

    def test_tokens_are_required(self):
        self.expect_error(401, {}, "token", token=None)
        self.expect_error(401, {}, "token", token="spard_not-a-real-token")
        self.expect_error(401, {}, "token", path="/v1/events/count", token=None)
        code, _, _ = self.spard.request("POST", "/v1/ingest", body=b"{}\n", token=None)
        self.assertEqual(code, 401)

    def test_health_and_metrics_need_no_token_on_loopback(self):
        code, _, body = self.spard.request("GET", "/healthz", token=None)
        self.assertEqual(code, 200)
        self.assertEqual(json.loads(body)["status"], "ok")
        m = self.spard.metrics()
        self.assertGreaterEqual(m["spard_store_events_total"], 25)
        # The kernel's own drop counter for the UDP socket is exported (0 here).
        self.assertEqual(m["spard_udp_kernel_drops"], 0)

    def test_ingest_that_is_not_ndjson_is_400_with_the_line(self):
        before = self.spard.count()
        body = b'{"ts":"2026-10-05T08:00:00Z","user":"a","object":"b"}\n\nnot json\n'
        code, _, data = self.spard.request("POST", "/v1/ingest", body=body)
        self.assertEqual(code, 400)
        self.assertIn("line 3", json.loads(data)["error"])
        self.assertEqual(self.spard.count(), before)  # nothing of that body stored

    def test_unknown_endpoint_and_method(self):
        code, _, _ = self.spard.request("GET", "/v1/nothing")
        self.assertEqual(code, 404)
        code, _, _ = self.spard.request("DELETE", "/v1/events")
        self.assertEqual(code, 405)


class BodyLimitTest(unittest.TestCase):
    def test_body_above_the_limit_is_413(self):
        with Spard(config_extra="[ingest]\nhttp_max_body_mb = 1\n") as spard:
            line = json.dumps({"ts": "2026-10-05T08:00:00Z", "user": "u", "object": "o",
                               "pad": "x" * 1000}) + "\n"
            body = (line * 1100).encode()  # > 1 MiB
            code, _, data = spard.request("POST", "/v1/ingest", body=body)
            self.assertEqual(code, 413)
            self.assertIn("larger", json.loads(data)["error"])
            ok = spard.ingest([json.loads(line)])
            self.assertEqual(ok["accepted"], 1)


if __name__ == "__main__":
    unittest.main()
