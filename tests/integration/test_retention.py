"""Gallring and legal holds through the API: what is past its system's retention is purged,
held events stay, every change is an audited event, the log still verifies, and a purge
killed half-way leaves a store that verifies and a re-run that completes it."""

import datetime
import json
import os
import subprocess
import unittest

from spard_harness import SPAR_BIN, Spard, wait_for

NOW = datetime.datetime.now(datetime.timezone.utc)
HELD = "19650412-1234"


def ts(days_ago, i):
    t = NOW - datetime.timedelta(days=days_ago) + datetime.timedelta(seconds=i)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def batch(system, days_ago, first, n, every_held=40):
    return [{"ts": ts(days_ago, i), "system": system, "user": f"u{i % 5}", "action": "read",
             "object": f"{system}:{i}", "subject": HELD if i % every_held == 0 else f"case-{i}",
             "seq": str(i)} for i in range(first, first + n)]


CONFIG = "[retention]\npurge_at = \"\"\n[retention.systems]\nkort = 30\n"


class RetentionTest(unittest.TestCase):
    def load(self, spard):
        spard.ingest(batch("kort", 40, 0, 2000))     # past retention: 2000 - 50 held
        spard.ingest(batch("lang", 60, 0, 300))      # default retention: kept
        spard.ingest(batch("kort", 5, 5000, 100))    # young: kept

    def hold(self, spard):
        return spard.json("POST", "/v1/holds", body=(
            '{"scope":"subject","value":"6504121234","reason":"complaint from the person",'
            '"case_number":"KS-2026-117"}').encode(), expect=201)

    def test_purge_keeps_holds_and_the_log_verifiable(self):
        with Spard(config_extra=CONFIG) as spard:
            self.load(spard)
            sth = spard.json("POST", "/v1/integrity/verify")  # signs nothing; checks the start
            self.assertTrue(sth["ok"])
            hold = self.hold(spard)
            self.assertEqual(hold["value"], "196504121234")  # the normal form
            dry = spard.json("POST", "/v1/admin/purge", {"dry_run": "true"})
            self.assertEqual(dry["purged"], 1950)
            self.assertEqual(dry["held"], 50)
            self.assertEqual(spard.count(system="kort"), 2100)
            report = spard.json("POST", "/v1/admin/purge")
            self.assertEqual(report["purged"], 1950)
            self.assertEqual(report["by_system"], {"kort": 1950})
            self.assertEqual(spard.count(system="kort"), 150)
            self.assertEqual(spard.count(system="lang"), 300)
            self.assertEqual(spard.count(subject=HELD, system="kort"), 50 + 3)  # 3 young ones
            self.assertEqual(spard.count(object="kort:7"), 0)
            self.assertEqual(len(spard.events(system="kort", limit=1000)), 150)
            # Audited: the hold and the purge are events of system spard.
            audit = spard.events(system="spard")
            actions = [e["action"] for e in audit]
            self.assertIn("hold.add", actions)
            self.assertIn("purge", actions)
            purge_event = next(e for e in audit if e["action"] == "purge")
            self.assertEqual(purge_event["user"], "admin")
            self.assertIn("signature", purge_event["attrs"])
            # Still verifiable, and the heads signed before still chain to the new ones.
            v = spard.json("POST", "/v1/integrity/verify")
            self.assertTrue(v["ok"], v["problems"])
            self.assertEqual(v["purged"], 1950)
            # Lifting the hold lets the next purge take those events too.
            code, _, _ = spard.request("DELETE", f"/v1/holds/{hold['id']}")
            self.assertEqual(code, 200)
            self.assertEqual(spard.json("GET", "/v1/holds")["holds"], [])
            again = spard.json("POST", "/v1/admin/purge")
            self.assertEqual(again["purged"], 50)
            self.assertIn("hold.remove", [e["action"] for e in spard.events(system="spard")])
            self.assertTrue(spard.json("POST", "/v1/integrity/verify")["ok"])

    def test_spar_hold_and_purge(self):
        with Spard(config_extra=CONFIG) as spard:
            self.load(spard)
            host, port = spard.hostport("http")
            env = {k: v for k, v in os.environ.items() if not k.startswith("SPAR_")}
            env.update(SPAR_URL=f"http://{host}:{port}", SPAR_TOKEN=spard.token, TZ="UTC")

            def spar(*args):
                return subprocess.run([SPAR_BIN, *args], capture_output=True, text=True,
                                      env=env, timeout=120)
            added = spar("hold", "add", "--subject", "650412-1234", "--system", "kort",
                         "--reason", "complaint", "--case", "KS-2026-117")
            self.assertEqual(added.returncode, 0, added.stderr)
            self.assertRegex(added.stdout, r"^hold \d+ placed on subject 196504121234")
            self.assertEqual(spar("hold", "add", "--reason", "r", "--case", "c").returncode, 2)
            listed = spar("hold", "list", "--format", "json")
            holds = json.loads(listed.stdout)["holds"]
            self.assertEqual([(h["scope"], h["value"], h["system"], h["case_number"])
                              for h in holds],
                             [("subject", "196504121234", "kort", "KS-2026-117")])

            dry = spar("purge", "--dry-run")
            self.assertEqual(dry.returncode, 0, dry.stderr)
            self.assertIn("would purge 1950 events (kort 1950); 50 kept under a legal hold",
                          dry.stdout)
            self.assertEqual(spard.count(system="kort"), 2100)
            done = spar("purge", "--format", "json")
            self.assertEqual(json.loads(done.stdout)["purged"], 1950)
            self.assertEqual(spard.count(system="kort"), 150)

            removed = spar("hold", "remove", str(holds[0]["id"]))
            self.assertEqual(removed.returncode, 0, removed.stderr)
            self.assertEqual(spar("hold", "remove", str(holds[0]["id"])).returncode, 3)
            self.assertIn("purged 50 events", spar("purge").stdout)
            self.assertEqual(spar("verify").returncode, 0)

    def test_bad_hold_requests_name_the_field(self):
        with Spard(config_extra=CONFIG) as spard:
            for body, field in (('{"scope":"planet","value":"x","reason":"r","case_number":"c"}',
                                 "scope"),
                                ('{"scope":"user","reason":"r","case_number":"c"}', "value"),
                                ('{"scope":"user","value":"x","case_number":"c"}', "reason"),
                                ('{"scope":"user","value":"x","reason":"r","case_number":"c",'
                                 '"from":"soon"}', "from"),
                                ("not json", "body")):
                code, _, data = spard.request("POST", "/v1/holds", body=body.encode())
                self.assertEqual(code, 400, body)
                self.assertIn(field, data.decode())
            code, _, _ = spard.request("DELETE", "/v1/holds/99")
            self.assertEqual(code, 404)

    def test_a_purge_killed_half_way_verifies_and_a_rerun_completes_it(self):
        spard = Spard(config_extra=CONFIG, env={"SPARD_TEST_CRASH_AFTER_PURGE_RANGES": "10"})
        try:
            spard.start()
            self.load(spard)
            self.hold(spard)  # 50 held events split the purge into 51 ranges
            try:
                spard.request("POST", "/v1/admin/purge")
            except Exception:
                pass  # the process died mid-request, as intended
            spard.proc.wait(timeout=60)
            self.assertNotEqual(spard.proc.returncode, 0)
            spard.log.close()
            spard.env = None
            spard.start()
            v = spard.json("POST", "/v1/integrity/verify")
            self.assertTrue(v["ok"], v["problems"])
            self.assertGreater(v["purged"], 0)
            left = spard.count(system="kort")
            self.assertGreater(left, 150)  # not everything was purged before the crash
            report = spard.json("POST", "/v1/admin/purge")
            self.assertEqual(report["purged"], left - 150)
            self.assertEqual(spard.count(system="kort"), 150)
            self.assertTrue(spard.json("POST", "/v1/integrity/verify")["ok"])
        finally:
            spard.cleanup()


if __name__ == "__main__":
    unittest.main()
