"""Evaluation on a Dask cluster (docs/distributed.md).

    import dask.bag as db, ipsf.dask
    records = ipsf.dask.evaluate(db.read_text("registry-*.jsonl"), "pack.ipsb")
    ipsf.dask.summarise(records).compute()

The pack's bytes enter the task graph once, as one key every partition
depends on: the scheduler sends them to each worker once, and each worker
process loads (verifies) the pack once and keeps it, keyed by its digest.
A bad sheet is an error record, as in the CLI.  A bad pack raises
PackError before any task runs; a pack a worker cannot load (a native
library missing there) fails that task with an error naming the partition
or file, so the computation fails rather than lose records.
"""
import hashlib
import json
import threading

import dask
import dask.bag as db

from . import Pack, PackError

_packs = {}
_packs_lock = threading.Lock()


def _pack_bytes(pack, allow_native):
    """The pack's .ipsb bytes, loaded (verified) here first, so that a bad
    pack raises PackError before any task runs."""
    if isinstance(pack, Pack):
        return pack.bytes
    return Pack(bytes(pack) if isinstance(pack, (bytes, bytearray, memoryview)) else pack,
                allow_native=allow_native).bytes


def _worker_pack(data, allow_native):
    key = (hashlib.sha256(data).hexdigest(), tuple(allow_native))
    with _packs_lock:
        p = _packs.get(key)
        if p is None:
            p = _packs[key] = Pack(data, allow_native=allow_native)
        return p


def _partition(lines, data, allow_native, profile, explain, partition):
    try:
        pack = _worker_pack(data, allow_native)
    except PackError as e:
        raise RuntimeError(f"ipsf.dask: partition {partition}: the pack cannot be loaded: {e}") from e
    out = []
    for r in pack.evaluate_jsonl(lines, profile=profile, explain=explain):
        r["line"] = None  # a line of a bag has no number the CLI would give
        out.append(r)
    return out


def evaluate(bag, pack, allow_native=(), profile=None, explain=False):
    """A bag of JSON Lines lines -> a bag of records (the CLI's JSON records,
    "sheet" and "line" None), partition by partition."""
    data = dask.delayed(_pack_bytes(pack, allow_native), pure=True)
    parts = bag.to_delayed()
    out = [dask.delayed(_partition, pure=False)(part, data, tuple(allow_native), profile,
                                               explain, i)
           for i, part in enumerate(parts)]
    return db.from_delayed(out)


def _file(path, data, allow_native, profile, explain):
    try:
        pack = _worker_pack(data, allow_native)
    except PackError as e:
        raise RuntimeError(f"ipsf.dask: {path}: the pack cannot be loaded: {e}") from e
    with open(path, encoding="utf-8", newline="") as f:
        return list(pack.evaluate_jsonl(f, sheet=path, profile=profile, explain=explain))


def evaluate_files(paths, pack, allow_native=(), profile=None, explain=False):
    """JSON Lines files -> a bag of records, one partition per file, each
    record exactly as `ipsfc eval --format jsonl` writes it for that file
    (with its "sheet" path and "line" number)."""
    data = dask.delayed(_pack_bytes(pack, allow_native), pure=True)
    out = [dask.delayed(_file, pure=False)(p, data, tuple(allow_native), profile, explain)
           for p in paths]
    return db.from_delayed(out)


def _add(acc, rec):
    acc["records"] += 1
    if "error" in rec:
        acc["errors"] += 1
        return acc
    cat = rec["category"]
    key = f'{cat["axis1"]}/{cat["axis2"]}'
    acc["categories"][key] = acc["categories"].get(key, 0) + 1
    for q in rec["requirements"]:
        c = acc["requirements"].setdefault(q["id"], {"met": 0, "unmet": 0, "unknown": 0})
        c[q["status"]] += 1
    return acc


def _merge(a, b):
    a["records"] += b["records"]
    a["errors"] += b["errors"]
    for k, v in b["categories"].items():
        a["categories"][k] = a["categories"].get(k, 0) + v
    for k, v in b["requirements"].items():
        c = a["requirements"].setdefault(k, {"met": 0, "unmet": 0, "unknown": 0})
        for s in c:
            c[s] += v[s]
    return a


def _empty():
    return {"records": 0, "errors": 0, "categories": {}, "requirements": {}}


def summarise(records):
    """A delayed summary of a bag of records: records, errors, the count of
    each cell of the category matrix ("axis1/axis2") and each requirement's
    met / unmet / unknown counts."""
    return records.fold(_add, _merge, initial=_empty()).apply(
        lambda s: json.loads(json.dumps(s, sort_keys=True)))
