"""What spard's end-to-end benchmarks share: input generation, a spard daemon and a private
rsyslogd under test, TCP sending, HTTP with the admin token, and /proc accounting.

Python 3 standard library only. Results are JSON lines on stdout (emit); progress goes to
stderr (log), so `bench/run_all.sh | tee` keeps a clean result file.

Everything is written against ../shared/SPEC.md: spard started with port 0 writes
<data_dir>/listen.json once every listener is bound and the store is open, and the admin
token is in <data_dir>/admin.token.
"""

import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def emit(obj):
    print(json.dumps(obj, separators=(",", ":"), ensure_ascii=False), flush=True)


def parse_count(s):
    """'2M', '500k' or '2000000'."""
    s = str(s).strip()
    mult = 1
    if s[-1:] in "kK":
        mult, s = 1000, s[:-1]
    elif s[-1:] in "mM":
        mult, s = 1000000, s[:-1]
    return int(s) * mult


def loadavg():
    return round(os.getloadavg()[0], 2)


def machine_info():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024
    except OSError:
        pass
    return {
        "bench": "machine",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": platform.node(),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "mem_mib": mem,
        "loadavg_1m": loadavg(),
    }


def percentiles(samples_s):
    """p50/p90/p99/max in milliseconds of a list of seconds."""
    if not samples_s:
        return {}
    v = sorted(samples_s)

    def p(q):
        return round(v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))] * 1e3, 3)

    return {"p50": p(0.5), "p90": p(0.9), "p99": p(0.99), "max": p(1.0),
            "mean": round(sum(v) / len(v) * 1e3, 3), "n": len(v)}


# --- /proc accounting ------------------------------------------------------------------------

def proc_cpu_seconds(pid):
    """utime + stime of a process (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name may contain spaces: the fields start after its closing parenthesis.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status_mib(pid, key):
    """A 'VmHWM:  1234 kB' style line of /proc/PID/status, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return -1.0


class ProcSampler(threading.Thread):
    """Samples a process's RSS while it runs; VmHWM (the kernel's own peak) is read at the end,
    the samples only show when the peak happened."""

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.max_rss_mib = 0.0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            try:
                self.max_rss_mib = max(self.max_rss_mib, proc_status_mib(self.pid, "VmRSS"))
            except OSError:
                return
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


