"""The C API of libipsf (include/ipsf.h), through cffi's ABI mode.

Only the public header's functions are declared here; the shared library
is found, in order, at $IPSF_LIBRARY, beside this package (an install by
`make python`), by the dynamic loader (an install by `make install`), or
in the source tree's build/ directory.  cffi releases the GIL around every
call, so evaluations on several Python threads run in parallel.
"""
import ctypes.util
import os

import cffi

CDEF = """
typedef struct ipsf_pack IpsfPack;
typedef struct ipsf_eval IpsfEval;
typedef struct { int kind; char message[512]; } IpsfError;
typedef struct {
  uint64_t instructions, string_bytes, scratch_bytes, report_bytes, total;
} IpsfCost;
const char *ipsf_version(void);
const char *ipsf_error_kind_name(int kind);
IpsfPack *ipsf_pack_load_limited(const uint8_t *bytes, size_t len, uint64_t max_cost,
                                 IpsfError *err);
void ipsf_pack_free(IpsfPack *pack);
const char *ipsf_pack_name(const IpsfPack *pack);
const char *ipsf_pack_version(const IpsfPack *pack);
const uint8_t *ipsf_pack_digest(const IpsfPack *pack);
const IpsfCost *ipsf_pack_cost(const IpsfPack *pack);
uint32_t ipsf_pack_fact_count(const IpsfPack *pack);
const char *ipsf_pack_fact_name(const IpsfPack *pack, uint32_t fact);
const char *ipsf_pack_fact_type(const IpsfPack *pack, uint32_t fact);
bool ipsf_pack_fact_required(const IpsfPack *pack, uint32_t fact);
uint32_t ipsf_pack_fact_value_count(const IpsfPack *pack, uint32_t fact);
const char *ipsf_pack_fact_value(const IpsfPack *pack, uint32_t fact, uint32_t value);
uint32_t ipsf_pack_scale_count(const IpsfPack *pack);
const char *ipsf_pack_scale_name(const IpsfPack *pack, uint32_t scale);
uint32_t ipsf_pack_level_count(const IpsfPack *pack, uint32_t scale);
const char *ipsf_pack_level_name(const IpsfPack *pack, uint32_t scale, uint32_t level);
uint32_t ipsf_pack_viewpoint_count(const IpsfPack *pack);
const char *ipsf_pack_viewpoint_name(const IpsfPack *pack, uint32_t viewpoint);
uint32_t ipsf_pack_requirement_count(const IpsfPack *pack);
const char *ipsf_pack_requirement_id(const IpsfPack *pack, uint32_t requirement);
const char *ipsf_pack_requirement_title(const IpsfPack *pack, uint32_t requirement);
uint32_t ipsf_pack_requirement_viewpoint(const IpsfPack *pack, uint32_t requirement);
uint32_t ipsf_pack_axis(const IpsfPack *pack, int axis);
uint32_t ipsf_pack_profile_count(const IpsfPack *pack);
const char *ipsf_pack_profile_name(const IpsfPack *pack, uint32_t profile);
const char *ipsf_pack_profile_title(const IpsfPack *pack, uint32_t profile);
const char *ipsf_pack_profile_doc(const IpsfPack *pack, uint32_t profile);
uint32_t ipsf_pack_catalog_count(const IpsfPack *pack);
const char *ipsf_pack_catalog_name(const IpsfPack *pack, uint32_t catalog);
const char *ipsf_pack_catalog_version(const IpsfPack *pack, uint32_t catalog);
const char *ipsf_pack_catalog_date(const IpsfPack *pack, uint32_t catalog);
uint32_t ipsf_pack_provision_count(const IpsfPack *pack, uint32_t catalog);
const char *ipsf_pack_provision_id(const IpsfPack *pack, uint32_t catalog, uint32_t provision);
const char *ipsf_pack_provision_clause(const IpsfPack *pack, uint32_t catalog,
                                       uint32_t provision);
const char *ipsf_pack_provision_title(const IpsfPack *pack, uint32_t catalog,
                                      uint32_t provision);
const char *ipsf_pack_provision_status(const IpsfPack *pack, uint32_t catalog,
                                       uint32_t provision);
uint32_t ipsf_pack_provision_satisfied_by_count(const IpsfPack *pack, uint32_t catalog,
                                                uint32_t provision);
const char *ipsf_pack_provision_satisfied_by(const IpsfPack *pack, uint32_t catalog,
                                             uint32_t provision, uint32_t i);
uint32_t ipsf_pack_provision_cited_count(const IpsfPack *pack, uint32_t catalog,
                                         uint32_t provision);
uint32_t ipsf_pack_provision_cited_by(const IpsfPack *pack, uint32_t catalog,
                                      uint32_t provision, uint32_t i);
bool ipsf_pack_bind_natives(IpsfPack *pack, const char *const *allowed, size_t n,
                            IpsfError *err);
bool ipsf_public_key_load_file(const char *path, uint8_t public_key[32], IpsfError *err);
bool ipsf_pack_check_signature(const IpsfPack *pack, const uint8_t public_key[32],
                               IpsfError *err);
IpsfEval *ipsf_eval_new(const IpsfPack *pack);
void ipsf_eval_free(IpsfEval *ev);
char *ipsf_evaluate_text(IpsfEval *ev, const char *text, size_t len, int syntax,
                         const char *profile, int format, unsigned flags,
                         size_t *out_len, size_t *records, size_t *errors);
void ipsf_free(void *p);
typedef struct ipsf_evaluator IpsfEvaluator;
typedef struct { size_t sheets, records, errors; } IpsfEvalCounts;
IpsfEvaluator *ipsf_evaluator_new(const IpsfPack *pack, int format, unsigned flags,
                                  const char *profile);
void ipsf_evaluator_free(IpsfEvaluator *e);
char *ipsf_evaluator_jsonl(IpsfEvaluator *e, const char *text, size_t len, const char *sheet,
                           uint64_t first_line, size_t *out_len, IpsfEvalCounts *counts);
void *ipsf_json_malloc(size_t size);
"""

SYNTAX_JSON, SYNTAX_YAML, SYNTAX_JSONL = 0, 1, 2
RECORDS_JSONL = 2
# IpsfRecordFormat's values, in order (ipsf.h)
RECORD_FORMATS = ("text", "json", "jsonl", "csv", "sarif", "junit")
EXPLAIN, ALLOW_UNKNOWN_FACTS = 1, 2
UINT32_MAX = 0xFFFFFFFF

ffi = cffi.FFI()
ffi.cdef(CDEF)


def _candidates():
    env = os.environ.get("IPSF_LIBRARY")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "libipsf.so.0")
    found = ctypes.util.find_library("ipsf")
    if found:
        yield found
    root = os.path.dirname(os.path.dirname(here))
    yield os.path.join(root, "build", "libipsf.so")


def _open():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ffi.dlopen(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("ipsf: cannot find libipsf (set IPSF_LIBRARY, or `make install`); tried: "
                      + ", ".join(tried))


lib = _open()


def string(p):
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8")
