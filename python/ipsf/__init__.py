"""ipsf: IoT-SSF rule packs in Python, on the C runtime (docs/python.md).

    import ipsf
    pack = ipsf.Pack("examples/smart-home/pack.ipsf")
    pack.evaluate({"device": "cam", "facts": {"usage": "home"}})

Packs are verified on load, exactly as the CLI loads them; records are the
CLI's JSON records (same keys, same values).  Evaluation releases the GIL.
"""
import json
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

try:  # the C decoder of records (python/ipsf/_records.c); json.loads without it
    from ._records import Decoder as _Decoder
except ImportError:  # pragma: no cover -- a source tree without `make python`
    _Decoder = None

from ._native import (ALLOW_UNKNOWN_FACTS, EXPLAIN, RECORD_FORMATS, RECORDS_JSONL, SYNTAX_JSON,
                      SYNTAX_JSONL, SYNTAX_YAML, ffi, lib, string)

__all__ = ["Pack", "compile", "PackError", "CompileError", "version", "FAST_RECORDS"]

# True when records become dicts through the C decoder (_records.c), False
# when through json.loads (the same dicts, about 3x slower).
FAST_RECORDS = _Decoder is not None

DEFAULT_MAX_COST = 32_000_000


class PackError(Exception):
    """A pack that cannot be loaded: kind ('bytecode', 'limit', 'io',
    'native', ...) and message, as the CLI reports them."""

    def __init__(self, kind, message):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class CompileError(Exception):
    """A pack source with errors; .diagnostics is the list `ipsfc check
    --format json` gives (file, line, col, severity, code, message)."""

    def __init__(self, diagnostics, text):
        super().__init__(text)
        self.diagnostics = diagnostics


def version():
    return string(lib.ipsf_version())


def _ipsfc():
    """The compiler: the `ipsfc` binary ($IPSFC, PATH, or the source tree's
    build/), since the compiler is not a public library yet."""
    env = os.environ.get("IPSFC")
    if env:
        return env
    found = shutil.which("ipsfc")
    if found:
        return found
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(here, "build", "ipsfc")
    if os.path.exists(path):
        return path
    raise FileNotFoundError("ipsf.compile needs the ipsfc binary: set IPSFC or put it on PATH")


def compile(path_or_source, import_dirs=()):
    """Compile a pack (a path to a .ipsf file, or its source text) to the
    bytes of a verified .ipsb.  Raises CompileError with the diagnostics."""
    with tempfile.TemporaryDirectory() as tmp:
        if os.path.exists(path_or_source) if "\n" not in path_or_source else False:
            src = path_or_source
        else:
            src = os.path.join(tmp, "pack.ipsf")
            with open(src, "w", encoding="utf-8") as f:
                f.write(path_or_source)
        out = os.path.join(tmp, "pack.ipsb")
        inc = [a for d in import_dirs for a in ("-I", d)]
        r = subprocess.run([_ipsfc(), "compile", src, "-o", out] + inc,
                           capture_output=True, text=True)
        if r.returncode != 0:
            c = subprocess.run([_ipsfc(), "check", "--format", "json", src] + inc,
                               capture_output=True, text=True)
            try:
                diags = json.loads(c.stdout)
            except ValueError:
                diags = []
            raise CompileError(diags, r.stderr.strip())
        with open(out, "rb") as f:
            return f.read()


def _raise(err):
    raise PackError(string(lib.ipsf_error_kind_name(err.kind)), string(err.message))


