"""Test harness: runs the real spard binary on loopback ports chosen by the kernel and talks to
it like a client would (TCP, UDP, HTTP). Python standard library only.

Synchronisation is on observable conditions with deadlines (listen.json appearing, a count
reaching a value, the process exiting), never on fixed sleeps.
"""

import fcntl
import http.client
import json
import os
import pty
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import termios
import time
import urllib.parse

SPARD_BIN = os.environ.get("SPARD_BIN", os.path.join(os.path.dirname(__file__), "../../build/spard"))
SPAR_BIN = os.environ.get("SPAR_BIN", os.path.join(os.path.dirname(__file__), "../../build/spar"))


def wait_for(predicate, timeout=30.0, interval=0.01, what="condition"):
    """Polls predicate() until it returns a truthy value; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class HttpError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


class Spard:
    """One spard process with its own data directory."""

    def __init__(self, data_dir=None, config_extra="", listen=None, env=None):
        self.owns_dir = data_dir is None
        self.root = tempfile.mkdtemp(prefix="spard-it-") if data_dir is None else None
        self.data_dir = data_dir or os.path.join(self.root, "data")
        self.config_extra = config_extra
        self.listen = listen or {"syslog_tcp": "127.0.0.1:0", "syslog_udp": "127.0.0.1:0",
                                 "http": "127.0.0.1:0", "relp": "127.0.0.1:0", "syslog_tls": ""}
        self.env = env  # extra environment variables for the spard process
        self.proc = None
        self.addr = {}
        self.token = None
        self.log_path = None
        self._conn = None

    # --- lifecycle -------------------------------------------------------------------------
    def config_text(self):
        lines = ["[storage]", f'data_dir = "{self.data_dir}"', "[listen]"]
        lines += [f'{k} = "{v}"' for k, v in self.listen.items()]
        return "\n".join(lines) + "\n" + self.config_extra

    def start(self, timeout=60):
        os.makedirs(os.path.dirname(self.data_dir) or ".", exist_ok=True)
        if self.root is None:
            self.root = tempfile.mkdtemp(prefix="spard-cfg-")
            self.owns_dir = False  # only the config and log live there; the data is shared
        cfg_dir = self.root
        self.config_path = os.path.join(cfg_dir, "spard.toml")
        with open(self.config_path, "w") as f:
            f.write(self.config_text())
        listen_json = os.path.join(self.data_dir, "listen.json")
        # A listen.json left by an earlier (killed or still running) process is not ours.
        def identity():
            try:
                st = os.stat(listen_json)
                return (st.st_ino, st.st_mtime_ns)
            except FileNotFoundError:
                return None
        stale = identity()
        self.log_path = os.path.join(cfg_dir, f"spard-{int(time.time() * 1000)}.log")
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, **(self.env or {}))
        self.proc = subprocess.Popen([SPARD_BIN, "--config", self.config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)

        def ready():
            if self.proc.poll() is not None:
                self.log.close()
                raise AssertionError(f"spard exited with {self.proc.returncode}: {self.read_log()}")
            current = identity()
            if current is None or current == stale:
                return None
            try:
                with open(listen_json) as f:
                    return json.load(f)
            except (FileNotFoundError, json.JSONDecodeError):
                return None

        self.addr = wait_for(ready, timeout=timeout, what="listen.json")
        with open(os.path.join(self.data_dir, "admin.token")) as f:
            self.token = f.read().strip()
        self._conn = None
        return self

    def read_log(self):
        if self.log_path is None:
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Sends sig and waits for the exit code."""
        self._close_http()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            self.log.close()
        return code

    def kill9(self):
        self._close_http()
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.kill9()
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # --- addresses ---------------------------------------------------------------------------
    def hostport(self, name):
        host, port = self.addr[name].rsplit(":", 1)
        return host.strip("[]"), int(port)

    # --- senders -----------------------------------------------------------------------------
    def tcp_send(self, data, close=True):
        s = socket.create_connection(self.hostport("syslog_tcp"))
        s.sendall(data)
        if close:
            s.shutdown(socket.SHUT_WR)
            # Wait until spard closed its side: it has read everything by then.
            s.settimeout(30)
            while s.recv(4096):
                pass
            s.close()
            return None
        return s

    def udp_send(self, datagrams):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for d in datagrams:
            s.sendto(d, self.hostport("syslog_udp"))
        s.close()

    # --- HTTP --------------------------------------------------------------------------------
    def _close_http(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method, path, params=None, body=None, token="admin", headers=None):
        """Returns (status, headers, body bytes). token: "admin", None, or a literal token."""
        if self._conn is None:
            host, port = self.hostport("http")
            self._conn = http.client.HTTPConnection(host, port, timeout=120)
        url = path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        hdrs = dict(headers or {})
        if token == "admin":
            hdrs["Authorization"] = f"Bearer {self.token}"
        elif token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        try:
            self._conn.request(method, url, body=body, headers=hdrs)
            resp = self._conn.getresponse()
            data = resp.read()
        except (ConnectionError, http.client.HTTPException):
            self._close_http()
            raise
        if resp.getheader("Connection", "").lower() == "close":
            self._close_http()
        return resp.status, resp, data

    def json(self, method, path, params=None, body=None, token="admin", expect=200):
        status, _, data = self.request(method, path, params, body, token)
        if status != expect:
            raise HttpError(status, data)
        return json.loads(data)

    def ingest(self, lines):
        body = "".join(json.dumps(l, ensure_ascii=False) + "\n" if isinstance(l, dict) else l
                       for l in lines).encode()
        return self.json("POST", "/v1/ingest", body=body)

    def count(self, **filters):
        return self.json("GET", "/v1/events/count", filters)["count"]

    def events(self, limit=None, **filters):
        """All matching events, following next_cursor page by page."""
        params = dict(filters)
        if limit is not None:
            params["limit"] = limit
        out = []
        while True:
            page = self.json("GET", "/v1/events", params)
            out.extend(page["events"])
            if page["next_cursor"] is None:
                return out
            params["cursor"] = page["next_cursor"]

    def wait_count(self, n, timeout=60, **filters):
        return wait_for(lambda: self.count(**filters) >= n, timeout=timeout,
                        what=f"{n} events matching {filters}")

    def metrics(self):
        status, _, data = self.request("GET", "/metrics", token=None)
        assert status == 200, status
        values = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values


def rfc5424(ts, app, user, obj, subject=None, action="read", host="app01", msg="access",
            extra=None):
    params = {"user": user, "action": action, "object": obj}
    if subject:
        params["subject"] = subject
    params.update(extra or {})
    sd = "[access@53000 " + " ".join(
        f'{k}="' + v.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]") + '"'
        for k, v in params.items()) + "]"
    return f"<134>1 {ts} {host} {app} - - {sd} {msg}"


def octet_frame(msg):
    data = msg.encode() if isinstance(msg, str) else msg
    return str(len(data)).encode() + b" " + data


def run_on_pty(argv, columns, env):
    """Runs argv with stdout on a pty of `columns` columns (stderr a pipe); returns
    (exit code, output with CRLF as LF, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        out += data
    os.close(master)
    code = proc.wait(timeout=60)
    with proc.stderr:
        err = proc.stderr.read().decode()
    return code, out.decode().replace("\r\n", "\n"), err
