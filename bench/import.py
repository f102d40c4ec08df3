#!/usr/bin/env python3
"""bench/import.py: `spar import` of N generated events from a file, with its baselines measured
in the same run on the same input.

The input is spard_gen's mixed format (half RFC 5424, half NDJSON, time-ordered; 5M events are
about 1.1 GiB), plain and gzipped (both cached in BUILD/bench-data). Targets, in this order:

  read       `cat FILE > /dev/null`: what reading the file costs (the page cache is warm)
  gunzip     `gzip -dc FILE.gz > /dev/null`: what decompressing it costs
  decode     `spar import --dry-run FILE`: read, frame, detect, parse and map every message,
             store nothing. The import's own part of the work, on one thread.
  import     `spar import FILE` into a fresh data directory (bulk load: no WAL, atomic
             flushes), timed until it exits with everything on disk and indexed
  import_gz  the same from FILE.gz
  synced     `spar import --synced FILE`: the WAL synced per batch, as spard writes live events,
             to show what the bulk load saves
  tcp        the same file sent to a fresh spard over one TCP connection, timed until
             GET /v1/events/count answers N: live ingest, durable and indexed

Each target prints one JSON line: events/s, bytes/s, wall and CPU seconds, CPU µs per event,
peak RSS; the imports also the CPU of each thread by name (spar: the reading and decoding
thread; spard-writer: the store's serial group commit and in-memory index; spard-index: the
segment builder; rocksdb:high/low: flushes and compactions) and the store's size. A final
`ratio` line divides the import's events/s by each baseline's. Events/s move with the load of
this shared machine; the ratios and cpu_us_per_event are the figures to compare across runs.

  bench/import.py [--build-dir build] [--events 5M] [--targets read,gunzip,decode,import,...]
                  [--work-dir DIR] [--keep]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import emit, log  # noqa: E402

ALL_TARGETS = ["read", "gunzip", "decode", "import", "import_gz", "synced", "tcp"]


class ThreadCpu(threading.Thread):
    """Samples the CPU seconds of every thread of a process by name (/proc/PID/task), so the
    last sample before it exits says where the time went."""

    def __init__(self, pid, interval=0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.last = {}  # tid -> (name, cpu seconds)
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            try:
                for tid in os.listdir(f"/proc/{self.pid}/task"):
                    with open(f"/proc/{self.pid}/task/{tid}/stat") as f:
                        s = f.read()
                    name = s[s.index("(") + 1:s.rindex(")")]
                    fields = s.rsplit(")", 1)[1].split()
                    self.last[tid] = (name, (int(fields[11]) + int(fields[12])) /
                                      benchlib.CLK_TCK)
            except (OSError, ValueError):
                pass
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()

    def by_name(self):
        out = {}
        for name, cpu in self.last.values():
            out[name] = out.get(name, 0.0) + cpu
        return out


def run_process(cmd, stdout=subprocess.DEVNULL, threads=False):
    """Runs cmd to its end. Returns (wall s, cpu s, peak RSS MiB, {thread name: cpu s})."""
    load = benchlib.loadavg()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    sampler = ThreadCpu(proc.pid) if threads else None
    if sampler:
        sampler.start()
    # wait4 gives the child's own CPU time and peak RSS.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    if sampler:
        sampler.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024.0, (sampler.by_name() if sampler else {}), load


def result_line(target, events, nbytes, wall, cpu, rss, load, **extra):
    r = {"bench": "import", "target": target, "events": events,
         "events_per_s": round(events / wall), "bytes_per_s": round(nbytes / wall),
         "wall_s": round(wall, 3), "cpu_s": round(cpu, 2),
         "cpu_us_per_event": round(cpu / events * 1e6, 2), "peak_rss_mib": round(rss, 1),
         "loadavg_1m": load}
    r.update(extra)
    emit(r)
    return r


def run_shell_baseline(target, shell, events, nbytes):
    wall, cpu, rss, _, load = run_process(["sh", "-c", shell])
    return result_line(target, events, nbytes, wall, cpu, rss, load, command=shell)


def run_import(args, target, path, events, work, extra_args=()):
    data = os.path.join(work, target)
    cmd = [args.spar, "import", "--format", "ndjson", "--data-dir", data, *extra_args, path]
    log(f"{target}: {' '.join(cmd)}")
    out_path = os.path.join(work, target + ".out")
    with open(out_path, "wb") as out:
        wall, cpu, rss, threads, load = run_process(cmd, stdout=out, threads=True)
    with open(out_path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    stored = lines[0]["events"] + lines[0]["quarantined"]
    if stored != events:
        raise RuntimeError(f"{target}: {stored} messages stored of {events}")
    disk = benchlib.du_bytes(os.path.join(data, "db")) if "--dry-run" not in extra_args else 0
    thread_us = {name: round(s / events * 1e6, 3) for name, s in sorted(threads.items())
                 if s >= 0.05}
    busy = {name: round(s / wall, 2) for name, s in sorted(threads.items()) if s >= 0.05}
    r = result_line(target, events, os.path.getsize(path), wall, cpu, rss, load,
                    input_bytes=os.path.getsize(path), thread_cpu_us_per_event=thread_us,
                    thread_busy=busy, disk_bytes=disk,
                    bytes_per_event=round(disk / events, 1) if disk else None)
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    return r


def run_tcp(args, path, sidecar, work):
    events = sidecar["count"]
    span = {"from": sidecar["start"], "to": sidecar["end"]}
    spard = benchlib.Spard(args.build_dir, os.path.join(work, "tcp"))
    spard.start()
    try:
        cpu0 = benchlib.proc_cpu_seconds(spard.pid)
        load = benchlib.loadavg()
        start = time.perf_counter()
        benchlib.send_file(spard.listen["syslog_tcp"], path)
        done, _ = benchlib.wait_for_count(spard, events, span)
        wall = done - start
        cpu = benchlib.proc_cpu_seconds(spard.pid) - cpu0
        peak = benchlib.proc_status_mib(spard.pid, "VmHWM")
    finally:
        spard.stop()
        if not args.keep:
            shutil.rmtree(spard.data_dir, ignore_errors=True)
    return result_line("tcp", events, os.path.getsize(path), wall, cpu, peak, load)


def gzipped(path):
    gz = path + ".gz"
    if not os.path.exists(gz) or os.path.getmtime(gz) < os.path.getmtime(path):
        log(f"compressing {path} (gzip -6, once)")
        subprocess.run(["sh", "-c", f"gzip -6 -c '{path}' > '{gz}.tmp' && mv '{gz}.tmp' '{gz}'"],
                       check=True)
    return gz


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build-dir", default=os.path.join(os.path.dirname(here), "build"))
    p.add_argument("--events", default="5M", help="number of events (k/M suffixes)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--targets", default=",".join(ALL_TARGETS),
                   help="comma-separated subset of " + ",".join(ALL_TARGETS))
    p.add_argument("--work-dir", help="inputs (kept and reused) and data directories "
                   "(default: BUILD_DIR/bench-data)")
    p.add_argument("--keep", action="store_true", help="keep data directories")
    args = p.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    args.spar = os.path.join(args.build_dir, "spar")
    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(ALL_TARGETS)
    if unknown:
        p.error(f"unknown targets: {', '.join(sorted(unknown))}")
    work_base = os.path.abspath(args.work_dir or os.path.join(args.build_dir, "bench-data"))

    path, sidecar = benchlib.generate(args.build_dir, work_base, benchlib.parse_count(args.events),
                                      fmt="mixed", seed=args.seed)
    events = sidecar["count"]
    gz = gzipped(path) if {"gunzip", "import_gz"} & set(targets) else None
    work = benchlib.make_work_dir(work_base, "import-")
    results, failed = {}, False
    try:
        for target in targets:
            try:
                if target == "read":
                    r = run_shell_baseline("read", f"cat '{path}' > /dev/null", events,
                                           os.path.getsize(path))
                elif target == "gunzip":
                    r = run_shell_baseline("gunzip", f"gzip -dc '{gz}' > /dev/null", events,
                                           os.path.getsize(gz))
                elif target == "decode":
                    r = run_import(args, "decode", path, events, work, ["--dry-run"])
                elif target == "import":
                    r = run_import(args, "import", path, events, work)
                elif target == "import_gz":
                    r = run_import(args, "import_gz", gz, events, work)
                elif target == "synced":
                    r = run_import(args, "synced", path, events, work, ["--synced"])
                else:
                    r = run_tcp(args, path, sidecar, work)
                results[target] = r
            except (RuntimeError, OSError) as e:
                failed = True
                emit({"bench": "import", "target": target, "error": str(e)[:2000]})
        if "import" in results:
            imp = results["import"]["events_per_s"]
            ratio = {"bench": "import", "target": "ratio", "events": events,
                     "import_events_per_s": imp}
            for base in ("read", "gunzip", "decode", "import_gz", "synced", "tcp"):
                if base in results:
                    ratio[f"import_over_{base}"] = round(imp / results[base]["events_per_s"], 3)
            emit(ratio)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