class Pack:
    """A loaded, verified pack.  `source`: a path to a .ipsf or .ipsb file,
    or the bytes of a .ipsb.  `allow_native`: libraries its externs may
    call; `require_signature`: a public key file the pack must be signed
    by; `max_cost`: the cost limit (docs/security.md)."""

    def __init__(self, source, allow_native=(), require_signature=None,
                 max_cost=DEFAULT_MAX_COST, import_dirs=()):
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
        elif str(source).endswith(".ipsb"):
            with open(source, "rb") as f:
                data = f.read()
        else:
            data = compile(str(source), import_dirs)
        self.bytes = data
        err = ffi.new("IpsfError *")
        p = lib.ipsf_pack_load_limited(data, len(data), max_cost, err)
        if p == ffi.NULL:
            _raise(err)
        self._p = ffi.gc(p, lib.ipsf_pack_free)
        if require_signature is not None:
            key = ffi.new("uint8_t[32]")
            if not lib.ipsf_public_key_load_file(str(require_signature).encode(), key, err):
                _raise(err)
            if not lib.ipsf_pack_check_signature(self._p, key, err):
                _raise(err)
        libs = [ffi.new("char[]", str(x).encode()) for x in allow_native]
        arr = ffi.new("const char *[]", libs or [ffi.NULL])
        if not lib.ipsf_pack_bind_natives(self._p, arr, len(libs), err):
            _raise(err)
        self._local = threading.local()
        self._contexts = []
        self._lock = threading.Lock()

    # ---- what the pack declares --------------------------------------------
    @property
    def name(self):
        return string(lib.ipsf_pack_name(self._p))

    @property
    def version(self):
        return string(lib.ipsf_pack_version(self._p))

    @property
    def digest(self):
        return "sha256:" + bytes(ffi.buffer(lib.ipsf_pack_digest(self._p), 32)).hex()

    @property
    def cost(self):
        c = lib.ipsf_pack_cost(self._p)
        return {k: getattr(c, k) for k in
                ("total", "instructions", "string_bytes", "scratch_bytes", "report_bytes")}

    @property
    def facts(self):
        out = []
        for i in range(lib.ipsf_pack_fact_count(self._p)):
            n = lib.ipsf_pack_fact_value_count(self._p, i)
            out.append({"name": string(lib.ipsf_pack_fact_name(self._p, i)),
                        "type": string(lib.ipsf_pack_fact_type(self._p, i)),
                        "required": bool(lib.ipsf_pack_fact_required(self._p, i)),
                        "values": [string(lib.ipsf_pack_fact_value(self._p, i, k))
                                   for k in range(n)] or None})
        return out

    @property
    def scales(self):
        axes = {lib.ipsf_pack_axis(self._p, 1): 1, lib.ipsf_pack_axis(self._p, 2): 2}
        return [{"name": string(lib.ipsf_pack_scale_name(self._p, s)),
                 "levels": [string(lib.ipsf_pack_level_name(self._p, s, k))
                            for k in range(lib.ipsf_pack_level_count(self._p, s))],
                 "axis": axes.get(s)}
                for s in range(lib.ipsf_pack_scale_count(self._p))]

    @property
    def requirements(self):
        return [{"id": string(lib.ipsf_pack_requirement_id(self._p, r)),
                 "title": string(lib.ipsf_pack_requirement_title(self._p, r)),
                 "viewpoint": string(lib.ipsf_pack_viewpoint_name(
                     self._p, lib.ipsf_pack_requirement_viewpoint(self._p, r)))}
                for r in range(lib.ipsf_pack_requirement_count(self._p))]

    @property
    def profiles(self):
        """The usage profiles the pack declares (docs/language.md, "Usage
        profiles"), in declaration order: name, title and doc (None when the
        pack gives none); [] when it declares none (then a sheet's profile
        names are free)."""
        return [{"name": string(lib.ipsf_pack_profile_name(self._p, i)),
                 "title": string(lib.ipsf_pack_profile_title(self._p, i)),
                 "doc": string(lib.ipsf_pack_profile_doc(self._p, i))}
                for i in range(lib.ipsf_pack_profile_count(self._p))]

    @property
    def catalogs(self):
        """The catalogs the pack cites, whole (docs/bytecode.md): per catalog
        its name, version and date (None when absent) and its provisions,
        each with id, clause, title, status ("mandatory", "recommended",
        "conditional", "informative"), satisfied_by (ids) and cited_by
        (the ids of the requirements citing it)."""
        p, out = self._p, []
        for c in range(lib.ipsf_pack_catalog_count(p)):
            provisions = []
            for k in range(lib.ipsf_pack_provision_count(p, c)):
                provisions.append({
                    "id": string(lib.ipsf_pack_provision_id(p, c, k)),
                    "clause": string(lib.ipsf_pack_provision_clause(p, c, k)),
                    "title": string(lib.ipsf_pack_provision_title(p, c, k)),
                    "status": string(lib.ipsf_pack_provision_status(p, c, k)),
                    "satisfied_by": [string(lib.ipsf_pack_provision_satisfied_by(p, c, k, i))
                                     for i in range(
                                         lib.ipsf_pack_provision_satisfied_by_count(p, c, k))],
                    "cited_by": [string(lib.ipsf_pack_requirement_id(
                                     p, lib.ipsf_pack_provision_cited_by(p, c, k, i)))
                                 for i in range(lib.ipsf_pack_provision_cited_count(p, c, k))]})
            out.append({"name": string(lib.ipsf_pack_catalog_name(p, c)),
                        "version": string(lib.ipsf_pack_catalog_version(p, c)),
                        "date": string(lib.ipsf_pack_catalog_date(p, c)),
                        "provisions": provisions})
        return out

    # ---- evaluation ---------------------------------------------------------
    def _context(self):
        """One evaluation context per thread (a context is single-threaded)."""
        ev = getattr(self._local, "ev", None)
        if ev is None:
            ev = lib.ipsf_eval_new(self._p)
            if ev == ffi.NULL:
                raise MemoryError("ipsf: out of memory creating an evaluation context")
            ev = ffi.gc(ev, lib.ipsf_eval_free)
            with self._lock:
                self._contexts.append(ev)  # kept alive as long as the pack
            self._local.ev = ev
        return ev

    def _records(self, text, syntax=SYNTAX_JSON, profile=None, explain=False,
                 allow_unknown_facts=False):
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        flags = (EXPLAIN if explain else 0) | (ALLOW_UNKNOWN_FACTS if allow_unknown_facts else 0)
        prof = ffi.new("char[]", profile.encode()) if profile is not None else ffi.NULL
        n = ffi.new("size_t *")
        out = lib.ipsf_evaluate_text(self._context(), data, len(data), syntax, prof,
                                     RECORDS_JSONL, flags, n, ffi.NULL, ffi.NULL)
        if out == ffi.NULL:
            raise MemoryError("ipsf: out of memory evaluating a sheet")
        try:
            return self._decode(ffi.buffer(out, n[0]))
        finally:
            lib.ipsf_free(out)

    def _decoder(self):
        d = getattr(self._local, "decoder", None)
        if d is None:
            d = self._local.decoder = _Decoder(json.loads)
        return d

    def _decode(self, buf):
        """The records of a buffer of JSON Lines records, as a list of dicts:
        the C decoder (one per thread, its string cache kept), else
        json.loads."""
        if _Decoder is None:
            return [json.loads(line) for line in bytes(buf).decode("utf-8").splitlines()]
        return self._decoder().lines(buf)

    def _iter_decode(self, buf):
        """The same, one record at a time (each made just before it is used:
        cheaper than a list of thousands)."""
        if _Decoder is None:
            return (json.loads(line) for line in bytes(buf).decode("utf-8").splitlines())
        return self._decoder().iter(buf)

    def evaluate(self, sheet, profile=None, explain=False, allow_unknown_facts=False,
                 yaml=False, format=None):
        """The records of one sheet (a dict in the fact-sheet shape, or JSON
        text; YAML text with yaml=True): one per profile, or one error record,
        exactly as `ipsfc eval --format json` with "sheet" and "line" None.
        format="text", "json", "jsonl", "csv", "sarif" or "junit": instead,
        the document `ipsfc eval --format FORMAT` writes for the sheet, as a
        str (the sheet unnamed: null, an empty csv field, no sarif location)."""
        if isinstance(sheet, dict):
            sheet = json.dumps(sheet)
        syntax = SYNTAX_YAML if yaml else SYNTAX_JSON
        if format is not None:
            return self._document(sheet, syntax, profile, explain, allow_unknown_facts, format)
        return self._records(sheet, syntax, profile, explain, allow_unknown_facts)

    def _document(self, text, syntax, profile, explain, allow_unknown_facts, format):
        try:
            fmt = RECORD_FORMATS.index(format)
        except ValueError:
            raise ValueError(f"format must be one of {', '.join(RECORD_FORMATS)}") from None
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        flags = (EXPLAIN if explain else 0) | (ALLOW_UNKNOWN_FACTS if allow_unknown_facts else 0)
        prof = ffi.new("char[]", profile.encode()) if profile is not None else ffi.NULL
        n = ffi.new("size_t *")
        out = lib.ipsf_evaluate_text(self._context(), data, len(data), syntax, prof, fmt,
                                     flags, n, ffi.NULL, ffi.NULL)
        if out == ffi.NULL:
            raise MemoryError("ipsf: out of memory evaluating a sheet")
        try:
            return bytes(ffi.buffer(out, n[0])).decode("utf-8")
        finally:
            lib.ipsf_free(out)

    def _evaluator(self, key):
        """One evaluator per thread and option set (an evaluator is
        single-threaded; it keeps the JSON Lines record cache)."""
        cache = getattr(self._local, "evaluators", None)
        if cache is None:
            cache = self._local.evaluators = {}
        e = cache.get(key)
        if e is None:
            profile, flags = key
            prof = ffi.new("char[]", profile.encode()) if profile is not None else ffi.NULL
            e = lib.ipsf_evaluator_new(self._p, RECORDS_JSONL, flags, prof)
            if e == ffi.NULL:
                raise MemoryError("ipsf: out of memory creating an evaluator")
            e = ffi.gc(e, lib.ipsf_evaluator_free)
            with self._lock:
                self._contexts.append(e)
            cache[key] = e
        return e

    def _chunk(self, key, text, first_line, sheet):
        """The records of a chunk of JSON Lines text, as one buffer of JSON
        Lines (the runtime's, freed when the buffer is): one C call, the GIL
        released during it."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        name = ffi.new("char[]", sheet.encode()) if sheet is not None else ffi.NULL
        n = ffi.new("size_t *")
        out = lib.ipsf_evaluator_jsonl(self._evaluator(key), data, len(data), name, first_line,
                                       n, ffi.NULL)
        if out == ffi.NULL:
            raise MemoryError("ipsf: out of memory evaluating sheets")
        return ffi.buffer(ffi.gc(out, lib.ipsf_free), n[0])

    @staticmethod
    def _chunks(lines, chunk, block):
        """(first line number, text) pieces of a JSON Lines source, whole
        lines each: a file object is read in blocks of `block` characters,
        any other iterable `chunk` lines at a time."""
        read = getattr(lines, "read", None)
        if read is not None:
            first, rest = 1, lines.read(0)[:0]
            nl = "\n" if isinstance(rest, str) else b"\n"
            while True:
                data = read(block)
                if not data:
                    break
                cut = data.rfind(nl) + 1
                if cut == 0:
                    rest += data
                    continue
                text, rest = rest + data[:cut], data[cut:]
                yield first, text
                first += text.count(nl)
            if rest:
                yield first, rest
            return
        buf, first, no = [], 1, 0
        for no, line in enumerate(lines, 1):
            if isinstance(line, bytes):
                line = line.decode("utf-8")
            buf.append(line if line.endswith("\n") else line + "\n")
            if len(buf) >= chunk:
                yield first, "".join(buf)
                buf, first = [], no + 1
        if buf:
            yield first, "".join(buf)

    def evaluate_jsonl(self, lines, jobs=1, sheet=None, profile=None, explain=False,
                       allow_unknown_facts=False, raw=False, chunk=512, block=1 << 16):
        """Records of a JSON Lines source (an iterable of lines, or a file
        object), in input order: exactly the records `ipsfc eval --format
        jsonl` writes for it, "line" the 1-based line number (blank lines
        count) and "sheet" the given name.  Lines go to the runtime in
        chunks (`chunk` lines of an iterable, `block` characters of a file),
        through the CLI's own fast binder and record cache.  Chunks are
        evaluated on `jobs` threads besides the caller's, the GIL released,
        while the caller's thread turns the records of earlier chunks into
        dicts; the order is kept.  jobs=0: everything on the caller's
        thread (what a Dask task does: Dask gives each task a thread).
        raw=True yields each record as its JSON text instead of a dict."""
        key = (profile, (EXPLAIN if explain else 0) |
               (ALLOW_UNKNOWN_FACTS if allow_unknown_facts else 0))

        def run(item):
            first, text = item
            return self._chunk(key, text, first, sheet)

        if raw:
            def convert(buf):
                return bytes(buf).decode("utf-8").splitlines()
        else:
            convert = self._iter_decode
        if jobs <= 0:  # all on the caller's thread, one chunk at a time
            for item in self._chunks(lines, chunk, block):
                yield from convert(run(item))
            return
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            pending = []
            try:
                for item in self._chunks(lines, chunk, block):
                    pending.append(pool.submit(run, item))
                    if len(pending) > jobs:
                        yield from convert(pending.pop(0).result())
                while pending:
                    yield from convert(pending.pop(0).result())
            finally:
                for f in pending:
                    f.cancel()
