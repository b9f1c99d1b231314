"""Python and Dask against the CLI on the same JSON Lines sheets (docs/
performance.md, "Python and Dask").  Prints tables; never a timed test.

    make shared python && IPSFC=build/ipsfc PYTHONPATH=python \\
        /usr/bin/python3 bench/python_bench.py [N] [ROUNDS] [dask]

("dask": only the Dask table.)
N sheets (default 1,000,000) in two files (two partitions for Dask).  The
machine may be shared: every engine runs once per round, the rounds
alternate the engines, and the table gives the median and the spread
(slowest / fastest run) of each, so a disturbed run shows as spread rather
than as a wrong ratio.  Ratios are of medians.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import ipsf
import ipsf.dask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSFC = os.environ.get("IPSFC", os.path.join(ROOT, "build", "ipsfc"))


CPU = {}  # engine -> CPU seconds of each run (this process and its children)


def cpu_now():
    import resource
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(f, name=None):
    c0, t0 = cpu_now(), time.perf_counter()
    f()
    t = time.perf_counter() - t0
    if name is not None:
        CPU.setdefault(name, []).append(cpu_now() - c0)
    return t


def table(n, rows, base):
    """Wall-clock medians, and (where measured) CPU seconds: on a shared
    machine the CPU time of a run is what it cost whatever else ran."""
    cpu = any(name in CPU for name in rows)
    extra = f" {'CPU s':>6} | {'vs by CPU':>9} |" if cpu else ""
    print(f"| {'engine':<52} | {'median s':>8} | {'spread':>6} | {'sheets/s':>10} | "
          f"{'vs ' + base:>18} |" + extra)
    print(f"| {'-' * 52} | {'-' * 7}: | {'-' * 5}: | {'-' * 9}: | {'-' * 17}: |"
          + (" -----: | --------: |" if cpu else ""))
    ref = statistics.median(rows[base])
    cref = statistics.median(CPU[base]) if cpu and base in CPU else None
    for name, ts in rows.items():
        m = statistics.median(ts)
        line = (f"| {name:<52} | {m:8.3f} | {max(ts) / min(ts):6.2f} | {n / m:10.0f} | "
                f"{ref / m:18.2f} |")
        if cpu and name in CPU and cref:
            c = statistics.median(CPU[name])
            line += f" {c:6.3f} | {cref / c:9.2f} |"
        print(line)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as tmp:
        gen = os.path.join(tmp, "gen")
        subprocess.run(["cc", "-O2", "-o", gen, os.path.join(ROOT, "bench", "gen.c")], check=True)
        files = []
        for k in range(2):
            path = os.path.join(tmp, f"sheets-{k}.jsonl")
            with open(path, "w") as f:
                subprocess.run([gen, str(n // 2), str(42 + k)], stdout=f, check=True)
            files.append(path)
        pack = os.path.join(tmp, "pack.ipsb")
        subprocess.run([IPSFC, "compile", os.path.join(ROOT, "bench", "pack.ipsf"), "-o", pack],
                       check=True)
        p = ipsf.Pack(pack)

        def cli(jobs):
            with open(os.devnull, "w") as null:
                subprocess.run([IPSFC, "eval", "--format", "jsonl", "--jobs", str(jobs), pack]
                               + files, stdout=null, check=True)

        def py(jobs, raw=False, mode="rb", decoder=True):
            saved = ipsf._Decoder
            if not decoder:
                ipsf._Decoder = None  # records through json.loads, as before the decoder
            try:
                for path in files:
                    with open(path, mode) as f:
                        for _ in p.evaluate_jsonl(f, jobs=jobs, raw=raw):
                            pass
            finally:
                ipsf._Decoder = saved

        cases = {
            "ipsfc eval --jobs 1": lambda: cli(1),
            "ipsfc eval --jobs 2": lambda: cli(2),
            "evaluate_jsonl, dicts, jobs=0 (one thread)": lambda: py(0),
            "evaluate_jsonl, dicts, jobs=1 (binary file)": lambda: py(1),
            "evaluate_jsonl, dicts, jobs=1 (text file)": lambda: py(1, mode="r"),
            "evaluate_jsonl, dicts, jobs=2": lambda: py(2),
            "evaluate_jsonl, dicts via json.loads, jobs=1": lambda: py(1, decoder=False),
            "evaluate_jsonl(raw=True), jobs=1": lambda: py(1, raw=True),
        }
        rows = {name: [] for name in cases}
        only_dask = len(sys.argv) > 3 and sys.argv[3] == "dask"
        for _ in range(0 if only_dask else rounds):
            for name, f in cases.items():
                rows[name].append(timed(f, name))
        print(f"{n} sheets in 2 files, {os.cpu_count()} cores, {rounds} alternating rounds, "
              f"load average {os.getloadavg()[0]:.1f} at the end")
        if not only_dask:
            table(n, rows, "ipsfc eval --jobs 1")

        from distributed import Client, LocalCluster, get_task_stream
        clusters = {w: LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                    host="127.0.0.1", dashboard_address=None) for w in (1, 2)}
        clients = {w: Client(c) for w, c in clusters.items()}
        try:
            label = "ipsf.dask summarise(evaluate_files), {} worker(s)".format
            drows = {label(w): [] for w in (1, 2)}
            busy = {w: [] for w in (1, 2)}
            cpu = {w: [] for w in (1, 2)}  # CPU seconds of the busiest worker process
            for w, c in clients.items():  # warm: each worker loads the pack once
                c.compute(ipsf.dask.summarise(ipsf.dask.evaluate_files(files, pack))).result()
            for _ in range(rounds):
                for w, c in clients.items():
                    before = c.run(time.process_time)
                    with get_task_stream(c) as ts:
                        t = timed(lambda: c.compute(ipsf.dask.summarise(
                            ipsf.dask.evaluate_files(files, pack))).result())
                    after = c.run(time.process_time)
                    cpu[w].append(max(after[k] - before[k] for k in after))
                    drows[label(w)].append(t)
                    busy[w].append(sum(s["stop"] - s["start"] for task in ts.data
                                       for s in task["startstops"] if s["action"] == "compute"))
            print()
            table(n, drows, label(1))
            for w in (1, 2):
                wall = statistics.median(drows[label(w)])
                print(f"{w} worker(s): tasks computing {statistics.median(busy[w]):.3f} s "
                      f"(summed over workers) in {wall:.3f} s of wall time; the busiest "
                      f"worker process used {statistics.median(cpu[w]):.3f} s of CPU")
            print("2 vs 1 by CPU time (each worker given a core of its own): "
                  f"{statistics.median(cpu[1]) / statistics.median(cpu[2]):.2f}")
        finally:
            for c in clients.values():
                c.close()
            for c in clusters.values():
                c.close()


if __name__ == "__main__":
    main()
