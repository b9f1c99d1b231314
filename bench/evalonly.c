/*
 * evalonly.c -- evaluation-only timing of ipsfc's runtime against the same
 * rules hand-compiled to C (native_rules.c), on the same pre-parsed facts.
 *
 *   evalonly PACK.ipsb SHEETS.jsonl [MAX_SHEETS [PASSES]]
 *
 * Reads up to MAX_SHEETS (default 200000) sheets of bench/gen.c's output
 * with jansson into compact structs (untimed), then, batch by batch (256
 * sheets):
 *   - binds each sheet into its own context through the public setters and
 *     runs it once, checking every result (three levels, which requirements
 *     apply, each one's method) against native_eval (untimed);
 *   - times ipsf_eval_run alone over the pre-bound contexts;
 *   - times native_eval over the same facts;
 *   - times ipsf_eval_begin + setters + ipsf_eval_run on one context (what a
 *     program feeding the API from its own parsed data pays).
 * All sheets are passed over PASSES times (default 5).  It prints the median
 * and mean ns/sheet of each, and a last line for bench/run.sh:
 *   RESULT run=NS bind=NS native=NS sheets=N
 * Exit 1 if any result differs between ipsfc and the native code.
 */
#include "ipsf.h"
#include "native_rules.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 256

static const char *const HARM[] = {"none", "minor_injury", "serious_injury", "death"};
static const char *const SENS[] = {"none", "personal", "sensitive"};
static const char *const USAGE[] = {"home", "office", "factory", "hospital", "vehicle"};
static const char *const ACT[] = {"none", "convenience", "access", "hazardous"};
static const char *const RADIO[] = {"wifi", "ble", "zigbee", "thread", "cellular"};
static const char *const REQ_ID[] = {"SH-01", "SH-02", "SH-03", "SH-04",
                                     "SH-20", "SH-21", "SH-30", "SH-40"};
static const char *const METHOD[] = {"self_declaration", "third_party_certification"};

typedef struct {
  NativeFacts f;
  uint8_t evidence_present, evidence_count;
  uint8_t ev_req[2], ev_method[2];
} Sheet;

typedef struct {
  uint32_t harm, sens, loss, users, usage, remote, act, exposed, radios;
} FactIds;