def du_bytes(path):
    """Apparent size of all files under path (`du --apparent-size -sb`)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


# --- Input ---------------------------------------------------------------------------------

def find_binary(build_dir, name):
    for candidate in (os.path.join(build_dir, "bench", name), os.path.join(build_dir, name)):
        if os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit(f"{name} not found in {build_dir} (build the bench targets first)")


def generate(build_dir, work_dir, count, fmt="rfc5424", seed=1, shuffled=False, samples=64):
    """Generates (or reuses) an input file and its sidecar. Returns (path, sidecar dict)."""
    os.makedirs(work_dir, exist_ok=True)
    stem = f"events-{fmt}-{count}-s{seed}{'-shuffled' if shuffled else ''}"
    path = os.path.join(work_dir, stem + ".log")
    sidecar_path = os.path.join(work_dir, stem + ".json")
    if os.path.exists(path) and os.path.exists(sidecar_path):
        with open(sidecar_path) as f:
            sidecar = json.load(f)
        if sidecar.get("file_bytes") == os.path.getsize(path) and \
                len(sidecar.get("samples", [])) >= samples:
            log(f"reusing {path}")
            return path, sidecar
    cmd = [find_binary(build_dir, "spard_gen"), "--count", str(count), "--format", fmt,
           "--seed", str(seed), "--sidecar", sidecar_path, "--samples", str(samples),
           "-o", path]
    if shuffled:
        cmd.append("--shuffled")
    log("generating: " + " ".join(cmd))
    subprocess.run(cmd, check=True)
    with open(sidecar_path) as f:
        return path, json.load(f)


def split_lines(path, parts):
    """Byte ranges [(begin, end)] cutting the file into `parts` pieces at line ends."""
    size = os.path.getsize(path)
    cuts = [0]
    with open(path, "rb") as f:
        for k in range(1, parts):
            f.seek(size * k // parts)
            f.readline()
            cuts.append(max(f.tell(), cuts[-1]))
    cuts.append(size)
    return list(zip(cuts[:-1], cuts[1:]))


def send_file(host_port, path, connections=1, chunk=4 << 20):
    """Sends the file's lines over `connections` TCP connections (one byte range each) as fast
    as the receiver takes them. Returns seconds until the last byte was handed to the kernel."""
    host, port = host_port.rsplit(":", 1)
    errors = []

    def one(begin, end):
        try:
            with socket.create_connection((host, int(port))) as s, open(path, "rb") as f:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
                f.seek(begin)
                left = end - begin
                while left > 0:
                    data = f.read(min(chunk, left))
                    if not data:
                        break
                    s.sendall(data)
                    left -= len(data)
                # A plain close: the kernel still delivers what is buffered, then FIN. (The
                # receiver never writes to us, so there is no unread data to turn it into RST.)
        except OSError as e:
            errors.append(e)

    start = time.perf_counter()
    threads = [threading.Thread(target=one, args=r) for r in split_lines(path, connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


# --- spard ---------------------------------------------------------------------------------

class Spard:
    """A spard daemon on port 0 with its own data directory."""

    def __init__(self, build_dir, data_dir, extra_toml="", binary=None):
        self.binary = binary or os.path.join(build_dir, "spard")
        if not os.access(self.binary, os.X_OK):
            raise SystemExit(f"{self.binary} not found: build spard first")
        self.data_dir = data_dir
        self.extra_toml = extra_toml
        self.proc = None
        self.listen = {}
        self.token = ""
        self._conn = None

    def start(self, timeout=120):
        os.makedirs(self.data_dir, exist_ok=True)
        config = os.path.join(self.data_dir, "..", os.path.basename(self.data_dir) + ".toml")
        config = os.path.abspath(config)
        with open(config, "w") as f:
            f.write("[storage]\n"
                    f"data_dir = {json.dumps(os.path.abspath(self.data_dir))}\n\n"
                    "[listen]\n"
                    'syslog_tcp = "127.0.0.1:0"\n'
                    'syslog_udp = ""\n'
                    'http = "127.0.0.1:0"\n'
                    'relp = ""\n\n'
                    # The generator writes RFC 3164 and CEF header times in UTC.
                    "[ingest]\n"
                    'rfc3164_timezone = "UTC"\n' + self.extra_toml)
        self.log_path = os.path.abspath(self.data_dir) + ".log"
        listen_path = os.path.join(self.data_dir, "listen.json")
        if os.path.exists(listen_path):
            os.unlink(listen_path)  # a stale one from an earlier run must not be mistaken
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([self.binary, "--config", config], stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"spard exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with open(listen_path) as f:
                    self.listen = json.load(f)
                if "syslog_tcp" in self.listen and "http" in self.listen:
                    break
            except (OSError, ValueError):
                pass  # not there yet, or being written
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {listen_path} after {timeout}s:\n{self.log_tail()}")
            time.sleep(0.02)
        with open(os.path.join(self.data_dir, "admin.token")) as f:
            self.token = f.read().strip()
        log(f"spard pid {self.proc.pid} ready: {self.listen}")

    @property
    def pid(self):
        return self.proc.pid

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    def request(self, method, path, params=None, timeout=60):
        """One request on a kept-alive connection: (status, body bytes, seconds)."""
        if params:
            path += "?" + urllib.parse.urlencode(params)
        headers = {"Authorization": f"Bearer {self.token}"}
        for attempt in range(2):
            if self._conn is None:
                host, port = self.listen["http"].rsplit(":", 1)
                self._conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
            self._conn.timeout = timeout
            if self._conn.sock is not None:
                self._conn.sock.settimeout(timeout)
            try:
                start = time.perf_counter()
                self._conn.request(method, path, headers=headers)
                resp = self._conn.getresponse()
                body = resp.read()
                elapsed = time.perf_counter() - start
                if resp.getheader("Connection", "").lower() == "close":
                    self._conn.close()
                    self._conn = None
                return resp.status, body, elapsed
            except (http.client.HTTPException, ConnectionError, socket.timeout):
                self._conn.close()
                self._conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def get_json(self, path, params=None, timeout=60):
        status, body, elapsed = self.request("GET", path, params, timeout)
        if status != 200:
            raise RuntimeError(f"GET {path} {params}: HTTP {status}: {body[:300]!r}")
        return json.loads(body), elapsed

    def count(self, params=None):
        return self.get_json("/v1/events/count", params)[0]["count"]

    def compact(self, timeout=1800):
        status, body, elapsed = self.request("POST", "/v1/admin/compact", timeout=timeout)
        if status != 200:
            raise RuntimeError(f"POST /v1/admin/compact: HTTP {status}: {body[:300]!r}")
        return elapsed

    def stop(self, timeout=120):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log("spard did not stop on SIGTERM; killing it")
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def wait_for_count(spard, expected, params, on_tick=None, poll=0.1, stall_timeout=60):
    """Polls GET /v1/events/count with `params` until it reaches `expected`. Returns the
    perf_counter time when it did. The filter should exclude spard's own audit events (each
    query is recorded as an event of system spard): the generated time span does that."""
    last, last_change = -1, time.monotonic()
    while True:
        n = spard.count(params)
        now = time.perf_counter()
        if on_tick:
            on_tick(n)
        if n >= expected:
            if n > expected:
                log(f"warning: count {n} exceeds the {expected} events sent")
            return now, n
        if n != last:
            last, last_change = n, time.monotonic()
        elif time.monotonic() - last_change > stall_timeout:
            raise RuntimeError(f"count stuck at {n} of {expected} for {stall_timeout}s "
                               f"(quarantined messages? see {spard.log_path})")
        if spard.proc.poll() is not None:
            raise RuntimeError(f"spard exited with {spard.proc.returncode}:\n{spard.log_tail()}")
        time.sleep(poll)


# --- rsyslog (the baseline) -----------------------------------------------------------------

class Rsyslog:
    """A private rsyslogd: imtcp on a kernel-chosen port -> omfile with the raw message, in its
    own work directory. Never the system service."""

    def __init__(self, work_dir):
        self.binary = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
        if not os.access(self.binary, os.X_OK):
            raise SystemExit("rsyslogd not found: apt-get install rsyslog (make deps does)")
        self.dir = work_dir
        self.output = os.path.join(work_dir, "out.log")
        self.proc = None
        self.port = None

    def start(self, timeout=30):
        os.makedirs(self.dir, exist_ok=True)
        port_file = os.path.join(self.dir, "imtcp.port")
        conf = os.path.join(self.dir, "rsyslog.conf")
        with open(conf, "w") as f:
            # %rawmsg% is the message as received, without the LF framing: the lines come out as
            # they went in. omfile keeps its defaults (what an operator gets), as PERF-NOTES did.
            f.write(f'global(workDirectory="{self.dir}")\n'
                    'module(load="imtcp")\n'
                    'template(name="raw" type="string" string="%rawmsg%\\n")\n'
                    'ruleset(name="bench") {\n'
                    f'  action(type="omfile" file="{self.output}" template="raw")\n'
                    '}\n'
                    f'input(type="imtcp" port="0" listenPortFileName="{port_file}" '
                    'ruleset="bench")\n')
        self._log = open(os.path.join(self.dir, "rsyslogd.log"), "wb")
        self.proc = subprocess.Popen(
            [self.binary, "-n", "-f", conf, "-i", os.path.join(self.dir, "rsyslogd.pid")],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self.proc.returncode}; see "
                                   f"{self._log.name}")
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("rsyslogd did not report its port")
            time.sleep(0.02)
        log(f"rsyslogd pid {self.proc.pid} listening on 127.0.0.1:{self.port}")

    @property
    def pid(self):
        return self.proc.pid

    def wait_for_lines(self, expected, poll=0.02, stall_timeout=60):
        """Counts LFs in the output file as it grows. Returns the perf_counter time when
        `expected` lines were there."""
        seen, offset, last_change = 0, 0, time.monotonic()
        while True:
            try:
                with open(self.output, "rb") as f:
                    f.seek(offset)
                    while True:
                        data = f.read(16 << 20)
                        if not data:
                            break
                        seen += data.count(b"\n")
                        offset += len(data)
                        last_change = time.monotonic()
            except FileNotFoundError:
                pass
            if seen >= expected:
                return time.perf_counter(), seen
            if time.monotonic() - last_change > stall_timeout:
                raise RuntimeError(f"rsyslog output stuck at {seen} of {expected} lines")
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self.proc.returncode}")
            time.sleep(poll)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self._log.close()


def make_work_dir(base, prefix):
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix, dir=base)


if __name__ == "__main__":
    # run_all.sh starts its result file with the machine the figures come from.
    emit(machine_info())
