#!/usr/bin/env python3
"""bench/ingest.py: end-to-end ingest over TCP, spard against rsyslog in the same run.

N generated RFC 5424 events (default 2M, time-ordered) go over ONE TCP connection, in large
sendall() chunks, as fast as the receiver takes them:

  rsyslog  a private rsyslogd (imtcp -> omfile, the raw message per line; no index, no fsync),
           timed until its output file holds N lines. The baseline: what forwarding to a flat
           file costs on this machine right now.
  spard    build/spard on port 0 with a fresh data directory, timed until
           GET /v1/events/count (restricted to the generated time span, which excludes spard's
           own audit events) answers N: every event durable, indexed and counted. Then
           POST /v1/admin/compact and the size of <data_dir>/db.

One JSON line per target, then one with the ratio spard / rsyslog. Events/s are comparable
only within one run (the machine is shared); the ratio is the figure to track.

  bench/ingest.py [--build-dir build] [--events 2M] [--format rfc5424|ndjson|rfc3164|cef|mixed]
                  [--baseline-only | --no-baseline] [--connections 1] [--work-dir DIR] [--keep]
"""

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import emit, log  # noqa: E402


def run_rsyslog(args, path, sidecar, work):
    events = sidecar["count"]
    rs = benchlib.Rsyslog(os.path.join(work, "rsyslog"))
    rs.start()
    try:
        cpu0 = benchlib.proc_cpu_seconds(rs.pid)
        load = benchlib.loadavg()
        start = time.perf_counter()
        send_s = benchlib.send_file(f"127.0.0.1:{rs.port}", path, args.connections)
        done, lines = rs.wait_for_lines(events)
        wall = done - start
        cpu = benchlib.proc_cpu_seconds(rs.pid) - cpu0
        peak = benchlib.proc_status_mib(rs.pid, "VmHWM")
    finally:
        rs.stop()
    out_bytes = os.path.getsize(rs.output)
    result = {
        "bench": "ingest", "target": "rsyslog", "format": sidecar["format"], "events": events,
        "connections": args.connections, "events_per_s": round(events / wall),
        "bytes_per_s": round(sidecar["file_bytes"] / wall), "wall_s": round(wall, 3),
        "send_s": round(send_s, 3), "drain_s": round(wall - send_s, 3),
        "cpu_s": round(cpu, 2), "cpu_us_per_event": round(cpu / events * 1e6, 2),
        "peak_rss_mib": round(peak, 1), "output_lines": lines,
        "output_matches_input": out_bytes == sidecar["file_bytes"], "loadavg_1m": load,
    }
    if out_bytes != sidecar["file_bytes"]:
        log(f"note: rsyslog wrote {out_bytes} bytes for {sidecar['file_bytes']} sent")
    emit(result)
    return result


def run_spard(args, path, sidecar, work):
    events = sidecar["count"]
    # The generated span, to keep spard's audit events (one per query, "now") out of the count.
    span = {"from": sidecar["start"], "to": sidecar["end"]}
    spard = benchlib.Spard(args.build_dir, os.path.join(work, "spard"), binary=args.spard)
    spard.start()
    sampler = benchlib.ProcSampler(spard.pid)
    sampler.start()
    try:
        if spard.count(span) != 0:
            raise RuntimeError("a fresh data directory should hold no events")
        cpu0 = benchlib.proc_cpu_seconds(spard.pid)
        load = benchlib.loadavg()
        start = time.perf_counter()
        send_s = benchlib.send_file(spard.listen["syslog_tcp"], path, args.connections)
        log(f"spard: sent in {send_s:.2f}s, waiting for the count")
        done, counted = benchlib.wait_for_count(spard, events, span, poll=args.poll)
        wall = done - start
        cpu = benchlib.proc_cpu_seconds(spard.pid) - cpu0
        peak = benchlib.proc_status_mib(spard.pid, "VmHWM")
        log("spard: compacting")
        compact_s = spard.compact()
        peak_with_compact = benchlib.proc_status_mib(spard.pid, "VmHWM")
    finally:
        sampler.stop()
        spard.stop()
    db_bytes = benchlib.du_bytes(os.path.join(spard.data_dir, "db"))
    ndjson_per_event = sidecar["ndjson_bytes"] / events
    result = {
        "bench": "ingest", "target": "spard", "format": sidecar["format"], "events": events,
        "connections": args.connections, "events_per_s": round(events / wall),
        "bytes_per_s": round(sidecar["file_bytes"] / wall), "wall_s": round(wall, 3),
        "send_s": round(send_s, 3), "drain_s": round(wall - send_s, 3),
        "cpu_s": round(cpu, 2), "cpu_us_per_event": round(cpu / events * 1e6, 2),
        "peak_rss_mib": round(peak, 1),
        "peak_rss_with_compact_mib": round(peak_with_compact, 1),
        "compact_s": round(compact_s, 3), "disk_bytes": db_bytes,
        "bytes_per_event": round(db_bytes / events, 1),
        "ndjson_bytes_per_event": round(ndjson_per_event, 1),
        "ratio_to_ndjson": round(db_bytes / events / ndjson_per_event, 3),
        "counted": counted, "loadavg_1m": load,
    }
    emit(result)
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build-dir", default=os.path.join(os.path.dirname(here), "build"))
    p.add_argument("--spard", help="the daemon binary (default: BUILD_DIR/spard)")
    p.add_argument("--events", default="2M", help="number of events (k/M suffixes)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", default="rfc5424",
                   choices=["rfc5424", "ndjson", "rfc3164", "cef", "mixed"],
                   help="mixed: RFC 5424, NDJSON, RFC 3164 and CEF lines, a quarter each, on "
                   "the same connection")
    p.add_argument("--shuffled", action="store_true", help="random time order")
    p.add_argument("--connections", type=int, default=1)
    p.add_argument("--baseline-only", action="store_true", help="rsyslog only")
    p.add_argument("--no-baseline", action="store_true", help="spard only")
    p.add_argument("--poll", type=float, default=0.1, help="count poll interval, seconds")
    p.add_argument("--work-dir", help="inputs (kept and reused) and data directories "
                   "(default: BUILD_DIR/bench-data)")
    p.add_argument("--keep", action="store_true", help="keep data directories")
    args = p.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    work_base = os.path.abspath(args.work_dir or os.path.join(args.build_dir, "bench-data"))

    path, sidecar = benchlib.generate(args.build_dir, work_base, benchlib.parse_count(args.events),
                                      fmt=args.format, seed=args.seed, shuffled=args.shuffled)
    work = benchlib.make_work_dir(work_base, "ingest-")
    failed = False
    try:
        baseline = None
        if not args.no_baseline:
            baseline = run_rsyslog(args, path, sidecar, work)
        if not args.baseline_only:
            try:
                result = run_spard(args, path, sidecar, work)
            except (RuntimeError, OSError) as e:
                failed = True
                emit({"bench": "ingest", "target": "spard", "error": str(e)[:2000]})
                result = None
            if baseline and result:
                emit({"bench": "ingest", "target": "ratio", "format": sidecar["format"],
                      "events": sidecar["count"],
                      "spard_over_rsyslog": round(result["events_per_s"] /
                                                  baseline["events_per_s"], 3),
                      "spard_events_per_s": result["events_per_s"],
                      "rsyslog_events_per_s": baseline["events_per_s"]})
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
