/*
 * ipsf.h -- the public C API of the IPSF runtime.
 *
 * A pipeline links only the runtime (libipsf.a): it loads a compiled rule
 * pack (.ipsb), which is verified before anything runs, then evaluates fact
 * sheets against it.  A loaded pack is immutable and may be shared by any
 * number of evaluation contexts on any number of threads; a context is used
 * by one thread at a time.  The runtime has no global mutable state.
 *
 *   IpsfError err;
 *   IpsfPack *pack = ipsf_pack_load_file("pack.ipsb", &err);
 *   IpsfEval *ev = ipsf_eval_new(pack);
 *   ipsf_eval_begin(ev);
 *   ipsf_eval_set_enum(ev, ipsf_fact_index(pack, "usage"), "home", &err);
 *   if (ipsf_eval_run(ev, &err))
 *     printf("%s\n", ipsf_eval_level_name(ev, ipsf_pack_axis(pack, 1)));
 *   ipsf_eval_free(ev);
 *   ipsf_pack_free(pack);
 */
#ifndef IPSF_H
#define IPSF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IPSF_VERSION "0.1.0"
#define IPSF_VERSION_MAJOR 0
#define IPSF_VERSION_MINOR 1
#define IPSF_VERSION_PATCH 0

/* The library's version at run time ("0.1.0"), which may differ from the
 * header's IPSF_VERSION when linked against another build. */
const char *ipsf_version(void);

typedef struct ipsf_pack IpsfPack;
typedef struct ipsf_eval IpsfEval;

/* Error kinds.  The names (ipsf_error_kind_name) are those of the eval
 * record's "error.kind" (docs/sheets.md "The eval record"; listed with
 * their meaning in docs/cli.md, `eval`, "Error kinds", and in ipsfc(1)). */
typedef enum {
  IPSF_ERR_NONE = 0,
  IPSF_ERR_SYNTAX,          /* "syntax": a sheet that cannot be parsed */
  IPSF_ERR_MISSING_FACT,    /* "missing_fact": a required fact is absent */
  IPSF_ERR_UNKNOWN_FACT,    /* "unknown_fact": a fact the pack does not declare */
  IPSF_ERR_TYPE,            /* "type": a value of the wrong type or shape */
  IPSF_ERR_NO_RULE_MATCHED, /* "no_rule_matched" */
  IPSF_ERR_UNIQUE_CONFLICT, /* "unique_conflict" */
  IPSF_ERR_ARITHMETIC,      /* "arithmetic": overflow, division by zero, non-finite */
  IPSF_ERR_NATIVE,          /* "native": a native function failed */
  IPSF_ERR_UNKNOWN_PROFILE, /* "unknown_profile": --profile names no profile of the sheet */
  IPSF_ERR_IO,              /* "io": a file cannot be read */
  IPSF_ERR_BYTECODE,        /* "bytecode": a pack that fails to load or verify */
  IPSF_ERR_LIMIT,           /* "limit": a resource limit was exceeded */
  IPSF_ERR_NOMEM,           /* "out_of_memory" */
  IPSF_ERR_INTERNAL,        /* "internal": a bug in ipsfc */
  IPSF_ERR_PROFILE_CONSTRAINT /* "profile_constraint": a fact outside what the pack's usage
                               * profile sets or allows (docs/sheets.md, "Profiles") */
} IpsfErrorKind;

typedef struct {
  IpsfErrorKind kind;
  char message[512]; /* one line, no trailing newline */
} IpsfError;

const char *ipsf_error_kind_name(IpsfErrorKind kind);