static int idx(const char *s, const char *const *names, int n) {
  for (int i = 0; s && i < n; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return -1;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "evalonly: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(2);
}

/* One line of gen.c's output into a Sheet; false if it is not one. */
static bool parse_sheet(const char *line, size_t len, Sheet *s) {
  memset(s, 0, sizeof *s);
  json_error_t e;
  json_t *d = json_loadb(line, len, 0, &e);
  if (!d) return false;
  json_t *facts = json_object_get(d, "facts"), *v;
  NativeFacts *f = &s->f;
  int k;
#define ENUM_FACT(key, names, n, bit, field)                                     \
  if ((v = json_object_get(facts, key)) != NULL) {                               \
    if ((k = idx(json_string_value(v), names, n)) < 0) goto bad;                 \
    f->field = (uint8_t)k;                                                       \
    f->set |= bit;                                                               \
  }
  ENUM_FACT("harm_life", HARM, 4, NF_HARM, harm)
  ENUM_FACT("data_sensitivity", SENS, 3, NF_SENS, sens)
  ENUM_FACT("usage", USAGE, 5, NF_USAGE, usage)
  ENUM_FACT("actuation", ACT, 4, NF_ACT, act)
  if ((v = json_object_get(facts, "loss_jpy")) != NULL) f->loss = json_integer_value(v), f->set |= NF_LOSS;
  if ((v = json_object_get(facts, "users_affected")) != NULL)
    f->users = json_integer_value(v), f->set |= NF_USERS;
  if ((v = json_object_get(facts, "remote_control")) != NULL)
    f->remote = json_is_true(v), f->set |= NF_REMOTE;
  if ((v = json_object_get(facts, "internet_exposed")) != NULL)
    f->exposed = json_is_true(v), f->set |= NF_EXPOSED;
  if ((v = json_object_get(facts, "radios")) != NULL) {
    size_t i;
    json_t *r;
    json_array_foreach(v, i, r) {
      if ((k = idx(json_string_value(r), RADIO, 5)) < 0) goto bad;
      f->radios |= (uint8_t)(1u << k);
    }
    f->set |= NF_RADIOS;
  }
  json_t *ev = json_object_get(d, "evidence");
  if (ev) {
    const char *key;
    s->evidence_present = 1;
    json_object_foreach(ev, key, v) {
      int r = idx(key, REQ_ID, 8), m = idx(json_string_value(v), METHOD, 2);
      if (r < 0 || m < 0 || s->evidence_count == 2) goto bad;
      s->ev_req[s->evidence_count] = (uint8_t)r;
      s->ev_method[s->evidence_count++] = (uint8_t)m;
    }
  }
#undef ENUM_FACT
  json_decref(d);
  return true;
bad:
  json_decref(d);
  return false;
}

/* A sheet into a context through the public API, as a program would. */
static bool bind(IpsfEval *ev, const FactIds *id, const Sheet *s, IpsfError *err) {
  const NativeFacts *f = &s->f;
  unsigned set = f->set;
  ipsf_eval_begin(ev);
  if (set & NF_HARM && !ipsf_eval_set_enum(ev, id->harm, HARM[f->harm], err)) return false;
  if (set & NF_SENS && !ipsf_eval_set_enum(ev, id->sens, SENS[f->sens], err)) return false;
  if (set & NF_LOSS && !ipsf_eval_set_int(ev, id->loss, f->loss, err)) return false;
  if (set & NF_USERS && !ipsf_eval_set_int(ev, id->users, f->users, err)) return false;
  if (set & NF_USAGE && !ipsf_eval_set_enum(ev, id->usage, USAGE[f->usage], err)) return false;
  if (set & NF_REMOTE && !ipsf_eval_set_bool(ev, id->remote, f->remote, err)) return false;
  if (set & NF_ACT && !ipsf_eval_set_enum(ev, id->act, ACT[f->act], err)) return false;
  if (set & NF_EXPOSED && !ipsf_eval_set_bool(ev, id->exposed, f->exposed, err)) return false;
  if (set & NF_RADIOS) {
    if (!ipsf_eval_set_clear(ev, id->radios, err)) return false;
    for (int k = 0; k < 5; k++)
      if (f->radios >> k & 1u && !ipsf_eval_set_add(ev, id->radios, RADIO[k], err)) return false;
  }
  if (s->evidence_present) {
    ipsf_eval_evidence_present(ev);
    for (int i = 0; i < s->evidence_count; i++)
      if (!ipsf_eval_set_evidence(ev, REQ_ID[s->ev_req[i]], METHOD[s->ev_method[i]], err))
        return false;
  }
  return true;
}

static const char *const LEVELS[3][3] = {{"limited", "serious", "fatal"},
                                         {"limited", "significant", "catastrophic"},
                                         {"standard", "extended", "lifetime"}};

/* 0 if the context's results equal the native ones, else prints why. */
static int same(const IpsfEval *ev, const uint32_t scale[3], const NativeResult *r, size_t n) {
  for (int s = 0; s < 3; s++) {
    const char *name = ipsf_eval_level_name(ev, scale[s]);
    if (!name || strcmp(name, LEVELS[s][r->level[s]]) != 0) {
      fprintf(stderr, "evalonly: sheet %zu: scale %d is %s in ipsfc, %s in C\n", n + 1, s,
              name ? name : "(none)", LEVELS[s][r->level[s]]);
      return 1;
    }
  }
  for (uint32_t q = 0; q < NATIVE_REQS; q++) {
    bool a = ipsf_eval_applies(ev, q), b = r->applies >> q & 1u;
    const char *m = ipsf_eval_method(ev, q);
    const char *mn = b ? native_method_name(r->confirm[q]) : NULL;
    if (a != b || (m == NULL) != (mn == NULL) || (m && strcmp(m, mn) != 0)) {
      fprintf(stderr, "evalonly: sheet %zu: %s is %s/%s in ipsfc, %s/%s in C\n", n + 1,
              REQ_ID[q], a ? "applies" : "-", m ? m : "-", b ? "applies" : "-", mn ? mn : "-");
      return 1;
    }
  }
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: evalonly PACK.ipsb SHEETS.jsonl [MAX_SHEETS [PASSES]]\n");
    return 2;
  }
  size_t max = argc > 3 ? strtoul(argv[3], NULL, 10) : 200000;
  int passes = argc > 4 ? atoi(argv[4]) : 5;
  if (passes < 1) passes = 1;
  IpsfError err;
  IpsfPack *pack = ipsf_pack_load_file(argv[1], &err);
  if (!pack) die("cannot load the pack", err.message);
  FactIds id = {
      ipsf_fact_index(pack, "harm_life"),      ipsf_fact_index(pack, "data_sensitivity"),
      ipsf_fact_index(pack, "loss_jpy"),       ipsf_fact_index(pack, "users_affected"),
      ipsf_fact_index(pack, "usage"),          ipsf_fact_index(pack, "remote_control"),
      ipsf_fact_index(pack, "actuation"),      ipsf_fact_index(pack, "internet_exposed"),
      ipsf_fact_index(pack, "radios"),
  };
  for (const uint32_t *p = &id.harm; p <= &id.radios; p++)
    if (*p == UINT32_MAX) die("the pack is not bench/pack.ipsf", "a fact is missing");
  /* recovery and economic are the axes; update_support is the third scale. */
  uint32_t scale[3] = {ipsf_pack_axis(pack, 1), ipsf_pack_axis(pack, 2), 2};

  FILE *in = fopen(argv[2], "rb");
  if (!in) die("cannot open", argv[2]);
  size_t cap = 1024, n = 0;
  Sheet *sheets = malloc(cap * sizeof *sheets);
  char *line = NULL;
  size_t lcap = 0;
  ssize_t len;
  while (n < max && (len = getline(&line, &lcap, in)) > 0) {
    if (n == cap) {
      cap *= 2;
      sheets = realloc(sheets, cap * sizeof *sheets);
      if (!sheets) die("out of memory", NULL);
    }
    if (!parse_sheet(line, (size_t)len, &sheets[n])) die("not a benchmark sheet", line);
    n++;
  }
  free(line);
  fclose(in);
  if (n == 0) die("no sheets", argv[2]);

  IpsfEval *ctx[BATCH];
  for (int i = 0; i < BATCH; i++)
    if (!(ctx[i] = ipsf_eval_new(pack))) die("out of memory", NULL);
  IpsfEval *one = ipsf_eval_new(pack);
  NativeResult res[BATCH];
  size_t batches = (n + BATCH - 1) / BATCH * (size_t)passes;
  double *t_run = malloc(batches * sizeof *t_run), *t_nat = malloc(batches * sizeof *t_nat),
         *t_bind = malloc(batches * sizeof *t_bind);
  double sum_run = 0, sum_nat = 0, sum_bind = 0;
  size_t nb = 0, evals = 0;
  unsigned sink = 0;
  for (int pass = 0; pass < passes; pass++) {
    for (size_t b0 = 0; b0 < n; b0 += BATCH) {
      size_t m = n - b0 < BATCH ? n - b0 : BATCH;
      const Sheet *sh = sheets + b0;
      /* bind, run once and check (untimed; also warms the contexts) */
      for (size_t i = 0; i < m; i++) {
        if (!bind(ctx[i], &id, &sh[i], &err) || !ipsf_eval_run(ctx[i], &err))
          die("ipsfc failed on a sheet", err.message);
        if (!native_eval(&sh[i].f, &res[i])) die("native code failed on a sheet", NULL);
        if (pass == 0 && same(ctx[i], scale, &res[i], b0 + i)) return 1;
      }
      double t0 = now_ns();
      for (size_t i = 0; i < m; i++)
        if (!ipsf_eval_run(ctx[i], &err)) die("ipsfc failed on a sheet", err.message);
      double t1 = now_ns();
      for (size_t i = 0; i < m; i++) sink += native_eval(&sh[i].f, &res[i]);
      double t2 = now_ns();
      for (size_t i = 0; i < m; i++)
        if (!bind(one, &id, &sh[i], &err) || !ipsf_eval_run(one, &err))
          die("ipsfc failed on a sheet", err.message);
      double t3 = now_ns();
      for (size_t i = 0; i < m; i++) sink += res[i].level[0];
      t_run[nb] = (t1 - t0) / (double)m;
      t_nat[nb] = (t2 - t1) / (double)m;
      t_bind[nb] = (t3 - t2) / (double)m;
      sum_run += t1 - t0, sum_nat += t2 - t1, sum_bind += t3 - t2;
      nb++, evals += m;
    }
  }
  double mr = median(t_run, nb), mn = median(t_nat, nb), mb = median(t_bind, nb);
  printf("%zu sheets, %d passes, batches of %d; every result equal to the native code's\n", n,
         passes, BATCH);
  printf("%-36s %8s %8s\n", "ns/sheet", "median", "mean");
  printf("%-36s %8.1f %8.1f\n", "ipsf_eval_run (facts pre-bound)", mr, sum_run / (double)evals);
  printf("%-36s %8.1f %8.1f\n", "begin + setters + ipsf_eval_run", mb, sum_bind / (double)evals);
  printf("%-36s %8.1f %8.1f\n", "native C (native_rules.c)", mn, sum_nat / (double)evals);
  printf("ipsf_eval_run / native C: %.2fx (median)\n", mn > 0 ? mr / mn : 0);
  printf("RESULT run=%.1f bind=%.1f native=%.1f sheets=%zu sink=%u\n", mr, mb, mn, n, sink % 2);
  for (int i = 0; i < BATCH; i++) ipsf_eval_free(ctx[i]);
  ipsf_eval_free(one);
  ipsf_pack_free(pack);
  free(sheets);
  free(t_run), free(t_nat), free(t_bind);
  return 0;
}
