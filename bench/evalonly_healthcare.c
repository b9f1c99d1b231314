/*
 * evalonly_healthcare.c -- evaluation-only timing of ipsfc's runtime on
 * the second, larger benchmark pack, examples/healthcare/pack.ipsf (11
 * facts, a `unique` scale, 18 rules, 10 requirements), against the same
 * rules hand-compiled to C (native_healthcare.c): evalonly.c's method on
 * another pack (issue #16).
 *
 *   evalonly_healthcare PACK.ipsb [SHEETS [PASSES [SEED]]]
 *   evalonly_healthcare --jsonl [SHEETS [SEED]]     print the sheets
 *
 * The sheets are made in memory by a fixed xorshift64* (so a seed gives
 * the same sheets everywhere): care_setting always, each other fact with
 * some probability (absent ones take the pack's defaults).  --jsonl prints
 * the same sheets as JSON Lines, for `ipsfc eval` (the CLI and this
 * program must agree: bench/run.sh checks it).  Then, batch by batch (256
 * sheets), as evalonly.c: each sheet is bound into its own context
 * through the public setters, run once and every result checked against
 * native_healthcare (three levels, which requirements apply, each one's
 * method; untimed); then ipsf_eval_run alone over the pre-bound contexts
 * and native_healthcare over the same facts are timed.  It prints the
 * median and mean ns/sheet and a last line for bench/run.sh:
 *   RESULT run=NS native=NS sheets=N
 * Exit 1 if any result differs between ipsfc and the native code.
 */
#include "ipsf.h"
#include "native_healthcare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 256

static const char *const CARE[] = {"wellness", "home_care", "clinic", "hospital_ward",
                                   "intensive_care"};
static const char *const FUNC[] = {"none", "monitoring", "diagnosis", "therapy", "life_support"};
static const char *const HARM[] = {"none", "minor_injury", "serious_injury", "death"};
static const char *const DATA[] = {"none", "pseudonymised", "identifiable", "highly_sensitive"};
static const char *const CONN[] = {"standalone", "local_link", "hospital_network", "internet"};
static const char *const PMD[] = {"not_medical", "class_I", "class_II", "class_III", "class_IV"};
static const char *const REQ_ID[HC_REQS] = {"HC-01", "HC-02", "HC-03", "HC-04", "HC-05",
                                            "HC-10", "HC-11", "HC-20", "HC-21", "HC-30"};
static const long long LOSSES[] = {0, 50000, 2000000, 150000000, 20000000000ll};
static const long long RECORDS[] = {0, 300, 5000, 40000, 2500000};

static uint64_t state;
static uint64_t next(void) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}
static unsigned pick(unsigned n) { return (unsigned)((next() >> 33) % n); }
static int chance(unsigned percent) { return pick(100) < percent; }

static void make_sheet(HcFacts *f) {
  memset(f, 0, sizeof *f);
  f->care = (uint8_t)pick(5), f->set |= HF_CARE;
  if (chance(70)) f->func = (uint8_t)pick(5), f->set |= HF_FUNC;
  if (chance(60)) f->harm = (uint8_t)pick(4), f->set |= HF_HARM;
  if (chance(50)) f->fallback = (uint8_t)chance(50), f->set |= HF_FALLBACK;
  if (chance(50)) f->alarm = (uint8_t)chance(50), f->set |= HF_ALARM;
  if (chance(50)) f->remote = (uint8_t)chance(50), f->set |= HF_REMOTE;
  if (chance(60)) f->data = (uint8_t)pick(4), f->set |= HF_DATA;
  if (chance(60)) f->records = RECORDS[pick(5)], f->set |= HF_RECORDS;
  if (chance(60)) f->loss = LOSSES[pick(5)], f->set |= HF_LOSS;
  if (chance(70)) f->conn = (uint8_t)pick(4), f->set |= HF_CONN;
  if (chance(60)) f->pmd = (uint8_t)pick(5), f->set |= HF_PMD;
}

