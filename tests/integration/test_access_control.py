"""Who may do what (docs/access_control.md), checked against the real daemon: every endpoint for
every role, tokens limited to some systems never seeing the others' events (in answers, counts,
cursors or proofs), every /v1 read stored as an event of system spard, and token expiry and
revocation taking effect on the next request."""

import json
import time
import unittest
import urllib.parse

from spard_harness import Spard, wait_for

T0 = "2026-11-02T09:00:00Z"


def ev(i, system, user="anna", subject="19650412-1234"):
    return {"ts": f"2026-11-02T09:{i // 60:02d}:{i % 60:02d}Z", "system": system, "user": user,
            "object": f"{system}:rec{i % 5}", "subject": subject, "action": "read", "seq": i}


# The endpoints, with a request that gets past authorisation without changing anything that
# matters (a bad body is a 400 *after* the role check), and the roles that may use them.
READERS = {"investigator", "reviewer", "admin"}
ADMIN = {"admin"}
ENDPOINTS = [
    # method, path, params, body, allowed roles
    ("GET", "/v1/events", {"limit": 5}, None, READERS),
    ("GET", "/v1/events", {"limit": 5, "format": "ndjson"}, None, READERS),
    ("GET", "/v1/events/count", {}, None, READERS),
    ("GET", "/v1/events/2/proof", {}, None, READERS),  # a procapita event
    ("GET", "/v1/integrity", {}, None, READERS),
    ("GET", "/v1/integrity/sths", {}, None, READERS),
    ("GET", "/v1/integrity/consistency", {"first": 1, "second": 2}, None, READERS),
    ("POST", "/v1/integrity/verify", {}, None, ADMIN),
    ("GET", "/v1/quarantine", {}, None, ADMIN),
    ("POST", "/v1/quarantine/reprocess", {"reason": "no-such-reason"}, None, ADMIN),
    ("GET", "/v1/holds", {}, None, ADMIN),
    ("POST", "/v1/holds", {}, b"{}", ADMIN),
    ("DELETE", "/v1/holds/999999", {}, None, ADMIN),
    ("POST", "/v1/admin/purge", {"dry_run": "true"}, None, ADMIN),
    ("GET", "/v1/tokens", {}, None, ADMIN),
    ("POST", "/v1/tokens", {}, b"{}", ADMIN),
    ("DELETE", "/v1/tokens/0000000000000000", {}, None, ADMIN),
    ("POST", "/v1/ingest", {}, b"", {"ingest", "admin"}),
]
ROLES = ["ingest", "investigator", "reviewer", "admin"]


class AccessControlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spard = Spard().start()
        s = cls.spard
        s.ingest([ev(i, "procapita" if i % 3 else "treserva") for i in range(60)])
        cls.procapita = s.count(system="procapita")
        cls.treserva = s.count(system="treserva")
        assert cls.procapita == 40 and cls.treserva == 20
        cls.tokens = {}
        for role in ROLES:
            cls.tokens[role] = cls.create(f"{role}-all", role)
            if role != "admin":
                cls.tokens[role + "@procapita"] = cls.create(f"{role}-p", role, ["procapita"])

    @classmethod
    def tearDownClass(cls):
        cls.spard.cleanup()

    @classmethod
    def create(cls, name, role, systems=None, expires=None):
        body = {"name": name, "role": role}
        if systems:
            body["systems"] = systems
        if expires:
            body["expires"] = expires
        status, resp, data = cls.spard.request("POST", "/v1/tokens", body=json.dumps(body).encode())
        assert status == 201, (status, data)
        assert resp.getheader("Cache-Control") == "no-store"
        return json.loads(data)["token"]

    def get(self, path, token, **params):
        status, _, data = self.spard.request("GET", path, params, token=token)
        return status, data

    def own_events(self, **filters):
        """spard's own events (the audit trail), read with the admin token."""
        return self.spard.events(system="spard", **filters)

    # --- the matrix --------------------------------------------------------------------------
    def test_every_endpoint_for_every_role(self):
        for method, path, params, body, allowed in ENDPOINTS:
            status, _, _ = self.spard.request(method, path, params, body=body, token=None)
            self.assertEqual(status, 401, f"{method} {path} without a token")
            status, _, _ = self.spard.request(method, path, params, body=body, token="not-a-token")
            self.assertEqual(status, 401, f"{method} {path} with a wrong token")
            for name, token in self.tokens.items():
                role = name.split("@")[0]
                status, _, data = self.spard.request(method, path, params, body=body, token=token)
                if role in allowed:
                    self.assertNotIn(status, (401, 403), f"{method} {path} as {name}: {data!r}")
                    self.assertLess(status, 500, f"{method} {path} as {name}: {data!r}")
                else:
                    self.assertEqual(status, 403, f"{method} {path} as {name}: {data!r}")
                    self.assertIn("error", json.loads(data))

    def test_open_endpoints(self):
        for path in ("/healthz", "/metrics", "/v1/integrity/public-key"):
            status, _, _ = self.spard.request("GET", path, token=None)
            self.assertEqual(status, 200, path)

    # --- systems -----------------------------------------------------------------------------
    def test_a_token_limited_to_procapita_never_sees_treserva(self):
        for role in ("investigator", "reviewer"):
            token = self.tokens[role + "@procapita"]
            status, data = self.get("/v1/events", token, limit=1000)
            self.assertEqual(status, 200)
            got = json.loads(data)["events"]
            self.assertEqual(len(got), self.spard.count(system="procapita"))
            self.assertEqual({e["system"] for e in got}, {"procapita"})
            # Every index path: by user, object, subject, action, time range.
            for params in ({"user": "anna"}, {"subject": "650412-1234"},
                           {"object": "treserva:rec0"}, {"action": "read"},
                           {"from": "2026-11-02", "to": "2026-11-03"}):
                status, data = self.get("/v1/events", token, limit=1000, **params)
                self.assertEqual(status, 200, params)
                self.assertEqual({e["system"] for e in json.loads(data)["events"]} - {"procapita"},
                                 set(), params)
                status, data = self.get("/v1/events/count", token, **params)
                expected = self.spard.count(system="procapita", **params)
                self.assertEqual(json.loads(data)["count"], expected, params)
            # Streamed formats too.
            status, data = self.get("/v1/events", token, format="ndjson", limit=1000)
            lines = [json.loads(l) for l in data.decode().splitlines()]
            self.assertEqual(len(lines), self.spard.count(system="procapita"))
            self.assertEqual({e["system"] for e in lines}, {"procapita"})
            status, data = self.get("/v1/events", token, format="csv", limit=1000)
            self.assertNotIn(b"treserva", data)
            # Asking for the other system is refused, not answered empty.
            for path in ("/v1/events", "/v1/events/count"):
                status, data = self.get(path, token, system="treserva")
                self.assertEqual(status, 403)
                self.assertIn("treserva", json.loads(data)["error"])

    def test_cursors_do_not_leak_across_scopes(self):
        token = self.tokens["investigator@procapita"]
        seen = []
        params = {"limit": 7}
        while True:
            status, data = self.get("/v1/events", token, **params)
            self.assertEqual(status, 200)
            page = json.loads(data)
            seen += page["events"]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        self.assertEqual(len(seen), self.spard.count(system="procapita"))
        self.assertEqual({e["system"] for e in seen}, {"procapita"})
        # An unlimited token's cursor, replayed by a limited one, still answers in its scope.
        page = self.spard.json("GET", "/v1/events", {"limit": 2})
        status, data = self.get("/v1/events", token, limit=1000, cursor=page["next_cursor"])
        self.assertEqual(status, 200)
        self.assertEqual({e["system"] for e in json.loads(data)["events"]}, {"procapita"})

    def test_proofs_only_for_events_in_scope(self):
        token = self.tokens["reviewer@procapita"]
        treserva = self.spard.events(system="treserva", limit=1)[0]["id"]
        procapita = self.spard.events(system="procapita", limit=1)[0]["id"]
        status, _ = self.get(f"/v1/events/{treserva}/proof", token)
        self.assertEqual(status, 403)
        status, _ = self.get(f"/v1/events/{procapita}/proof", token)
        self.assertEqual(status, 200)

    def test_spard_events_are_for_admins_only_and_never_mixed_in(self):
        for name in ("investigator", "reviewer", "investigator@procapita"):
            status, data = self.get("/v1/events", self.tokens[name], system="spard")
            self.assertEqual(status, 403, name)
        # The admin reads them only by asking for them: other queries never include them.
        self.get("/v1/events/count", self.tokens["investigator"])
        everything = self.spard.events(limit=1000)
        self.assertNotIn("spard", {e["system"] for e in everything})
        self.assertEqual(self.spard.count(),
                         self.spard.count(system="procapita") + self.spard.count(system="treserva"))
        self.assertGreater(len(self.own_events()), 0)

    def test_an_ingest_token_limited_to_a_system_quarantines_other_systems(self):
        token = self.create("ingest-narrow", "ingest", ["procapita"])
        body = "".join(json.dumps(e) + "\n" for e in
                       (ev(100, "procapita"), ev(101, "treserva"), ev(102, "spard"))).encode()
        status, _, data = self.spard.request("POST", "/v1/ingest", body=body, token=token)
        self.assertEqual(status, 200, data)
        answer = json.loads(data)
        self.assertEqual((answer["accepted"], answer["quarantined"]), (1, 2))
        q = self.spard.json("GET", "/v1/quarantine", {"limit": 1000})
        reasons = [r["reason"] for r in q["quarantine"]]
        self.assertIn("system not allowed: treserva", reasons)
        self.assertIn("reserved system: spard", reasons)

    # --- the audit trail of reads -------------------------------------------------------------
    def test_every_read_answered_or_refused_is_an_event_of_system_spard(self):
        token = self.create("audit-probe", "investigator", ["procapita"])
        before = len(self.own_events(user="audit-probe"))
        self.assertEqual(before, 0)
        self.get("/v1/events", token, subject="650412-1234", limit=3)          # answered
        self.get("/v1/events/count", token, user="anna")                        # answered
        self.get("/v1/events", token, system="treserva")                        # refused: scope
        self.get("/v1/quarantine", token)                                       # refused: role
        self.get("/v1/events", token, format="ndjson", object="procapita:rec1")  # streamed
        own = self.own_events(user="audit-probe")
        self.assertEqual(len(own), 5)
        by_action = [(e["action"], e["outcome"]) for e in own]
        self.assertEqual(by_action, [("events.search", "success"), ("events.count", "success"),
                                     ("refused", "denied"), ("refused", "denied"),
                                     ("events.search", "success")])
        search, count, scope, role, stream = own
        self.assertEqual(search["object"], "196504121234")  # the main filter, normalised
        self.assertEqual(search["attrs"]["subject"], "650412-1234")
        self.assertEqual(search["attrs"]["returned"], "3")
        self.assertEqual(count["attrs"]["returned"],
                         str(self.spard.count(user="anna", system="procapita")))
        self.assertEqual(scope["attrs"]["http_status"], "403")
        self.assertEqual(role["attrs"]["endpoint"], "quarantine.list")
        self.assertEqual(stream["attrs"]["returned"],
                         str(self.spard.count(object="procapita:rec1")))
        self.assertEqual({e["user"] for e in own}, {"audit-probe"})

        # Without a valid token the refusal is logged too, with user "-".
        before = len(self.own_events(user="-"))
        self.get("/v1/events", None)
        self.get("/v1/events", "forged")
        self.assertEqual(len(self.own_events(user="-")), before + 2)

    # --- token life cycle ---------------------------------------------------------------------
    def test_revocation_and_expiry_take_effect_at_once(self):
        token = self.create("short-lived", "investigator")
        self.assertEqual(self.get("/v1/events/count", token)[0], 200)
        listed = self.spard.json("GET", "/v1/tokens")["tokens"]
        entry = next(t for t in listed if t["name"] == "short-lived")
        self.assertNotIn("token", entry)  # the secret is shown once, at creation
        self.spard.json("DELETE", f"/v1/tokens/{entry['id']}")
        self.assertEqual(self.get("/v1/events/count", token)[0], 401)

        # Valid for 8 s (room for a slow sanitizer build to use it once), then refused.
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 9))
        token = self.create("expiring", "investigator", expires=expires)
        self.assertEqual(self.get("/v1/events/count", token)[0], 200)
        wait_for(lambda: self.get("/v1/events/count", token)[0] == 401, timeout=60,
                 interval=0.25, what="the token to expire")
        listed = self.spard.json("GET", "/v1/tokens")["tokens"]
        self.assertTrue(next(t for t in listed if t["name"] == "expiring")["expired"])

    def test_token_rules(self):
        def post(body):
            return self.spard.request("POST", "/v1/tokens", body=json.dumps(body).encode())[0]
        self.assertEqual(post({"name": "investigator-all", "role": "investigator"}), 409)
        self.assertEqual(post({"name": "x1", "role": "admin", "systems": ["procapita"]}), 400)
        self.assertEqual(post({"name": "x2", "role": "investigator", "systems": ["spard"]}), 400)
        self.assertEqual(post({"name": "x3", "role": "superuser"}), 400)
        self.assertEqual(post({"name": "bad name", "role": "reviewer"}), 400)
        self.assertEqual(post({"name": "x4", "role": "reviewer", "expires": "2001-01-01"}), 400)


if __name__ == "__main__":
    unittest.main()
