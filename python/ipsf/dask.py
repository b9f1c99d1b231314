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
import uuid

import dask
import dask.bag as db
from dask.bag.core import reify
from dask.highlevelgraph import HighLevelGraph

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


def _call_token():
    """Part of every task's name: files may change between two calls, so a
    call never reuses the results of another (the pack's key is shared)."""
    return uuid.uuid4().hex


def _checked(lines, where):
    """The lines of a partition, each a str or UTF-8 bytes; anything else
    stops the task with an error naming the partition and the line."""
    for no, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ValueError(f"ipsf.dask: {where}, line {no}: not UTF-8 text: {e}") from None
        elif not isinstance(line, str):
            raise TypeError(f"ipsf.dask: {where}, line {no}: a line must be str or bytes, "
                            f"not {type(line).__name__}")
        yield line


def _partition(lines, index, data, allow_native, profile, explain):
    """The records of one partition of lines, yielded as they are made:
    Dask fuses this with what consumes the bag (summarise's fold), so the
    records of a partition never all exist at once unless the caller asks
    for them.  Evaluation runs on the task's own thread (jobs=0): Dask
    already runs one task per worker thread."""
    [i] = index
    where = f"partition {i}"
    try:
        pack = _worker_pack(data, allow_native)
    except PackError as e:
        raise RuntimeError(f"ipsf.dask: {where}: the pack cannot be loaded: {e}") from e
    for r in pack.evaluate_jsonl(_checked(lines, where), profile=profile, explain=explain,
                                 jobs=0):
        r["line"] = None  # a line of a bag has no number the CLI would give
        yield r


def _bag(name, tasks, dependencies):
    """A bag whose partition i is (reify, tasks[i]): a list when the bag is
    computed or moved between workers; when Dask fuses the partition with
    what consumes it (a fold), its optimiser drops the reify, and the
    generator's records are consumed as they are made."""
    dsk = {(name, i): (reify, t) for i, t in enumerate(tasks)}
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=dependencies)
    return db.Bag(graph, name, len(tasks))


def evaluate(bag, pack, allow_native=(), profile=None, explain=False):
    """A bag of JSON Lines lines -> a bag of records (the CLI's JSON records,
    "sheet" and "line" None), partition by partition."""
    data = dask.delayed(_pack_bytes(pack, allow_native), pure=True)
    name = "ipsf-evaluate-" + _call_token()
    tasks = [(_partition, key, [i], data.key, tuple(allow_native), profile, explain)
             for i, key in enumerate(bag.__dask_keys__())]
    return _bag(name, tasks, [bag, data])


def _file(item, data, allow_native, profile, explain):
    [path] = item
    try:
        pack = _worker_pack(data, allow_native)
    except PackError as e:
        raise RuntimeError(f"ipsf.dask: {path}: the pack cannot be loaded: {e}") from e
    with open(path, "rb") as f:
        yield from pack.evaluate_jsonl(f, sheet=path, profile=profile, explain=explain, jobs=0)


def evaluate_files(paths, pack, allow_native=(), profile=None, explain=False):
    """JSON Lines files -> a bag of records, one partition per file, each
    record exactly as `ipsfc eval --format jsonl` writes it for that file
    (with its "sheet" path and "line" number)."""
    data = dask.delayed(_pack_bytes(pack, allow_native), pure=True)
    name = "ipsf-files-" + _call_token()
    tasks = [(_file, [path], data.key, tuple(allow_native), profile, explain) for path in paths]
    return _bag(name, tasks, [data])


def _add(acc, rec):
    acc["records"] += 1
    if "error" in rec:
        acc["errors"] += 1
        return acc
    cat = rec["category"]
    key = f'{cat["axis1"]}/{cat["axis2"]}'
    acc["categories"][key] = acc["categories"].get(key, 0) + 1
    for q in rec["requirements"]:
        c = acc["requirements"].setdefault(q["id"], {"met": 0, "unmet": 0, "expired": 0, "unknown": 0, "compensated": 0})
        c[q["status"]] += 1
    return acc


def _merge(a, b):
    a["records"] += b["records"]
    a["errors"] += b["errors"]
    for k, v in b["categories"].items():
        a["categories"][k] = a["categories"].get(k, 0) + v
    for k, v in b["requirements"].items():
        c = a["requirements"].setdefault(k, {"met": 0, "unmet": 0, "expired": 0, "unknown": 0, "compensated": 0})
        for s in c:
            c[s] += v[s]
    return a


def _empty():
    return {"records": 0, "errors": 0, "categories": {}, "requirements": {}}


def _summarise_partition(records):
    acc = _empty()  # a new one per partition: never shared between tasks
    for r in records:
        _add(acc, r)
    return acc


def _summarise_all(parts):
    out = _empty()
    for p in parts:
        _merge(out, p)
    return json.loads(json.dumps(out, sort_keys=True))


def summarise(records):
    """A delayed summary of a bag of records: records, errors, the count of
    each cell of the category matrix ("axis1/axis2") and each requirement's
    met / unmet / expired / unknown / compensated counts.  Each partition is counted as its records
    are made (Dask fuses the two), so no partition's records are all held
    at once."""
    return records.reduction(_summarise_partition, _summarise_all)