static void print_sheet(const HcFacts *f, size_t i) {
  printf("{\"device\":\"Device %zu\",\"facts\":{\"care_setting\":\"%s\"", i + 1, CARE[f->care]);
  if (f->set & HF_FUNC) printf(",\"clinical_function\":\"%s\"", FUNC[f->func]);
  if (f->set & HF_HARM) printf(",\"harm_life\":\"%s\"", HARM[f->harm]);
  if (f->set & HF_FALLBACK) printf(",\"manual_fallback\":%s", f->fallback ? "true" : "false");
  if (f->set & HF_ALARM) printf(",\"alarm_dependency\":%s", f->alarm ? "true" : "false");
  if (f->set & HF_REMOTE) printf(",\"remote_programming\":%s", f->remote ? "true" : "false");
  if (f->set & HF_DATA) printf(",\"health_data\":\"%s\"", DATA[f->data]);
  if (f->set & HF_RECORDS) printf(",\"records_exposed\":%lld", (long long)f->records);
  if (f->set & HF_LOSS) printf(",\"loss_jpy\":%lld", (long long)f->loss);
  if (f->set & HF_CONN) printf(",\"connectivity\":\"%s\"", CONN[f->conn]);
  if (f->set & HF_PMD) printf(",\"pmd_class\":\"%s\"", PMD[f->pmd]);
  printf("}}\n");
}

typedef struct {
  uint32_t care, func, harm, fallback, alarm, remote, data, records, loss, conn, pmd;
} FactIds;

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "evalonly_healthcare: %s%s%s\n", what, detail ? ": " : "",
          detail ? detail : "");
  exit(2);
}

static bool bind(IpsfEval *ev, const FactIds *id, const HcFacts *f, IpsfError *err) {
  unsigned set = f->set;
  ipsf_eval_begin(ev);
#define ENUM(bit, fact, names, field) \
  if (set & bit && !ipsf_eval_set_enum(ev, id->fact, names[f->field], err)) return false;
#define BOOL(bit, fact, field) \
  if (set & bit && !ipsf_eval_set_bool(ev, id->fact, f->field, err)) return false;
#define INT(bit, fact, field) \
  if (set & bit && !ipsf_eval_set_int(ev, id->fact, f->field, err)) return false;
  ENUM(HF_CARE, care, CARE, care)
  ENUM(HF_FUNC, func, FUNC, func)
  ENUM(HF_HARM, harm, HARM, harm)
  BOOL(HF_FALLBACK, fallback, fallback)
  BOOL(HF_ALARM, alarm, alarm)
  BOOL(HF_REMOTE, remote, remote)
  ENUM(HF_DATA, data, DATA, data)
  INT(HF_RECORDS, records, records)
  INT(HF_LOSS, loss, loss)
  ENUM(HF_CONN, conn, CONN, conn)
  ENUM(HF_PMD, pmd, PMD, pmd)
#undef ENUM
#undef BOOL
#undef INT
  return true;
}

static const char *const LEVELS[3][3] = {{"limited", "serious", "fatal"},
                                         {"limited", "significant", "catastrophic"},
                                         {"vendor_managed", "coordinated", "clinically_validated"}};

