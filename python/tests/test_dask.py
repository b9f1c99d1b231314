"""ipsf.dask on real distributed clusters on loopback: a LocalCluster of
two worker processes, and a scheduler and two workers started as commands.
Records must be the CLI's, nothing lost (docs/distributed.md)."""
import os
import socket
import subprocess
import sys
import time

import dask.bag as db
import pytest
from distributed import Client, LocalCluster

import ipsf
import ipsf.dask
from conftest import cli_jsonl

ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))


def expected(ipsb, corpus):
    return [r for path in corpus for r in cli_jsonl(ipsb, path, extra=("--jobs", "1"))]


def check(client, ipsb, corpus):
    want = expected(ipsb, corpus)
    got = ipsf.dask.evaluate_files(corpus, ipsb).compute()
    assert got == want  # sheet paths and line numbers included
    bag = db.read_text(corpus, blocksize=None)
    lines = ipsf.dask.evaluate(bag, ipsb).compute()
    assert lines == [dict(r, line=None, sheet=None) for r in want]
    summary = ipsf.dask.summarise(ipsf.dask.evaluate_files(corpus, ipsb)).compute()
    assert summary["records"] == len(want)
    assert summary["errors"] == sum(1 for r in want if "error" in r)
    cells = {}
    for r in want:
        if "error" not in r:
            k = f'{r["category"]["axis1"]}/{r["category"]["axis2"]}'
            cells[k] = cells.get(k, 0) + 1
    assert summary["categories"] == cells
    workers = client.run(lambda: os.getpid())
    assert len(set(workers.values())) == 2


def test_local_cluster_two_processes(ipsb, corpus):
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        check(client, ipsb, corpus)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scheduler_and_workers_as_commands(ipsb, corpus, tmp_path):
    port = free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen(["dask-scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=ENV, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "scheduler.log", "w"))]
    try:
        time.sleep(1)
        for i in range(2):
            procs.append(subprocess.Popen(["dask-worker", addr, "--nworkers", "1", "--nthreads",
                                           "1", "--no-dashboard", "--host", "127.0.0.1"],
                                          env=ENV, stdout=subprocess.DEVNULL,
                                          stderr=open(tmp_path / f"worker{i}.log", "w")))
        with Client(addr, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            check(client, ipsb, corpus)
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_bad_pack_refused_before_any_task(corpus):
    bag = db.read_text(corpus, blocksize=None)
    with pytest.raises(ipsf.PackError) as e:
        ipsf.dask.evaluate(bag, b"not a pack")
    assert e.value.kind == "bytecode"
    with pytest.raises(ipsf.PackError):
        ipsf.dask.evaluate_files(corpus, b"not a pack")
