#!/usr/bin/env python3
"""bench/query.py: investigator query latency over HTTP on a loaded, compacted store.

Loads N generated events (default 5M) into a fresh spard over TCP, waits until all are
counted, compacts (POST /v1/admin/compact), then measures over one HTTP/1.1 keep-alive
connection, warm (every query value asked once before timing), at least --samples requests
each:

  object_7d     GET /v1/events?object=O&from=..&to=..   a record, 7 days around one access
  user_1d       GET /v1/events?user=U&from=..&to=..     a user's day
  subject_all   GET /v1/events?subject=S                a person, all time; S cycles through
                                                        the personnummer forms (12 digits with
                                                        and without '-', 10 digits)
  system_count  GET /v1/events/count?system=X&from=..&to=..   a system's 30 days

Query values come from the generator's sidecar: events sampled evenly over time, with the
exact counts their queries must return. Before timing, every value's count is checked
against it (restricted to the generated span, which keeps spard's own audit events out);
a mismatch is reported, not hidden. Latency is client-observed (Python's http.client adds
roughly 0.1 ms); one JSON line per query kind with p50/p90/p99/max in ms.

  bench/query.py [--build-dir build] [--events 5M] [--samples 200] [--limit 100]
                 [--connections 2] [--data-dir DIR (reuse a loaded store)] [--keep]
"""

import argparse
import itertools
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import emit, log  # noqa: E402


def build_queries(sidecar, limit):
    """Query kind -> list of (params, expected count or None, count params)."""
    span = {"from": sidecar["start"], "to": sidecar["end"]}
    kinds = {"object_7d": [], "user_1d": [], "subject_all": [], "system_count": []}
    for i, s in enumerate(sidecar["samples"]):
        oq = s["object_query"]
        p = {"object": s["object"], "from": oq["from"], "to": oq["to"]}
        kinds["object_7d"].append((dict(p, limit=limit), oq["count"], p))
        uq = s["user_query"]
        p = {"user": s["user"], "from": uq["from"], "to": uq["to"]}
        kinds["user_1d"].append((dict(p, limit=limit), uq["count"], p))
        form = s["subject_forms"][i % len(s["subject_forms"])]
        kinds["subject_all"].append(({"subject": form, "limit": limit},
                                     s["subject_query"]["count"], dict(span, subject=form)))
    for sys_ in sidecar["systems"]:
        p = dict(span, system=sys_["name"])
        kinds["system_count"].append((p, sys_["events"], p))
    return kinds


def load(args, spard, sidecar, path):
    span = {"from": sidecar["start"], "to": sidecar["end"]}
    start = time.perf_counter()
    send_s = benchlib.send_file(spard.listen["syslog_tcp"], path, args.connections)
    done, _ = benchlib.wait_for_count(spard, sidecar["count"], span, poll=0.25)
    wall = done - start
    log(f"loaded {sidecar['count']} events in {wall:.1f}s ({sidecar['count'] / wall:.0f}/s, "
        f"sent in {send_s:.1f}s); compacting")
    compact_s = spard.compact()
    emit({"bench": "query", "phase": "load", "events": sidecar["count"],
          "connections": args.connections, "events_per_s": round(sidecar["count"] / wall),
          "wall_s": round(wall, 3), "compact_s": round(compact_s, 3),
          "disk_bytes": benchlib.du_bytes(os.path.join(spard.data_dir, "db"))})


def verify(spard, kinds):
    """Every query value's count against the generator's. Returns the mismatches."""
    mismatches = []
    for kind, queries in kinds.items():
        for _, expected, count_params in queries:
            got = spard.count(count_params)
            if got != expected:
                mismatches.append({"kind": kind, "params": count_params, "expected": expected,
                                   "got": got})
    return mismatches


def measure(spard, kind, queries, samples):
    path = "/v1/events/count" if kind == "system_count" else "/v1/events"
    for params, _, _ in queries:  # warm: every value once
        spard.get_json(path, params)
    latencies, returned, complete = [], [], 0
    load = benchlib.loadavg()
    for params, _, _ in itertools.islice(itertools.cycle(queries), max(samples, len(queries))):
        status, body, elapsed = spard.request("GET", path, params)
        if status != 200:
            raise RuntimeError(f"GET {path} {params}: HTTP {status}: {body[:300]!r}")
        latencies.append(elapsed)
        doc = json.loads(body)
        if kind != "system_count":
            returned.append(len(doc["events"]))
            complete += doc.get("next_cursor") is None
    result = {"bench": "query", "query": kind, "values": len(queries),
              "latency_ms": benchlib.percentiles(latencies),
              "queries_per_s": round(len(latencies) / sum(latencies)), "loadavg_1m": load}
    if returned:
        result["events_per_answer"] = round(sum(returned) / len(returned), 1)
        result["complete_share"] = round(complete / len(returned), 3)
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build-dir", default=os.path.join(os.path.dirname(here), "build"))
    p.add_argument("--spard", help="the daemon binary (default: BUILD_DIR/spard)")
    p.add_argument("--events", default="5M")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--samples", type=int, default=200, help="timed requests per query kind")
    p.add_argument("--values", type=int, default=64, help="distinct query values per kind")
    p.add_argument("--limit", type=int, default=100, help="page size (the API's default: 100)")
    p.add_argument("--connections", type=int, default=2, help="TCP connections for loading")
    p.add_argument("--data-dir", help="a data directory already loaded by an earlier --keep "
                   "run with the same --events and --seed: skip loading")
    p.add_argument("--work-dir", help="default: BUILD_DIR/bench-data")
    p.add_argument("--keep", action="store_true", help="keep the loaded data directory")
    args = p.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    work_base = os.path.abspath(args.work_dir or os.path.join(args.build_dir, "bench-data"))

    path, sidecar = benchlib.generate(args.build_dir, work_base, benchlib.parse_count(args.events),
                                      seed=args.seed, samples=args.values)
    work = None
    if args.data_dir:
        data_dir = os.path.abspath(args.data_dir)
    else:
        work = benchlib.make_work_dir(work_base, "query-")
        data_dir = os.path.join(work, "spard")
    spard = benchlib.Spard(args.build_dir, data_dir, binary=args.spard)
    failed = False
    try:
        spard.start()
        if not args.data_dir:
            load(args, spard, sidecar, path)
        kinds = build_queries(sidecar, args.limit)
        mismatches = verify(spard, kinds)
        emit({"bench": "query", "phase": "verify", "checked": sum(map(len, kinds.values())),
              "mismatches": len(mismatches), "first_mismatches": mismatches[:5]})
        failed = bool(mismatches)
        for kind, queries in kinds.items():
            r = measure(spard, kind, queries, args.samples)
            r["events"] = sidecar["count"]
            r["limit"] = args.limit
            emit(r)
        emit({"bench": "query", "phase": "end", "peak_rss_mib":
              round(benchlib.proc_status_mib(spard.pid, "VmHWM"), 1)})
    except (RuntimeError, OSError) as e:
        failed = True
        emit({"bench": "query", "error": str(e)[:2000]})
    finally:
        spard.stop()
        if work:
            if args.keep:
                log(f"kept {data_dir}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
