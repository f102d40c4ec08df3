"""Per-system mappings end to end: free text the default mapping cannot read goes to quarantine;
after a restart with a [[mapping]] for it, POST /v1/quarantine/reprocess moves every message into
the store, mapped field by field and with its original receive time, exactly once; and new
messages are mapped as they arrive."""

import unittest

from spard_harness import Spard, wait_for

# Two kinds of free text from a journal system that sends RFC 3164 (docs/ingest_formats.md):
#   with a TAG ("journal[311]:"), chosen by match_app; the system is the TAG;
#   without one (an older module), chosen by match_message; the system is a static value.
MAPPINGS = r"""
[[mapping]]
name = "journal-tagged"
match_app = "journal"
regex = ['^(?P<object>Journal (?P<subject>\d{8}-\d{4})) öppnad av (?P<user>\S+) \((?P<attrs_unit>.+)\)$']
[mapping.static]
action = "read"

[[mapping]]
name = "journal-untagged"
match_message = ' Journal \d{8}-\d{4} (öppnad|utskriven) av '
regex = ['^(?P<object>Journal (?P<subject>\d{8}-\d{4})) (?P<action>öppnad|utskriven) av (?P<user>\S+)']
[mapping.static]
system = "procapita"
"attrs.kommun" = "Exempelby"
"""

SUBJECTS = ["19121212-1212", "19650412-1234", "20121212-1212", "19650472-1231"]
USERS = ["anna.k", "bo.b", "cecilia.c", "david.d"]
UNITS = ["Vårdenhet Norr", "Vårdenhet Syd"]


def tagged(i):
    """(line, what it must map to) for the i-th message with a TAG."""
    subject, user, unit = SUBJECTS[i % 4], USERS[i % 4], UNITS[i % 2]
    line = (f"<134>2026-02-10T10:00:{i:02d}+01:00 vard01 journal[311]: "
            f"Journal {subject} öppnad av {user} ({unit})")
    return line, {"ts": f"2026-02-10T09:00:{i:02d}Z", "system": "journal", "user": user,
                  "action": "read", "object": f"Journal {subject}", "subject": subject,
                  "host": "vard01", "attrs": {"unit": unit, "spard.mapping": "journal-tagged"}}


def untagged(i):
    """(line, what it must map to) for the i-th message without a TAG."""
    subject, user = SUBJECTS[(i + 1) % 4], USERS[(i + 2) % 4]
    action = "utskriven" if i % 2 else "öppnad"
    line = f"<134>2026-02-10T11:00:{i:02d}+01:00 vard02 Journal {subject} {action} av {user}"
    return line, {"ts": f"2026-02-10T10:00:{i:02d}Z", "system": "procapita", "user": user,
                  "action": action, "object": f"Journal {subject}", "subject": subject,
                  "host": "vard02",
                  "attrs": {"kommun": "Exempelby", "spard.mapping": "journal-untagged"}}