/* Fill err (printf-style); always returns false, for `return ipsf_fail(...)`. */
bool ipsf_fail(IpsfError *err, IpsfErrorKind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- packs --------------------------------------------------------------- */

/* Load and verify a compiled pack from memory (the bytes are copied) or a
 * file.  NULL on failure, with err->kind IPSF_ERR_BYTECODE, IO or NOMEM,
 * or IPSF_ERR_LIMIT when the pack's cost bound (below) exceeds
 * IPSF_DEFAULT_MAX_COST. */
IpsfPack *ipsf_pack_load(const uint8_t *bytes, size_t len, IpsfError *err);
IpsfPack *ipsf_pack_load_file(const char *path, IpsfError *err);

/* The verifier proves, for every pack it accepts, an upper bound of the
 * work of one evaluation (docs/security.md, "The cost bound"), in units of
 * about one instruction or one byte each.  The loader refuses a pack whose
 * total exceeds a limit: IPSF_DEFAULT_MAX_COST, or max_cost given here
 * (UINT64_MAX: no limit). */
typedef struct {
  uint64_t instructions;  /* instructions executed, and the per-run resets */
  uint64_t string_bytes;  /* bytes string instructions read or write */
  uint64_t scratch_bytes; /* bytes `lower` and natives put in scratch */
  uint64_t report_bytes;  /* bytes of one record, in any format */
  uint64_t total;         /* the sum: what the limit applies to */
} IpsfCost;

#define IPSF_DEFAULT_MAX_COST UINT64_C(32000000)
/* The longest string fact a sheet may give (bytes): the cost bound relies
 * on it; ipsf_eval_set_string refuses a longer one (IPSF_ERR_LIMIT). */
#define IPSF_MAX_FACT_STRING (64u * 1024u)

IpsfPack *ipsf_pack_load_limited(const uint8_t *bytes, size_t len, uint64_t max_cost,
                                 IpsfError *err);
IpsfPack *ipsf_pack_load_file_limited(const char *path, uint64_t max_cost, IpsfError *err);
const IpsfCost *ipsf_pack_cost(const IpsfPack *pack);
/* true if the pack's cost bound is within max_cost; else false with err
 * (IPSF_ERR_LIMIT) giving the bound, its parts and the limit. */
bool ipsf_pack_check_cost(const IpsfPack *pack, uint64_t max_cost, IpsfError *err);
void ipsf_pack_free(IpsfPack *pack);

const char *ipsf_pack_name(const IpsfPack *pack);
const char *ipsf_pack_version(const IpsfPack *pack);
const uint8_t *ipsf_pack_digest(const IpsfPack *pack); /* 32 bytes, SHA-256 */
/* Scale index of axis 1 or 2, or UINT32_MAX if the pack has none. */
uint32_t ipsf_pack_axis(const IpsfPack *pack, int axis);
/* Fact index by name, or UINT32_MAX. */
uint32_t ipsf_fact_index(const IpsfPack *pack, const char *name);

/* ---- what a pack declares, by index and by name ---------------------------
 *
 * Indices run from 0 to count - 1, in declaration order; a lookup by name
 * returns UINT32_MAX when there is none.  Returned strings belong to the
 * pack: valid until ipsf_pack_free, safe to read from any thread. */
uint32_t ipsf_pack_fact_count(const IpsfPack *pack);
const char *ipsf_pack_fact_name(const IpsfPack *pack, uint32_t fact);
/* "bool", "int", "number", "string", "enum" or "set". */
const char *ipsf_pack_fact_type(const IpsfPack *pack, uint32_t fact);
bool ipsf_pack_fact_required(const IpsfPack *pack, uint32_t fact); /* no default */
/* An enum or set fact's values, in order (count 0 for other types). */
uint32_t ipsf_pack_fact_value_count(const IpsfPack *pack, uint32_t fact);
const char *ipsf_pack_fact_value(const IpsfPack *pack, uint32_t fact, uint32_t value);

uint32_t ipsf_pack_scale_count(const IpsfPack *pack);
const char *ipsf_pack_scale_name(const IpsfPack *pack, uint32_t scale);
uint32_t ipsf_pack_scale_index(const IpsfPack *pack, const char *name);
/* A scale's levels, lowest first. */
uint32_t ipsf_pack_level_count(const IpsfPack *pack, uint32_t scale);
const char *ipsf_pack_level_name(const IpsfPack *pack, uint32_t scale, uint32_t level);

uint32_t ipsf_pack_viewpoint_count(const IpsfPack *pack);
const char *ipsf_pack_viewpoint_name(const IpsfPack *pack, uint32_t viewpoint);

uint32_t ipsf_pack_requirement_count(const IpsfPack *pack);
const char *ipsf_pack_requirement_id(const IpsfPack *pack, uint32_t requirement);
const char *ipsf_pack_requirement_title(const IpsfPack *pack, uint32_t requirement);
/* Who confirms, on what basis (docs/language.md): `basis` ("law",
 * "regulation", "contract", "voluntary") and its citation, `confirmed_by`
 * (a role), `subject` ("product", "organisation", "process"); NULL when
 * the requirement does not say.  The pack's strings. */
const char *ipsf_pack_requirement_basis(const IpsfPack *pack, uint32_t requirement);
const char *ipsf_pack_requirement_citation(const IpsfPack *pack, uint32_t requirement);
const char *ipsf_pack_requirement_confirmed_by(const IpsfPack *pack, uint32_t requirement);
/* Compensating measures (docs/language.md, "Compensating measures"): the
 * pack's entries, one per requirement named by a `compensated_by`, sorted
 * by the requirement compensated; entry k's requirement, the requirement
 * that compensates for it, its `until` day ("YYYY-MM-DD", NULL when none)
 * and its `for N months` (0 when none).  false when k is out of range. */
uint32_t ipsf_pack_compensation_count(const IpsfPack *pack);
bool ipsf_pack_compensation(const IpsfPack *pack, uint32_t k, uint32_t *requirement,
                            uint32_t *by, const char **until, uint32_t *months);
const char *ipsf_pack_requirement_subject(const IpsfPack *pack, uint32_t requirement);
uint32_t ipsf_pack_requirement_viewpoint(const IpsfPack *pack, uint32_t requirement);
uint32_t ipsf_pack_requirement_index(const IpsfPack *pack, const char *id);
/* The catalog provisions a requirement cites, as records carry them
 * ("ETSI EN 303 645 V2.1.1 5.1-1: ..."). */
uint32_t ipsf_pack_requirement_ref_count(const IpsfPack *pack, uint32_t requirement);
const char *ipsf_pack_requirement_ref(const IpsfPack *pack, uint32_t requirement, uint32_t ref);

/* The usage profiles the pack declares (docs/language.md, "Usage
 * profiles"), in declaration order: name, title (the name when the pack
 * gives none) and doc (NULL when none).  A pack that declares none has
 * count 0; then a sheet's profiles are free names. */
uint32_t ipsf_pack_profile_count(const IpsfPack *pack);
const char *ipsf_pack_profile_name(const IpsfPack *pack, uint32_t profile);
const char *ipsf_pack_profile_title(const IpsfPack *pack, uint32_t profile);
const char *ipsf_pack_profile_doc(const IpsfPack *pack, uint32_t profile);
uint32_t ipsf_pack_profile_index(const IpsfPack *pack, const char *name);
/* ---- catalogs: the standards a pack cites -----------------------------------
 *
 * A compiled pack keeps every catalog (`catalog "TITLE" version "V" {...}`,
 * docs/language.md "Standards catalogs") that one of its requirements
 * cites by id (`ref ETSI-5.1-1;`), with all its provisions, cited or not,
 * in declaration order; catalogs imported but never cited are not kept.
 * Same conventions as above: indices from 0, UINT32_MAX for no such name,
 * NULL / 0 for an index out of range; strings belong to the pack (valid
 * until ipsf_pack_free), everything readable from any thread at once.
 *
 *   for (uint32_t c = 0; c < ipsf_pack_catalog_count(pack); c++)
 *     for (uint32_t k = 0; k < ipsf_pack_provision_count(pack, c); k++)
 *       if (!ipsf_pack_provision_cited_count(pack, c, k))
 *         printf("%s %s not cited\n", ipsf_pack_catalog_name(pack, c),
 *                ipsf_pack_provision_id(pack, c, k));
 */
uint32_t ipsf_pack_catalog_count(const IpsfPack *pack);
/* The catalog's title ("ETSI EN 303 645"); its version ("V2.1.1") and its
 * `date` entry ("2020-06"), or NULL when the catalog gives none. */
const char *ipsf_pack_catalog_name(const IpsfPack *pack, uint32_t catalog);
const char *ipsf_pack_catalog_version(const IpsfPack *pack, uint32_t catalog);
const char *ipsf_pack_catalog_date(const IpsfPack *pack, uint32_t catalog);
uint32_t ipsf_pack_catalog_index(const IpsfPack *pack, const char *name);
/* A catalog's provisions: id as the pack names it ("ETSI-5.1-1", with an
 * import's prefix), clause ("5.1-1"), title, and status: "mandatory",
 * "recommended", "conditional" or "informative". */
uint32_t ipsf_pack_provision_count(const IpsfPack *pack, uint32_t catalog);
const char *ipsf_pack_provision_id(const IpsfPack *pack, uint32_t catalog, uint32_t provision);
const char *ipsf_pack_provision_clause(const IpsfPack *pack, uint32_t catalog,
                                       uint32_t provision);
const char *ipsf_pack_provision_title(const IpsfPack *pack, uint32_t catalog,
                                      uint32_t provision);
const char *ipsf_pack_provision_status(const IpsfPack *pack, uint32_t catalog,
                                       uint32_t provision);
/* A provision by id in one catalog (UINT32_MAX: none), or in any: true
 * with its catalog and index (either pointer may be NULL). */
uint32_t ipsf_pack_provision_index(const IpsfPack *pack, uint32_t catalog, const char *id);
bool ipsf_pack_provision_find(const IpsfPack *pack, const char *id, uint32_t *catalog,
                              uint32_t *provision);
/* Its `satisfied_by` list: ids of provisions whose fulfilment counts as
 * fulfilling it (they may lie in a catalog the pack does not keep). */
uint32_t ipsf_pack_provision_satisfied_by_count(const IpsfPack *pack, uint32_t catalog,
                                                uint32_t provision);
const char *ipsf_pack_provision_satisfied_by(const IpsfPack *pack, uint32_t catalog,
                                             uint32_t provision, uint32_t i);
/* The requirements that cite it (requirement indices, increasing; 0 of
 * them: not cited); UINT32_MAX for i out of range. */
uint32_t ipsf_pack_provision_cited_count(const IpsfPack *pack, uint32_t catalog,
                                         uint32_t provision);
uint32_t ipsf_pack_provision_cited_by(const IpsfPack *pack, uint32_t catalog,
                                      uint32_t provision, uint32_t i);

/* Rules, in pack order: each belongs to one scale and sets one level; its
 * `because` text (or NULL) and source location (file may be NULL) are
 * what `--explain` shows. */
uint32_t ipsf_pack_rule_count(const IpsfPack *pack);
uint32_t ipsf_pack_rule_scale(const IpsfPack *pack, uint32_t rule);
uint32_t ipsf_pack_rule_level(const IpsfPack *pack, uint32_t rule);
const char *ipsf_pack_rule_because(const IpsfPack *pack, uint32_t rule);
bool ipsf_pack_rule_location(const IpsfPack *pack, uint32_t rule, const char **file,
                             uint32_t *line, uint32_t *col);

/* ---- native functions (docs/natives.md) ------------------------------------ */

/* A native runs with the evaluator's privileges, so loading a pack never
 * opens a library: a pack whose `extern` functions are not bound is refused
 * by ipsf_eval_run (IPSF_ERR_NATIVE).  Bind them once, after loading and
 * before any evaluation or sharing across threads: every library the
 * externs name must be allowed by an entry of `allowed` (n entries), equal
 * to the library as the pack names it or with the same basename; the entry
 * is what is opened (a path is that file, a bare soname is searched by the
 * dynamic loader).  Each library is opened once, each symbol looked up
 * once.  false with err (IPSF_ERR_NATIVE) naming the library: not allowed,
 * cannot be opened, no such function.  A pack without externs needs no
 * call (it returns true at once); neither does a pack already bound. */
bool ipsf_pack_bind_natives(IpsfPack *pack, const char *const *allowed, size_t n,
                            IpsfError *err);
/* true if the pack has externs not bound yet. */
bool ipsf_pack_needs_natives(const IpsfPack *pack);

/* ---- signatures (docs/security.md) ---------------------------------------- */

#define IPSF_SIGN_KEY_SIZE 32u  /* Ed25519 public key */
#define IPSF_SIGNATURE_SIZE 64u /* Ed25519 signature */
#define IPSF_KEY_ID_SIZE 17u    /* 16 hex digits and a NUL */

/* Whether the pack carries a signature trailer; the signer's public key
 * (32 bytes) or NULL; whether that signature verifies under that key.  A
 * valid signature by an unknown key proves nothing: check it against a key
 * you trust with ipsf_pack_check_signature. */
bool ipsf_pack_is_signed(const IpsfPack *pack);
const uint8_t *ipsf_pack_signer(const IpsfPack *pack);
bool ipsf_pack_signature_valid(const IpsfPack *pack);

/* true if the pack is signed by exactly `public_key` and the signature
 * verifies over its digest; else false with err (IPSF_ERR_BYTECODE) saying
 * why: unsigned, signed by another key (named by key id), invalid. */
bool ipsf_pack_check_signature(const IpsfPack *pack, const uint8_t public_key[32],
                               IpsfError *err);

/* Key id: the first 8 bytes of SHA-256 of the public key, in hex. */
void ipsf_key_id(const uint8_t public_key[32], char out[IPSF_KEY_ID_SIZE]);

/* Key files are one text line: "ipsfc-ed25519-public BASE64" (the 32-byte
 * public key) or "ipsfc-ed25519-secret BASE64" (the 32-byte seed).  Load
 * one; false with err (IO, BYTECODE for a malformed file). */
bool ipsf_public_key_load_file(const char *path, uint8_t public_key[32], IpsfError *err);
/* secret_key: libsodium's 64 bytes (seed || public key); wipe it after use. */
bool ipsf_secret_key_load_file(const char *path, uint8_t secret_key[64], IpsfError *err);

/* ---- evaluation ---------------------------------------------------------- */

/* A context holds everything one evaluation writes; it allocates once, here,
 * and not per evaluation (but for the scratch area that `lower` and
 * natives returning strings grow). */
IpsfEval *ipsf_eval_new(const IpsfPack *pack);
void ipsf_eval_free(IpsfEval *ev);

/* Start a new evaluation: every fact unset, no evidence. */
void ipsf_eval_begin(IpsfEval *ev);

/* Set one fact.  A string must stay alive until the next ipsf_eval_begin.
 * Errors (kind IPSF_ERR_TYPE) name the fact. */
bool ipsf_eval_set_bool(IpsfEval *ev, uint32_t fact, bool v, IpsfError *err);
bool ipsf_eval_set_int(IpsfEval *ev, uint32_t fact, int64_t v, IpsfError *err);
bool ipsf_eval_set_number(IpsfEval *ev, uint32_t fact, double v, IpsfError *err);
bool ipsf_eval_set_string(IpsfEval *ev, uint32_t fact, const char *v, IpsfError *err);
bool ipsf_eval_set_enum(IpsfEval *ev, uint32_t fact, const char *value, IpsfError *err);
/* Sets: clear, then add members one by one. */
bool ipsf_eval_set_clear(IpsfEval *ev, uint32_t fact, IpsfError *err);
bool ipsf_eval_set_add(IpsfEval *ev, uint32_t fact, const char *value, IpsfError *err);

/* Declare that the sheet has an evidence section (even an empty one), and
 * one piece of evidence: requirement id -> confirmation method. */
void ipsf_eval_evidence_present(IpsfEval *ev);
bool ipsf_eval_set_evidence(IpsfEval *ev, const char *requirement_id,
                            const char *method, IpsfError *err);
/* Dated evidence (docs/sheets.md, "Evidence"): the method, and optionally
 * the day it was confirmed and the last day it is valid, each
 * "YYYY-MM-DD" or NULL.  The strings need not outlive the call.  A date
 * that is not a calendar date, or an expiry before the date, is an error
 * (IPSF_ERR_TYPE) naming the requirement. */
typedef struct {
  const char *method;
  const char *date;
  const char *expires;
} IpsfEvidence;
bool ipsf_eval_set_evidence_entry(IpsfEval *ev, const char *requirement_id,
                                  const IpsfEvidence *evidence, IpsfError *err);
/* The day statuses are decided on ("YYYY-MM-DD"): dated evidence older than
 * its confirm line's period, or past its expiry, is IPSF_EXPIRED.  Set once
 * per context (ipsf_eval_begin keeps it); the default is today in UTC, or
 * the day of the environment's SOURCE_DATE_EPOCH when set, read by
 * ipsf_eval_new.  ipsf_eval_as_of writes it into out[11]. */
bool ipsf_eval_set_as_of(IpsfEval *ev, const char *date, IpsfError *err);
void ipsf_eval_as_of(const IpsfEval *ev, char out[11]);

/* Fill defaults, check that every required fact is set, run the code.
 * false with err on any evaluation error. */
bool ipsf_eval_run(IpsfEval *ev, IpsfError *err);

/* ---- results (valid after a successful ipsf_eval_run) --------------------- */

/* EXPIRED: evidence of a strong enough method, but older than the confirm
 * line's period or past its expiry on the as-of day.  COMPENSATED (5,
 * after IPSF_NOT_APPLICABLE): it would be UNMET or EXPIRED, but a
 * requirement its `compensated_by` names applies, is met and is within its
 * time bound on the as-of day (docs/language.md, "Compensating measures"). */
typedef enum { IPSF_UNKNOWN = 0, IPSF_MET = 1, IPSF_UNMET = 2, IPSF_EXPIRED = 3,
               IPSF_COMPENSATED = 5 } IpsfStatus;

/* The status as records write it: "met", "unmet", "expired",
 * "compensated", or "unknown" (for IPSF_UNKNOWN and any other value).  A
 * static string. */
const char *ipsf_status_name(IpsfStatus status);

uint32_t ipsf_eval_level(const IpsfEval *ev, uint32_t scale);
const char *ipsf_eval_level_name(const IpsfEval *ev, uint32_t scale);
bool ipsf_eval_applies(const IpsfEval *ev, uint32_t requirement);
/* Required method name, or NULL if the requirement does not apply. */
const char *ipsf_eval_method(const IpsfEval *ev, uint32_t requirement);
IpsfStatus ipsf_eval_status(const IpsfEval *ev, uint32_t requirement);
/* For a requirement met or expired by dated evidence: the last day the
 * evidence counts (its date plus the period, or its expiry, the earlier),
 * written into out[11]; false when the evidence gives neither. */
bool ipsf_eval_due(const IpsfEval *ev, uint32_t requirement, char out[11]);
/* For an expired requirement: "age" (older than the period) or "expiry"
 * (past its expiry date); NULL otherwise.  A static string. */
const char *ipsf_eval_expired_by(const IpsfEval *ev, uint32_t requirement);
/* Compensating measures: the status before compensation (UNMET or
 * EXPIRED for a compensated requirement, else as ipsf_eval_status); the
 * requirements that compensate for it on the as-of day, in the pack's
 * order (start with *pos = 0, call while the result is not UINT32_MAX);
 * and the last day the compensation counts, the latest bound of those,
 * into out[11] (false when one of them has no bound, or it is not
 * compensated). */
IpsfStatus ipsf_eval_shortfall(const IpsfEval *ev, uint32_t requirement);
uint32_t ipsf_eval_compensated_by(const IpsfEval *ev, uint32_t requirement, uint32_t *pos);
bool ipsf_eval_compensated_until(const IpsfEval *ev, uint32_t requirement, char out[11]);
/* The chosen confirm line's period in months, 0 when it has none (or the
 * requirement does not apply). */
uint32_t ipsf_eval_every_months(const IpsfEval *ev, uint32_t requirement);
/* Whether a rule matched (the reasons: the rules of a scale that matched;
 * none matched when the scale took its otherwise level). */
bool ipsf_eval_rule_hit(const IpsfEval *ev, uint32_t rule);

/* The record of the last successful ipsf_eval_run of ev, in `format`
 * (flags: IPSF_EXPLAIN), exactly as `ipsfc eval` writes it for a sheet
 * named `sheet` (NULL: null) at JSON Lines line `line` (0: null), for
 * `device` and `profile` (NULL: null).  A whole document of one record:
 * json one array of one record, csv the header and a row, sarif and junit
 * the opening, the record and the closing (any IpsfRecordFormat, CSV,
 * SARIF and JUNIT below included; for many records in one document, see
 * "records as documents" below).  Returns a malloc'd string (ipsf_free),
 * NULL when out of memory or for an unknown format. */
char *ipsf_eval_record(const IpsfEval *ev, const char *sheet, uint64_t line, const char *device,
                       const char *profile, int format, unsigned flags, size_t *out_len);

/* ---- one sheet as text, records as text ----------------------------------
 *
 * What a binding or a service needs in one call: parse a fact sheet (JSON
 * or YAML text), bind it for each of its profiles (or only `profile`),
 * evaluate, and write the records exactly as `ipsfc eval` writes them,
 * with "sheet" and "line" null.  The sheet's text is not kept: after
 * the call, read results from `ev` (levels, requirements), not facts.  A sheet that cannot be parsed, bound or
 * evaluated gives an error record, as in the CLI: that is not a failure of
 * the call.  `ev` is any context of the pack (one per thread); its state
 * afterwards is that of the last profile evaluated.
 *
 * Returns a malloc'd, NUL-terminated string (free it with ipsf_free) and
 * its length in *out_len (if not NULL); NULL only when out of memory.
 * `*records` (if not NULL) receives the number of records, `*errors` the
 * number of error records among them. */
typedef enum {
  IPSF_SYNTAX_JSON = 0,  /* a JSON document (errors as line:col) */
  IPSF_SYNTAX_YAML = 1,  /* a YAML document */
  IPSF_SYNTAX_JSONL = 2  /* one JSON Lines line (errors as "column N", as eval's) */
} IpsfSheetSyntax;
typedef enum {
  IPSF_RECORDS_TEXT = 0,  /* for people, as `eval` prints by default */
  IPSF_RECORDS_JSON = 1,  /* one JSON array of records (`--format json`) */
  IPSF_RECORDS_JSONL = 2  /* one compact record per line (`--format jsonl`) */
} IpsfRecordFormat;
#define IPSF_EXPLAIN 1u              /* records list the rules behind each level */
#define IPSF_ALLOW_UNKNOWN_FACTS 2u  /* skip facts the pack does not declare */

char *ipsf_evaluate_text(IpsfEval *ev, const char *text, size_t len, IpsfSheetSyntax syntax,
                         const char *profile, IpsfRecordFormat format, unsigned flags,
                         size_t *out_len, size_t *records, size_t *errors);
void ipsf_free(void *p);

/* ---- many sheets: JSON Lines text in batches -------------------------------
 *
 * An evaluator keeps a context, buffers and the pre-rendered parts of JSON
 * Lines records, so that a caller feeding a registry in chunks pays what
 * `ipsfc eval` pays per line (its fast binder, its record cache).  One
 * evaluator per thread; any number share a pack. */
typedef struct ipsf_evaluator IpsfEvaluator;
typedef struct {
  size_t sheets;   /* non-blank lines read */
  size_t records;  /* records evaluated without error */
  size_t errors;   /* error records */
} IpsfEvalCounts;
/* NULL when out of memory.  `profile`: only that profile of each sheet. */
IpsfEvaluator *ipsf_evaluator_new(const IpsfPack *pack, IpsfRecordFormat format, unsigned flags,
                                  const char *profile);
void ipsf_evaluator_free(IpsfEvaluator *e);
/* Every line of `text` (lines end at \n; a last line needs none), numbered
 * from first_line (blank lines count), records named `sheet` (NULL: null):
 * exactly the records `ipsfc eval` writes for those lines of a .jsonl file
 * (for IPSF_RECORDS_JSON, one array).  A malloc'd string (ipsf_free), NULL
 * when out of memory; counts added to *counts if not NULL. */
char *ipsf_evaluator_jsonl(IpsfEvaluator *e, const char *text, size_t len, const char *sheet,
                           uint64_t first_line, size_t *out_len, IpsfEvalCounts *counts);

/* ---- streaming: many sheets, N threads, records in input order ------------
 *
 * A runner evaluates JSON Lines streams (a file descriptor, a FILE *, or
 * the caller's read function), sheet files and in-memory documents with
 * `jobs` threads, and hands the records to the caller's write function in
 * input order: the machinery of `ipsfc eval`, which is built on it.  The
 * output is byte-for-byte what `ipsfc eval` writes for the same inputs and
 * options, whatever `jobs` is.
 *
 *   IpsfRunnerOptions o = {.format = IPSF_RECORDS_JSONL, .jobs = 4,
 *                          .write = on_records, .user = &state};
 *   IpsfRunner *r = ipsf_runner_new(pack, &o, &err);
 *   ipsf_runner_jsonl_fd(r, 0, "-");
 *   ipsf_runner_finish(r, &counts);
 *   ipsf_runner_free(r);
 *
 * Beside its bytes, each record comes with a structured view (IpsfRunRecord)
 * so that an aggregator needs no parsing.  Output comes in chunks: the
 * records of one batch of input (up to 4096 lines or 128 KiB), or of one
 * document, or the format's opening or closing (no records).  A batch ends
 * whenever the reader would wait on a pipe, so a slow producer's records
 * come out as its lines come in. */

/* More record formats: the CLI's CI formats, and none.  A runner, a record
 * writer (below), ipsf_eval_record, ipsf_error_record (and their _buf and
 * _write forms) and ipsf_evaluate_text take them all (but NONE: a runner
 * only); ipsf_evaluator_new takes only the three above. */
#define IPSF_RECORDS_CSV ((IpsfRecordFormat)3)   /* `--format csv`: a header, a row per record */
#define IPSF_RECORDS_SARIF ((IpsfRecordFormat)4) /* `--format sarif`: SARIF 2.1.0 */
#define IPSF_RECORDS_JUNIT ((IpsfRecordFormat)5) /* `--format junit`: JUnit XML */
#define IPSF_RECORDS_NONE ((IpsfRecordFormat)6)  /* no bytes: views only */
#define IPSF_COLOR 4u /* runner flag: text records with ANSI colours */
/* Runner flag: pass only the bytes (n = 0, no records), for a caller that
 * only writes them out, as `ipsfc eval` does; it saves building the views
 * (a few percent of the time of a JSON Lines record). */
#define IPSF_NO_VIEWS 8u

/* A requirement's status in a view: an IpsfStatus, or this (after
 * IPSF_EXPIRED; IPSF_COMPENSATED, 5, came later). */
#define IPSF_NOT_APPLICABLE 4u

/* One record.  Every pointer is valid only during the write call that
 * passes it (copy what you keep) and belongs to the runner. */
typedef struct {
  const char *bytes;    /* the record as output, inside the chunk: with its
                         * leading separator (json: ",\n  ", text: a blank
                         * line) except for the first record of the run */
  size_t len;
  const char *sheet;    /* the source's name, as given (may be NULL) */
  uint64_t line;        /* 1-based JSON Lines line, 0 for a document */
  const char *device;   /* the sheet's "device", or NULL */
  const char *profile;  /* the profile evaluated, or NULL (the sheet itself) */
  IpsfErrorKind error;  /* IPSF_ERR_NONE for an evaluated record */
  const char *message;  /* an error record's message (one line), else NULL */
  /* The category cell: the level index of axis 1 and axis 2 (as
   * ipsf_pack_level_name numbers them), UINT32_MAX for an error record or
   * a pack without that axis. */
  uint32_t level[2];
  /* ipsf_pack_requirement_count(pack) bytes, in pack order: IPSF_MET,
   * IPSF_UNMET, IPSF_UNKNOWN, IPSF_EXPIRED, IPSF_COMPENSATED or IPSF_NOT_APPLICABLE.  NULL for an error
   * record. */
  const uint8_t *status;
} IpsfRunRecord;

/* Called with each chunk, in input order, on the thread that called the
 * ipsf_runner_* function that produced it, never two at once.  `bytes`
 * (len bytes, NUL after them; len may be 0 with IPSF_RECORDS_NONE) is the
 * whole chunk: write it as is for the CLI's output; `records` (n, may be 0)
 * point into it.  Return 0 to go on, anything else to stop the run (a write
 * error, enough seen): no more input is read and nothing more is passed. */
typedef int (*IpsfRunnerWrite)(void *user, const char *bytes, size_t len,
                               const IpsfRunRecord *records, size_t n);

/* The caller's input, as read(2): bytes put in buf (at most cap), 0 at the
 * end, -1 on an error (errno names it in the error record). */
typedef long (*IpsfRunnerRead)(void *user, char *buf, size_t cap);

typedef struct {
  IpsfRecordFormat format;  /* IPSF_RECORDS_*, including the four above */
  unsigned flags;           /* IPSF_EXPLAIN, IPSF_ALLOW_UNKNOWN_FACTS, IPSF_COLOR, IPSF_NO_VIEWS */
  const char *profile;      /* only this profile of each sheet, or NULL; copied */
  unsigned jobs;            /* threads for JSON Lines; 0 or 1: the calling thread */
  size_t max_line_bytes;    /* a JSON Lines line (0: 16 MiB); longer: a limit record */
  size_t max_sheet_bytes;   /* a sheet file (0: 64 MiB); ipsf_runner_path */
  /* The day dated evidence is decided on, "YYYY-MM-DD" (copied), or NULL:
   * today (ipsf_eval_set_as_of).  Not a calendar date: ipsf_runner_new
   * fails with IPSF_ERR_TYPE. */
  const char *as_of;
  /* Set non-zero (by a signal handler: SIGINT, SIGTERM) to stop: no more
   * input is read, batches evaluated but not yet passed are dropped, and
   * the run ends after a whole record.  NULL: none.  Read, never written. */
  const volatile sig_atomic_t *stop;
  IpsfRunnerWrite write;    /* required */
  void *user;               /* passed to write */
} IpsfRunnerOptions;

typedef struct {
  size_t sheets;   /* documents and non-blank lines read */
  size_t records;  /* records evaluated without error */
  size_t errors;   /* error records */
  size_t unmet;    /* requirements applying and not met (unmet or unknown) */
} IpsfRunCounts;

typedef enum {
  IPSF_RUN_GOING = 0,  /* not stopped */
  IPSF_RUN_STOP_FLAG,  /* options.stop was set */
  IPSF_RUN_STOP_WRITE, /* the write function returned non-zero */
  IPSF_RUN_NOMEM       /* out of memory while rendering a record */
} IpsfRunState;

typedef struct ipsf_runner IpsfRunner;

/* NULL with err (IPSF_ERR_NOMEM, or IPSF_ERR_INTERNAL for options without
 * a write function or an unknown format).  The pack must outlive the
 * runner and have its natives bound.  A runner is used by one thread at a
 * time (it starts and joins its own threads inside each call). */
IpsfRunner *ipsf_runner_new(const IpsfPack *pack, const IpsfRunnerOptions *options,
                            IpsfError *err);
/* Each of these evaluates one source and returns false once the run is
 * stopped (ipsf_runner_state), true otherwise; input that cannot be read
 * or parsed gives error records, as in the CLI.  `name` is the records'
 * "sheet" (NULL: null).  fd and FILE * stay the caller's (not closed). */
bool ipsf_runner_jsonl_fd(IpsfRunner *r, int fd, const char *name);
bool ipsf_runner_jsonl_file(IpsfRunner *r, FILE *in, const char *name);
bool ipsf_runner_jsonl_read(IpsfRunner *r, IpsfRunnerRead read, void *user, const char *name);
/* A path as `ipsfc eval` takes it: "-" and *.jsonl are JSON Lines, other
 * files are one JSON or YAML document (by extension). */
bool ipsf_runner_path(IpsfRunner *r, const char *path);
/* One JSON or YAML document (or a JSON Lines line) in memory. */
bool ipsf_runner_document(IpsfRunner *r, const char *text, size_t len, IpsfSheetSyntax syntax,
                          const char *name);
/* Pass the format's closing (unless stopped), fill *counts (may be NULL)
 * with the counts of everything passed; returns ipsf_runner_state() ==
 * IPSF_RUN_GOING.  Nothing may be fed after it. */
bool ipsf_runner_finish(IpsfRunner *r, IpsfRunCounts *counts);
IpsfRunState ipsf_runner_state(const IpsfRunner *r);
/* The counts so far (callable from inside the write function: they
 * include the chunk being passed). */
void ipsf_runner_counts(const IpsfRunner *r, IpsfRunCounts *counts);
void ipsf_runner_free(IpsfRunner *r);

/* jansson, which parses sheets, may drop a byte of a string when an
 * allocation fails inside it and report success.  A program that parses
 * sheets through this library should install this allocator once, before
 * any thread starts: json_set_alloc_funcs(ipsf_json_malloc, free).  Then
 * such a failure is an out_of_memory error record instead of altered
 * text (docs/limits.md). */
void *ipsf_json_malloc(size_t size);

/* ---- the rest of the embedding API: by name, sheets, records ---------------
 *
 * Lifetime and threads, for everything below: strings returned from a pack
 * (names) belong to the pack (valid until ipsf_pack_free, readable from any
 * thread); strings returned from a sheet belong to the sheet (valid until
 * ipsf_sheet_free).  An IpsfSheet is immutable once loaded: any number of
 * threads may bind it at once, each into its own context.  Functions
 * returning `char *` return a malloc'd, NUL-terminated string the caller
 * frees with ipsf_free. */

/* A level of a scale, and a viewpoint, by name (UINT32_MAX: none). */
uint32_t ipsf_pack_level_index(const IpsfPack *pack, uint32_t scale, const char *name);
uint32_t ipsf_pack_viewpoint_index(const IpsfPack *pack, const char *name);

/* A fact sheet parsed from text exactly as `ipsfc eval` parses it: a JSON
 * document, a YAML document, or one JSON Lines line (`syntax`).  NULL with
 * err: IPSF_ERR_SYNTAX (the CLI's message, "line:col" or "column N"),
 * IPSF_ERR_LIMIT, IPSF_ERR_NOMEM.  The sheet copies what it needs from
 * text; it does not depend on any pack (its facts are checked on bind). */
typedef struct ipsf_sheet IpsfSheet;
IpsfSheet *ipsf_sheet_load(const char *text, size_t len, IpsfSheetSyntax syntax,
                           IpsfError *err);
void ipsf_sheet_free(IpsfSheet *sheet);
/* The sheet's "device" string, or NULL. */
const char *ipsf_sheet_get_device(const IpsfSheet *sheet);
/* Its profiles, in document order (0 when it has none). */
size_t ipsf_sheet_get_profile_count(const IpsfSheet *sheet);
const char *ipsf_sheet_get_profile_name(const IpsfSheet *sheet, size_t i);

/* Start a new evaluation of ev (ipsf_eval_begin) and bind the sheet to it:
 * its facts, then those of `profile` (NULL: the base facts only), and its
 * evidence, checked as the CLI checks them.  false with err: IPSF_ERR_TYPE,
 * MISSING_FACT... as `eval`'s error record says, IPSF_ERR_UNKNOWN_FACT (not
 * with IPSF_ALLOW_UNKNOWN_FACTS in flags), IPSF_ERR_UNKNOWN_PROFILE.  Then
 * ipsf_eval_run.  Strings of the sheet are bound by reference: keep the
 * sheet until the results (and any record) of this evaluation are read.
 * `eval` evaluates a sheet once per profile, or once if it has none. */
bool ipsf_eval_bind(IpsfEval *ev, const IpsfSheet *sheet, const char *profile, unsigned flags,
                    IpsfError *err);

/* The error record `ipsfc eval` writes for err (from ipsf_sheet_load,
 * ipsf_eval_bind or ipsf_eval_run) in `format`, for a sheet named `sheet`
 * at line `line` (0: null), `device` and `profile` (NULL: null).  `pack`
 * names the pack in the record (NULL: none).  NULL when out of memory. */
char *ipsf_error_record(const IpsfPack *pack, const IpsfError *err, const char *sheet,
                        uint64_t line, const char *device, const char *profile,
                        IpsfRecordFormat format, size_t *out_len);

/* ipsf_eval_record and ipsf_error_record into the caller's buffer, with
 * snprintf's contract: the record's length is returned whatever `cap` is,
 * and at most cap - 1 bytes and a NUL are written, so a return >= cap
 * means "call again with a buffer of return + 1 bytes".  SIZE_MAX when out
 * of memory.  Or onto a stream: false with err (IPSF_ERR_IO when fwrite
 * fails, IPSF_ERR_NOMEM); the stream is not flushed. */
size_t ipsf_eval_record_buf(const IpsfEval *ev, const char *sheet, uint64_t line,
                            const char *device, const char *profile, IpsfRecordFormat format,
                            unsigned flags, char *buf, size_t cap);
size_t ipsf_error_record_buf(const IpsfPack *pack, const IpsfError *err, const char *sheet,
                             uint64_t line, const char *device, const char *profile,
                             IpsfRecordFormat format, char *buf, size_t cap);
bool ipsf_eval_record_write(const IpsfEval *ev, const char *sheet, uint64_t line,
                            const char *device, const char *profile, IpsfRecordFormat format,
                            unsigned flags, FILE *out, IpsfError *err);
bool ipsf_error_record_write(const IpsfPack *pack, const IpsfError *err, const char *sheet,
                             uint64_t line, const char *device, const char *profile,
                             IpsfRecordFormat format, FILE *out, IpsfError *err_out);

/* ---- tests compiled into a pack (ipsfc compile --with-tests) ---------------
 *
 * A pack compiled with --with-tests carries its test blocks and the rows of
 * its table of cases (docs/language.md section 16) as data, verified like
 * the rest of the pack; an ordinary evaluation ignores them.  Tests are
 * numbered from 0 to ipsf_pack_test_count() - 1: the test blocks in source
 * order (imports first), then the rows.  Each run is one evaluation of `ev`
 * (a context of this pack, from ipsf_eval_new), which then holds that
 * evaluation's results; it is reset by the next ipsf_eval_begin.
 *
 *   IpsfTestResult r;
 *   for (uint32_t i = 0; i < ipsf_pack_test_count(pack); i++)
 *     if (ipsf_pack_run_test(pack, ev, i, &r, &err)) {
 *       printf("%s %s\n", r.passed ? "ok  " : "FAIL", r.name);
 *       ipsf_test_result_free(&r);
 *     }
 */
typedef struct {
  const char *expect; /* the expectation as written ("expect recovery == fatal",
                         "expect:category = 3/2"); NULL when the test failed
                         as a whole (a given refused, an evaluation error) */
  const char *file;   /* where: the source or table of cases, as compiled */
  uint32_t line, col;
  char *got;          /* what was found ("got recovery serious"); owned */
} IpsfTestFailure;

typedef struct {
  const char *name;    /* the pack's strings: valid until ipsf_pack_free */
  const char *profile; /* `profile "p"` or the row's profile cell, or NULL */
  const char *file;    /* where the test (or row) is */
  uint32_t line, col;
  bool is_case;        /* a row of a table of cases */
  bool evaluated;      /* the evaluation completed: `ev` holds its results */
  bool passed;
  size_t failure_count;
  IpsfTestFailure *failures; /* owned: ipsf_test_result_free */
} IpsfTestResult;

uint32_t ipsf_pack_test_count(const IpsfPack *pack); /* 0: none compiled in */
const char *ipsf_pack_test_name(const IpsfPack *pack, uint32_t test); /* NULL: out of range */
bool ipsf_pack_test_is_case(const IpsfPack *pack, uint32_t test);
/* Run test `test` on `ev` and judge it into *out (the run's failures,
 * expected vs found).  false only when it could not be run (out of memory,
 * an index out of range, a context of another pack): err says; a test
 * that fails is a true return with out->passed false. */
bool ipsf_pack_run_test(const IpsfPack *pack, IpsfEval *ev, uint32_t test, IpsfTestResult *out,
                        IpsfError *err);
void ipsf_test_result_free(IpsfTestResult *result);
/* ---- records as documents: every format of the CLI, record by record -------
 *
 * A format is a document: csv has a header, json an array, sarif and junit
 * an opening and a closing; what separates records depends on what came
 * before.  A record writer keeps that state: begin (the opening), any
 * number of records and error records, end (the closing), each appended
 * to the writer's pending bytes, which the caller drains onto a FILE *,
 * into its own buffer, or reads in place.  The bytes are those `ipsfc
 * eval --format F` writes for the same records in the same order, for
 * every IPSF_RECORDS_* format but NONE (flags: IPSF_EXPLAIN; IPSF_COLOR for
 * text).  `sheet` is the sheet's name as the CLI gives it (its path; "-"
 * for standard input) or NULL: json, jsonl and text write null / nothing,
 * csv an empty field, sarif a result without a location, junit a test
 * case without a class name (but "line N" when `line` is given).
 *
 *   IpsfRecordWriter *w = ipsf_record_writer_new(pack, IPSF_RECORDS_SARIF, 0);
 *   for (each sheet, each profile) {
 *     if (ipsf_eval_bind(ev, sheet, profile, 0, &err) && ipsf_eval_run(ev, &err))
 *       ipsf_record_writer_eval(w, ev, path, 0, device, profile);
 *     else
 *       ipsf_record_writer_error(w, &err, path, 0, device, profile);
 *     ipsf_record_writer_flush(w, stdout, &err);   (as often as you like)
 *   }
 *   ipsf_record_writer_end(w);
 *   ipsf_record_writer_flush(w, stdout, &err);
 *   ipsf_record_writer_free(w);
 *
 * A writer is used by one thread at a time (one per document); the pack
 * must outlive it.  The functions return false when out of memory (the
 * writer is then failed: every later call fails, and nothing incomplete
 * is ever pending) or when misused: a record after end, a context of
 * another pack. */
typedef struct ipsf_record_writer IpsfRecordWriter;
/* NULL when out of memory or for an unknown format (or IPSF_RECORDS_NONE).
 * `pack` may be NULL for a document of error records only (a pack that
 * could not be loaded), as ipsf_error_record allows. */
IpsfRecordWriter *ipsf_record_writer_new(const IpsfPack *pack, IpsfRecordFormat format,
                                         unsigned flags);
void ipsf_record_writer_free(IpsfRecordWriter *w);
/* The format's opening (done by the first record or end if not called). */
bool ipsf_record_writer_begin(IpsfRecordWriter *w);
/* The record of the last successful ipsf_eval_run of ev (a context of the
 * writer's pack): as ipsf_eval_record's arguments. */
bool ipsf_record_writer_eval(IpsfRecordWriter *w, const IpsfEval *ev, const char *sheet,
                             uint64_t line, const char *device, const char *profile);
/* The error record for err, as ipsf_error_record's. */
bool ipsf_record_writer_error(IpsfRecordWriter *w, const IpsfError *err, const char *sheet,
                              uint64_t line, const char *device, const char *profile);
/* The format's closing; nothing may be appended after it. */
bool ipsf_record_writer_end(IpsfRecordWriter *w);
/* The pending bytes, in place (NUL-terminated; valid until the next call
 * on w), and their length. */
const char *ipsf_record_writer_data(const IpsfRecordWriter *w, size_t *len);
/* Drain into buf with snprintf's contract: returns the pending length; if
 * it is < cap, the bytes and a NUL are copied and the writer is emptied,
 * else nothing is copied or drained (call again with return + 1 bytes).
 * SIZE_MAX when the writer failed. */
size_t ipsf_record_writer_take(IpsfRecordWriter *w, char *buf, size_t cap);
/* Drain onto a stream (not flushed): false with err: IPSF_ERR_IO when
 * fwrite fails (the bytes stay pending, but some may have reached the
 * stream: treat the document as lost), IPSF_ERR_NOMEM when the writer
 * failed. */
bool ipsf_record_writer_flush(IpsfRecordWriter *w, FILE *out, IpsfError *err);
/* Records and error records appended so far. */
size_t ipsf_record_writer_records(const IpsfRecordWriter *w);

#ifdef __cplusplus
}
#endif
#endif
