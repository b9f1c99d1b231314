"""A minimal LSP client over a pipe for the protocol tests (tests/lsp/run.py,
bench/lsp_latency.py): frames messages, reads the server's messages with a
timeout, and waits for a response or notification."""
import json
import os
import select
import subprocess
import time


class LspClient:
    def __init__(self, ipsfc, args=(), env=None, cwd=None):
        self.p = subprocess.Popen([ipsfc, "lsp", *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env, cwd=cwd)
        self.buf = b""
        self.next_id = 1
        self.pending = []  # messages read but not yet taken

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, msg):
        msg = dict(msg, jsonrpc="2.0")
        body = json.dumps(msg).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method, params=None, wait=True):
        rid = self.next_id
        self.next_id += 1
        self.send({"id": rid, "method": method, "params": params or {}})
        return self.response(rid) if wait else rid

    def notify(self, method, params=None):
        self.send({"method": method, "params": params or {}})

    def _read_one(self, deadline):
        while True:
            head = self.buf.find(b"\r\n\r\n")
            if head >= 0:
                length = None
                for line in self.buf[:head].split(b"\r\n"):
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        length = int(v)
                if length is None:
                    raise AssertionError("server sent a header without Content-Length")
                if len(self.buf) >= head + 4 + length:
                    body = self.buf[head + 4:head + 4 + length]
                    self.buf = self.buf[head + 4 + length:]
                    return json.loads(body)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk

    def take(self, pred, timeout=10.0):
        for i, m in enumerate(self.pending):
            if pred(m):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_one(deadline)
            if m is None:
                raise AssertionError("timed out waiting for a message")
            if pred(m):
                return m
            self.pending.append(m)

    def response(self, rid, timeout=30.0):
        return self.take(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def diagnostics(self, uri, timeout=10.0):
        return self.take(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri, timeout)["params"]

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            return self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise AssertionError("server did not exit")
