#!/usr/bin/python3
"""SIGINT and SIGTERM during `ipsfc eval` (docs/sheets.md, docs/security.md).

The output must end at a record boundary -- every line of a JSON Lines
output is a whole JSON record -- and the exit code must be 128 + the
signal (130, 143), with a note on stderr.  Run on a generated JSON Lines
input large enough that the signal lands mid-run, with --jobs 1 and 2, at
several points; then on a slow pipe, where eval waits for input.

IPSFC=path/to/ipsfc /usr/bin/python3 tests/cli/signals.py
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

IPSFC = os.environ["IPSFC"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(ROOT, "examples", "smart-home")
LINES = 100000


def default_signals():
    # The test may itself run in the background (SIGINT ignored): eval must
    # see the signals as a shell user would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def wait_for_output(path, p, timeout=20.0):
    """Until eval has written something (so its handlers are installed:
    they are before any output, even in a slow sanitizer build)."""
    end = time.monotonic() + timeout
    while os.path.getsize(path) == 0 and p.poll() is None and time.monotonic() < end:
        time.sleep(0.002)


def check_output(path):
    """Number of records; raises if a line is not a whole JSON record."""
    n = 0
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        raise AssertionError("output does not end with a newline: ...%r" % data[-60:])
    for i, line in enumerate(data.split(b"\n")[:-1] if data else []):
        rec = json.loads(line)
        if not isinstance(rec, dict) or "sheet" not in rec:
            raise AssertionError("line %d is not a record: %r" % (i + 1, line[:80]))
        n += 1
    return n


def main():
    # in memory if possible: the outputs are tens of megabytes
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    tmp = tempfile.mkdtemp(prefix="ipsfc-signals.", dir=shm)
    failed = passed = 0
    try:
        pack = os.path.join(tmp, "p.ipsb")
        subprocess.run([IPSFC, "compile", os.path.join(EX, "pack.ipsf"), "-o", pack], check=True)
        with open(os.path.join(EX, "devices", "registry.jsonl")) as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
        big = os.path.join(tmp, "big.jsonl")
        with open(big, "w") as f:
            for i in range(LINES):
                f.write(lines[i % len(lines)] + "\n")
        out = os.path.join(tmp, "out.jsonl")
        interrupted = 0
        for jobs in ("1", "2"):
            for sig in (signal.SIGTERM, signal.SIGINT):
                for delay in (0.0, 0.05):
                    with open(out, "wb") as o:
                        p = subprocess.Popen(
                            [IPSFC, "eval", "--jobs", jobs, "--format", "jsonl", pack, big],
                            stdout=o, stderr=subprocess.PIPE, preexec_fn=default_signals)
                        wait_for_output(out, p)
                        time.sleep(delay)
                        p.send_signal(sig)
                        _, err = p.communicate(timeout=20)
                    what = "--jobs %s, %s after %.2f s" % (jobs, sig.name, delay)
                    try:
                        n = check_output(out)
                        if p.returncode == 0 and n == LINES:
                            print("note: %s: finished before the signal" % what)
                            continue
                        want = 128 + sig
                        if p.returncode != want:
                            raise AssertionError("exit %d, not %d: %s" % (p.returncode, want, err.decode()))
                        note = "ipsfc eval: stopped by %s after %d records\n" % (sig.name, n)
                        if note.encode() not in err:
                            raise AssertionError("stderr %r lacks %r" % (err.decode(), note))
                        interrupted += 1
                        passed += 1
                    except (AssertionError, ValueError) as e:
                        failed += 1
                        print("FAIL %s: %s" % (what, e))
        if interrupted < 4:
            failed += 1
            print("FAIL only %d runs were interrupted mid-run: make the input larger" % interrupted)
        # A slow pipe: eval waits for input, the signal must still stop it.
        for jobs in ("1", "2"):
            with open(out, "wb") as o:
                p = subprocess.Popen([IPSFC, "eval", "--jobs", jobs, "--format", "jsonl", pack, "-"],
                                     stdin=subprocess.PIPE, stdout=o, stderr=subprocess.PIPE,
                                     preexec_fn=default_signals)
                p.stdin.write(("\n".join(lines) + "\n").encode())
                p.stdin.flush()
                wait_for_output(out, p)
                time.sleep(0.1)
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                p.stdin.close()
                p.stderr.read()
                p.stderr.close()
            what = "--jobs %s, SIGTERM while waiting on a pipe" % jobs
            try:
                n = check_output(out)
                if p.returncode != 143:
                    raise AssertionError("exit %d, not 143" % p.returncode)
                if n != len(lines):
                    raise AssertionError("%d records, not the %d read" % (n, len(lines)))
                passed += 1
            except (AssertionError, ValueError) as e:
                failed += 1
                print("FAIL %s: %s" % (what, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("signals: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
