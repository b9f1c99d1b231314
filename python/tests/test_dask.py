"""ipsf.dask on real distributed clusters on loopback: a LocalCluster of
two worker processes, and a scheduler and two workers started as commands.
Records must be the CLI's, nothing lost (docs/distributed.md)."""
import json
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


def test_summarise_never_holds_a_partition(ipsb, corpus):
    """Without a cluster (the synchronous scheduler): summarise consumes the
    records as they are made, and gives the same counts."""
    import dask
    with dask.config.set(scheduler="sync"):
        got = ipsf.dask.summarise(ipsf.dask.evaluate_files(corpus, ipsb)).compute()
    want = expected(ipsb, corpus)
    assert got["records"] == len(want)


def test_a_bad_line_names_its_partition_and_line(ipsb, corpus):
    import dask
    bag = db.from_sequence(['{"facts":{}}', b'{"x": "\xff"}'], npartitions=1)
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError) as e:
        ipsf.dask.evaluate(bag, ipsb).compute()
    assert "partition 0, line 2: not UTF-8" in str(e.value)
    bag = db.from_sequence(["{}", "{}", "{}"], npartitions=3).map(
        lambda s: {"not": "a line"} if s == "{}" else s)
    with dask.config.set(scheduler="sync"), pytest.raises(TypeError) as e:
        ipsf.dask.evaluate(bag, ipsb).compute()
    assert "partition 0, line 1: a line must be str or bytes, not dict" in str(e.value)


def _die_once(line, marker, pid_file):
    """Kill this worker process on the line "DIE", the first time only: the
    partition is then half evaluated when its worker dies."""
    if line.startswith("DIE"):
        if not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)
        return line[3:]
    return line


def _die_always(line):
    if line.startswith("DIE"):
        os._exit(1)
    return line


def test_a_worker_that_dies_mid_partition_loses_nothing(ipsb, corpus, tmp_path):
    """A worker killed in the middle of a partition: Dask runs the whole
    partition again elsewhere, and the records are all there, in order.  A
    partition that kills every worker it runs on fails the computation,
    naming the task; it never yields part of its records."""
    lines = [l for p in corpus for l in open(p, encoding="utf-8").read().splitlines()]
    lines[500] = "DIE" + lines[500]
    want = [dict(r, line=None, sheet=None) for r in
            [r for path in corpus for r in cli_jsonl(ipsb, path, extra=("--jobs", "1"))]]
    from distributed import KilledWorker
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster):
        bag = db.from_sequence(lines, npartitions=4).map(
            _die_once, str(tmp_path / "died"), None)
        got = ipsf.dask.evaluate(bag, ipsb).compute()
        assert os.path.exists(tmp_path / "died")  # a worker did die
        assert got == want
        bag = db.from_sequence(lines, npartitions=4).map(_die_always)
        with pytest.raises(KilledWorker) as e:
            ipsf.dask.summarise(ipsf.dask.evaluate(bag, ipsb)).compute()
        # the task that failed is partition 1 (lines 306-611 hold line 501)
        assert str(e.value.args[0]).endswith(", 1)"), e.value


def test_a_pack_a_worker_cannot_load_names_the_partition():
    """What a worker does when the pack's bytes do not load there (a native
    library missing on that host): the task fails naming its partition."""
    with pytest.raises(RuntimeError) as e:
        list(ipsf.dask._partition(["{}"], [3], b"not a pack", (), None, False))
    assert "ipsf.dask: partition 3: the pack cannot be loaded: bytecode: bad magic" in str(e.value)
    with pytest.raises(RuntimeError) as e:
        list(ipsf.dask._file(["registry-9.jsonl"], b"not a pack", (), None, False))
    assert "ipsf.dask: registry-9.jsonl: the pack cannot be loaded" in str(e.value)


def test_summarise_counts_compensated(ipsb, tmp_path):
    """A smart lock whose SH-30 (installer training) is compensated by SH-05
    (guidance before sale, dated the day the records are decided on):
    summarise counts it as compensated, not unmet (docs/sheets.md)."""
    import dask
    import datetime
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    today = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date() if epoch
             else datetime.datetime.now(datetime.timezone.utc).date())
    sheet = {"device": "lock", "facts": {"usage": "home", "actuation": "access"},
             "evidence": {"SH-05": {"method": "self_declaration", "date": today.isoformat()}}}
    path = tmp_path / "lock.jsonl"
    path.write_text(json.dumps(sheet) + "\n", encoding="utf-8")
    with dask.config.set(scheduler="sync"):
        got = ipsf.dask.summarise(ipsf.dask.evaluate_files([str(path)], ipsb)).compute()
    assert got["requirements"]["SH-30"]["compensated"] == 1
    assert got["requirements"]["SH-30"]["unmet"] == 0
    assert got["requirements"]["SH-05"]["met"] == 1
