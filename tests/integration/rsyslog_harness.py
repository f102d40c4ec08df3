"""A private rsyslogd for tests (never the system service): imtcp on a kernel-chosen port, and
a forwarding action of the test's choosing (omfwd, omrelp) to spard."""

import os
import shutil
import subprocess

from spard_harness import wait_for


class Rsyslog:
    def __init__(self, work_dir, action):
        """action: the body of an action(...) statement, e.g. 'type="omrelp" target=...'."""
        self.binary = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
        self.dir = work_dir
        self.action = action
        self.proc = None
        self.port = None
        self.global_extra = ""  # more global() parameters, e.g. a CA file for TLS

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        port_file = os.path.join(self.dir, "imtcp.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        conf = os.path.join(self.dir, "rsyslog.conf")
        with open(conf, "w") as f:
            f.write(f'global(workDirectory="{self.dir}" {self.global_extra})\n'
                    'module(load="imtcp")\n'
                    'module(load="omrelp")\n'
                    'ruleset(name="fwd") {\n'
                    f'  action({self.action})\n'
                    '}\n'
                    f'input(type="imtcp" port="0" listenPortFileName="{port_file}" ruleset="fwd")\n')
        self.log = open(os.path.join(self.dir, "rsyslogd.log"), "ab")
        self.proc = subprocess.Popen(
            [self.binary, "-n", "-f", conf, "-i", os.path.join(self.dir, "rsyslogd.pid")],
            stdout=self.log, stderr=subprocess.STDOUT)

        def port():
            if self.proc.poll() is not None:
                raise AssertionError(f"rsyslogd exited with {self.proc.returncode}")
            try:
                with open(port_file) as f:
                    return int(f.read().strip() or 0)
            except (OSError, ValueError):
                return 0
        self.port = wait_for(port, timeout=30, what="rsyslogd's imtcp port")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()
