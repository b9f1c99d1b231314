"""Python and Dask against the CLI on the same JSON Lines file (docs/
performance.md, "Python and Dask").  Prints a table; never a timed test.

    make shared python && IPSFC=build/ipsfc PYTHONPATH=python \
        /usr/bin/python3 bench/python_bench.py [N]
"""
import os
import subprocess
import sys
import tempfile
import time

import ipsf
import ipsf.dask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSFC = os.environ.get("IPSFC", os.path.join(ROOT, "build", "ipsfc"))


def best(f, runs=3):
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        t.append(time.perf_counter() - t0)
    return min(t)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
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
        rows = []

        def cli(jobs):
            with open(os.devnull, "w") as null:
                subprocess.run([IPSFC, "eval", "--format", "jsonl", "--jobs", str(jobs), pack]
                               + files, stdout=null, check=True)

        def py(jobs, raw=False):
            for path in files:
                with open(path) as f:
                    for _ in p.evaluate_jsonl(f, jobs=jobs, raw=raw):
                        pass

        t_cli = best(lambda: cli(1))
        rows.append(("ipsfc eval --jobs 1", t_cli))
        rows.append(("ipsfc eval --jobs 2", best(lambda: cli(2))))
        rows.append(("Pack.evaluate_jsonl, 1 thread", best(lambda: py(1), 1)))
        rows.append(("Pack.evaluate_jsonl, 2 threads", best(lambda: py(2), 1)))
        rows.append(("Pack.evaluate_jsonl(raw=True), 1 thread", best(lambda: py(1, True), 1)))
        rows.append(("Pack.evaluate_jsonl(raw=True), 2 threads", best(lambda: py(2, True), 1)))
        from distributed import Client, LocalCluster
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None) as c, Client(c):
                ipsf.dask.summarise(ipsf.dask.evaluate_files(files, pack)).compute()  # warm
                rows.append((f"ipsf.dask, {workers} worker process(es), summarise",
                             best(lambda: ipsf.dask.summarise(
                                 ipsf.dask.evaluate_files(files, pack)).compute(), 1)))
        print(f"{n} sheets in 2 files, {os.cpu_count()} cores")
        print(f"| {'engine':<48} | {'seconds':>8} | {'sheets/s':>10} | {'vs CLI --jobs 1':>15} |")
        print(f"| {'-' * 48} | {'-' * 7}: | {'-' * 9}: | {'-' * 14}: |")
        for name, t in rows:
            print(f"| {name:<48} | {t:8.2f} | {n / t:10.0f} | {t_cli / t:15.2f} |")


if __name__ == "__main__":
    main()
