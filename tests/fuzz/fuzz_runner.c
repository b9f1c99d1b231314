/*
 * fuzz_runner.c -- libFuzzer target: what `ipsfc eval` does with its
 * sheets, through the runner (runtime/stream.c, worker.c, sheet_stream.c,
 * sheet_fast.c and the record writers), against the compiled smart-home
 * example (IPSF_FUZZ_PACK, compiled once at start-up).
 *
 * fuzz_sheet drives the parsers and the binder and fuzz_vm the writers on
 * generated packs; neither goes through the runner, which cuts the input
 * into lines and batches, chooses the fast binder or jansson, counts, and
 * joins the records of every source into one output, dropping the first
 * record's separator.  (A SARIF output whose first sheet had nothing unmet
 * began its results with a comma: no JSON.  That was found by fuzz_vm's
 * output oracle, and nothing here would have missed it.)
 *
 * The input: byte 0 the record format (mod 6) and flags (explain, colour,
 * unknown facts allowed, an as-of day); byte 1 the jobs (1, or 2 when the
 * low bit is set: then the run is done again with 1 job and the outputs
 * must be the same bytes); then up to 4 sources separated by 0x1E, each
 * with a first byte choosing how it is fed: even, JSON Lines through a
 * read function returning (b >> 1) + 1 bytes a call; odd, one document
 * whose syntax is (b >> 1) % 3 (JSON, YAML, a JSON Lines line).
 *
 * Oracles: the sanitizers; every output is its format's document (json an
 * array, sarif an object, jsonl a JSON object a line, text without colour
 * free of control bytes but the newline); the records passed add up to the
 * counts; and --jobs 2 writes what --jobs 1 writes.
 */
#include <jansson.h>

#include "compile.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static IpsfPack *pack;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  CompileOptions opt = {0};
  Compilation *c = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (!compile_pack(c, IPSF_FUZZ_PACK, &bytes, &len)) {
    fprintf(stderr, "fuzz_runner: cannot compile %s\n", IPSF_FUZZ_PACK);
    abort();
  }
  compilation_free(c);
  IpsfError err;
  pack = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  if (!pack) abort();
  return 0;
}

/* ---- the output ------------------------------------------------------------- */

typedef struct {
  char *data;
  size_t len;
  size_t records; /* views passed */
} Out;

static int collect(void *user, const char *bytes, size_t len, const IpsfRunRecord *recs,
                   size_t n) {
  (void)recs;
  Out *o = user;
  o->data = realloc(o->data, o->len + len + 1);
  if (!o->data) abort();
  memcpy(o->data + o->len, bytes, len);
  o->len += len;
  o->data[o->len] = '\0';
  o->records += n;
  return 0;
}

static void fail(const char *what, const Out *o) {
  fprintf(stderr, "fuzz_runner: %s\n--- output ---\n%.*s\n", what, (int)o->len,
          o->data ? o->data : "");
  abort();
}

static void check_output(IpsfRecordFormat format, bool color, const Out *o) {
  json_error_t e;
  if (format == IPSF_RECORDS_JSON || format == IPSF_RECORDS_SARIF) {
    json_t *j = json_loadb(o->data ? o->data : "", o->len, 0, &e);
    bool ok = format == IPSF_RECORDS_JSON ? json_is_array(j) : json_is_object(j);
    json_decref(j);
    if (!ok) fail(format == IPSF_RECORDS_JSON ? "json output is no JSON array"
                                              : "sarif output is no JSON object", o);
  } else if (format == IPSF_RECORDS_JSONL) {
    for (const char *l = o->data; l && *l;) {
      const char *nl = strchr(l, '\n');
      if (!nl) fail("a JSON Lines record without its newline", o);
      json_t *j = json_loadb(l, (size_t)(nl - l), 0, &e);
      bool ok = json_is_object(j);
      json_decref(j);
      if (!ok) fail("a JSON Lines line that is no JSON object", o);
      l = nl + 1;
    }
  } else if (format == IPSF_RECORDS_TEXT && !color) {
    for (size_t i = 0; i < o->len; i++) {
      unsigned char c = (unsigned char)o->data[i];
      if ((c < 0x20 && c != '\n') || c == 0x7f) fail("a control byte in text output", o);
    }
  }
}

/* ---- the sources -------------------------------------------------------------- */

typedef struct {
  const uint8_t *p;
  size_t n, chunk;
} Reader;

static long read_chunk(void *user, char *buf, size_t cap) {
  Reader *r = user;
  size_t k = r->n < r->chunk ? r->n : r->chunk;
  if (k > cap) k = cap;
  memcpy(buf, r->p, k);
  r->p += k;
  r->n -= k;
  return (long)k;
}

static const char *const names[] = {"devices.jsonl", NULL, "a \"q\" <b>&\x01\x1b[2J.json",
                                    "x\xc3\xa9.yaml"};

static void feed(IpsfRunner *r, const uint8_t *src, size_t n, unsigned i) {
  if (n == 0) return;
  unsigned how = src[0];
  src++;
  n--;
  const char *name = names[i % 4];
  if (how % 2 == 0) {
    Reader rd = {src, n, (how >> 1) + 1};
    ipsf_runner_jsonl_read(r, read_chunk, &rd, name);
  } else {
    ipsf_runner_document(r, (const char *)src, n, (IpsfSheetSyntax)((how >> 1) % 3), name);
  }
}

static Out run(const uint8_t *data, size_t size, unsigned jobs) {
  unsigned mode = data[0];
  IpsfRecordFormat format = (IpsfRecordFormat)(mode % 6);
  Out o = {0};
  IpsfRunnerOptions opt = {
      .format = format,
      .flags = (mode & 0x08 ? IPSF_EXPLAIN : 0u) | (mode & 0x10 ? IPSF_COLOR : 0u) |
               (mode & 0x20 ? IPSF_ALLOW_UNKNOWN_FACTS : 0u),
      .jobs = jobs,
      .max_line_bytes = mode & 0x40 ? 64 : 0,
      .as_of = mode & 0x80 ? "2026-06-01" : "9999-12-31",
      .write = collect,
      .user = &o};
  IpsfError err;
  IpsfRunner *r = ipsf_runner_new(pack, &opt, &err);
  if (!r) abort();
  const uint8_t *p = data + 2, *end = data + size;
  for (unsigned i = 0; i < 4 && p < end; i++) {
    const uint8_t *sep = memchr(p, 0x1e, (size_t)(end - p));
    const uint8_t *stop = sep ? sep : end;
    feed(r, p, (size_t)(stop - p), i);
    p = sep ? sep + 1 : end;
  }
  IpsfRunCounts counts;
  if (!ipsf_runner_finish(r, &counts)) abort(); /* nothing stops this run */
  ipsf_runner_free(r);
  if (o.records != counts.records + counts.errors) fail("records passed and counts differ", &o);
  check_output(format, (mode & 0x10) != 0, &o);
  return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  bool two = data[1] & 1;
  Out a = run(data, size, 1);
  if (two) {
    Out b = run(data, size, 2);
    if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
      fprintf(stderr, "--jobs 1:\n%.*s\n", (int)a.len, a.data ? a.data : "");
      fail("--jobs 2 writes other bytes than --jobs 1", &b);
    }
    free(b.data);
  }
  free(a.data);
  return 0;
}