class MappingTest(unittest.TestCase):
    def setUp(self):
        self.spard = Spard().start()

    def tearDown(self):
        self.spard.cleanup()

    def quarantine(self, **params):
        return self.spard.json("GET", "/v1/quarantine", dict(params, limit=1000))["quarantine"]

    def mapped_events(self):
        """Every event a mapping made (spard's own audit events and the rest left out)."""
        return [e for e in self.spard.events(**{"from": "2026-02-10", "to": "2026-02-11"})
                if "spard.mapping" in e["attrs"]]

    def check_event(self, event, expected, received=None, raw=None):
        for key in ("ts", "system", "user", "action", "object", "subject", "host"):
            self.assertEqual(event[key], expected[key], (key, event))
        for key in ("outcome", "client_ip", "reason"):
            self.assertIsNone(event[key], (key, event))
        for key, value in expected["attrs"].items():
            self.assertEqual(event["attrs"].get(key), value, (key, event))
        self.assertEqual(event["format"], "rfc3164")
        if received is not None:
            self.assertEqual(event["received"], received)
        if raw is not None:
            self.assertEqual(event["raw"], raw)

    def test_reprocess_after_a_mapping_fix_then_live_messages(self):
        cases = [tagged(i) for i in range(6)] + [untagged(i) for i in range(4)]
        lines = [line for line, _ in cases]
        self.spard.tcp_send("".join(line + "\n" for line in lines).encode())

        # Without a mapping: all in quarantine, with the default mapping's reason.
        held = wait_for(lambda: (lambda q: q if len(q) == len(lines) else None)(self.quarantine()),
                        what=f"{len(lines)} quarantined")
        self.assertEqual(sorted(r["raw"] for r in held), sorted(lines))
        for r in held:
            self.assertEqual(r["reason"], "missing field: user, object", r)
        received = {r["raw"]: r["received"] for r in held}
        self.assertEqual(self.mapped_events(), [])

        # Restart with the mappings: nothing moves by itself.
        self.assertEqual(self.spard.stop(), 0)
        self.spard.config_extra = MAPPINGS
        self.spard.start()
        self.assertIn("mapping journal-tagged", self.spard.read_log())
        self.assertEqual(len(self.quarantine()), len(lines))

        answer = self.spard.json("POST", "/v1/quarantine/reprocess")
        self.assertEqual((answer["examined"], answer["reprocessed"], answer["remaining"]),
                         (len(lines), len(lines), 0), answer)

        # Every message is an event now, mapped field by field, received when it first came.
        events = wait_for(lambda: (lambda ev: ev if len(ev) == len(lines) else None)(
            self.mapped_events()), what="the re-processed events")
        by_raw = {e["raw"]: e for e in events}
        self.assertEqual(sorted(by_raw), sorted(lines))  # each once
        for line, expected in cases:
            self.check_event(by_raw[line], expected, received=received[line], raw=line)
            self.assertEqual(by_raw[line]["source"]["listener"], "tcp")
        self.assertEqual(self.quarantine(), [])
        # The indexes have them too: by subject in another written form, and by user.
        self.assertEqual(self.spard.count(subject="191212121212", system="journal"), 2)
        self.assertEqual(self.spard.count(user="anna.k", **{"from": "2026-02-10"}), 3)

        # A second re-processing moves nothing, so nothing is stored twice.
        again = self.spard.json("POST", "/v1/quarantine/reprocess")
        self.assertEqual((again["examined"], again["reprocessed"]), (0, 0), again)
        self.assertEqual(len(self.mapped_events()), len(lines))

        # New messages are mapped as they arrive, over any listener.
        live_tagged, want_tagged = tagged(7)
        live_untagged, want_untagged = untagged(5)
        self.spard.tcp_send((live_tagged + "\n").encode())
        self.spard.udp_send([live_untagged.encode()])
        events = wait_for(lambda: (lambda ev: ev if len(ev) == len(lines) + 2 else None)(
            self.mapped_events()), what="the live events")
        by_raw = {e["raw"]: e for e in events}
        self.check_event(by_raw[live_tagged], want_tagged, raw=live_tagged)
        self.check_event(by_raw[live_untagged], want_untagged, raw=live_untagged)
        self.assertEqual(by_raw[live_untagged]["source"]["listener"], "udp")
        self.assertEqual(self.quarantine(), [])

        metrics = self.spard.metrics()
        self.assertEqual(metrics['spard_ingest_mapping_selected{mapping="journal-tagged"}'], 7)
        self.assertEqual(metrics['spard_ingest_mapping_selected{mapping="journal-untagged"}'], 5)

    def test_a_mapped_message_still_lacking_a_field_names_its_mapping(self):
        self.spard.stop()
        self.spard.config_extra = MAPPINGS
        self.spard.start()
        line = "<134>2026-02-10T10:00:00+01:00 vard01 journal[311]: Journal stängd"
        self.spard.tcp_send((line + "\n").encode())
        held = wait_for(lambda: self.quarantine(), what="the quarantined message")
        self.assertEqual([(r["raw"], r["reason"]) for r in held],
                         [(line, "missing field: user, object (mapping journal-tagged)")])

    def test_a_bad_mapping_stops_start_up_naming_table_key_and_line(self):
        self.spard.stop()
        self.spard.config_extra = MAPPINGS + '\n[[mapping]]\nname = "broken"\nuser = ["jsn:x"]\n'
        with self.assertRaises(AssertionError) as failed:
            self.spard.start()
        self.assertIn('mapping[2].user[0]: unknown source "jsn:"', str(failed.exception))


if __name__ == "__main__":
    unittest.main()