static int same(const IpsfEval *ev, const HcResult *r, size_t n) {
  for (uint32_t s = 0; s < 3; s++) {
    const char *name = ipsf_eval_level_name(ev, s);
    if (!name || strcmp(name, LEVELS[s][r->level[s]]) != 0) {
      fprintf(stderr, "evalonly_healthcare: sheet %zu: scale %u is %s in ipsfc, %s in C\n", n + 1,
              s, name ? name : "(none)", LEVELS[s][r->level[s]]);
      return 1;
    }
  }
  for (uint32_t q = 0; q < HC_REQS; q++) {
    bool a = ipsf_eval_applies(ev, q), b = r->applies >> q & 1u;
    const char *m = ipsf_eval_method(ev, q);
    const char *mn = b ? native_healthcare_method(r->confirm[q]) : NULL;
    if (a != b || (m == NULL) != (mn == NULL) || (m && strcmp(m, mn) != 0)) {
      fprintf(stderr, "evalonly_healthcare: sheet %zu: %s is %s/%s in ipsfc, %s/%s in C\n", n + 1,
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
  if (argc < 2) {
    fprintf(stderr, "usage: evalonly_healthcare PACK.ipsb [SHEETS [PASSES [SEED]]]\n"
                    "       evalonly_healthcare --jsonl [SHEETS [SEED]]\n");
    return 2;
  }
  if (strcmp(argv[1], "--jsonl") == 0) {
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
    state = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
    if (!state) state = 42;
    HcFacts f;
    for (size_t i = 0; i < n; i++) make_sheet(&f), print_sheet(&f, i);
    return 0;
  }
  size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
  int passes = argc > 3 ? atoi(argv[3]) : 5;
  state = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
  if (!state) state = 42;
  if (passes < 1) passes = 1;
  if (n == 0) die("no sheets", NULL);
  IpsfError err;
  IpsfPack *pack = ipsf_pack_load_file(argv[1], &err);
  if (!pack) die("cannot load the pack", err.message);
  FactIds id = {
      ipsf_fact_index(pack, "care_setting"),     ipsf_fact_index(pack, "clinical_function"),
      ipsf_fact_index(pack, "harm_life"),        ipsf_fact_index(pack, "manual_fallback"),
      ipsf_fact_index(pack, "alarm_dependency"), ipsf_fact_index(pack, "remote_programming"),
      ipsf_fact_index(pack, "health_data"),      ipsf_fact_index(pack, "records_exposed"),
      ipsf_fact_index(pack, "loss_jpy"),         ipsf_fact_index(pack, "connectivity"),
      ipsf_fact_index(pack, "pmd_class"),
  };
  for (const uint32_t *p = &id.care; p <= &id.pmd; p++)
    if (*p == UINT32_MAX) die("the pack is not examples/healthcare/pack.ipsf", "a fact is missing");
  HcFacts *sheets = malloc(n * sizeof *sheets);
  if (!sheets) die("out of memory", NULL);
  for (size_t i = 0; i < n; i++) make_sheet(&sheets[i]);

  IpsfEval *ctx[BATCH];
  for (int i = 0; i < BATCH; i++)
    if (!(ctx[i] = ipsf_eval_new(pack))) die("out of memory", NULL);
  HcResult res[BATCH];
  size_t batches = (n + BATCH - 1) / BATCH * (size_t)passes;
  double *t_run = malloc(batches * sizeof *t_run), *t_nat = malloc(batches * sizeof *t_nat);
  if (!t_run || !t_nat) die("out of memory", NULL);
  double sum_run = 0, sum_nat = 0;
  size_t nb = 0, evals = 0;
  unsigned sink = 0;
  for (int pass = 0; pass < passes; pass++) {
    for (size_t b0 = 0; b0 < n; b0 += BATCH) {
      size_t m = n - b0 < BATCH ? n - b0 : BATCH;
      const HcFacts *sh = sheets + b0;
      for (size_t i = 0; i < m; i++) { /* bind, run once and check (untimed) */
        if (!bind(ctx[i], &id, &sh[i], &err) || !ipsf_eval_run(ctx[i], &err))
          die("ipsfc failed on a sheet", err.message);
        if (!native_healthcare(&sh[i], &res[i])) die("native code failed on a sheet", NULL);
        if (pass == 0 && same(ctx[i], &res[i], b0 + i)) return 1;
      }
      double t0 = now_ns();
      for (size_t i = 0; i < m; i++)
        if (!ipsf_eval_run(ctx[i], &err)) die("ipsfc failed on a sheet", err.message);
      double t1 = now_ns();
      for (size_t i = 0; i < m; i++) sink += native_healthcare(&sh[i], &res[i]);
      double t2 = now_ns();
      for (size_t i = 0; i < m; i++) sink += res[i].level[0];
      t_run[nb] = (t1 - t0) / (double)m;
      t_nat[nb] = (t2 - t1) / (double)m;
      sum_run += t1 - t0, sum_nat += t2 - t1;
      nb++, evals += m;
    }
  }
  double mr = median(t_run, nb), mn = median(t_nat, nb);
  printf("%zu sheets, %d passes, batches of %d; every result equal to the native code's\n", n,
         passes, BATCH);
  printf("%-36s %8s %8s\n", "ns/sheet", "median", "mean");
  printf("%-36s %8.1f %8.1f\n", "ipsf_eval_run (facts pre-bound)", mr, sum_run / (double)evals);
  printf("%-36s %8.1f %8.1f\n", "native C (native_healthcare.c)", mn, sum_nat / (double)evals);
  printf("ipsf_eval_run / native C: %.2fx (median)\n", mn > 0 ? mr / mn : 0);
  printf("RESULT run=%.1f native=%.1f sheets=%zu sink=%u\n", mr, mn, n, sink % 2);
  for (int i = 0; i < BATCH; i++) ipsf_eval_free(ctx[i]);
  ipsf_pack_free(pack);
  free(sheets);
  free(t_run), free(t_nat);
  return 0;
}
