/*
 * native_healthcare.c -- examples/healthcare/pack.ipsf written by hand in
 * C, as native_rules.c is for bench/pack.ipsf: what a programmer would
 * compile the rules to, given facts already parsed into a struct.  It
 * decides everything ipsf_eval_run decides for this pack (defaults, the
 * three scales including the `unique` one, every requirement's
 * applicability and chosen confirm line) and nothing more (no rule-hit
 * record for explain).  Its own translation unit, so that, like
 * ipsf_eval_run, it is an out-of-line call.
 */
#include "native_healthcare.h"

#include <stddef.h>

enum { CARE_WELLNESS, CARE_HOME, CARE_CLINIC, CARE_WARD, CARE_ICU };
enum { FN_NONE, FN_MONITORING, FN_DIAGNOSIS, FN_THERAPY, FN_LIFE_SUPPORT };
enum { HARM_NONE, HARM_MINOR, HARM_SERIOUS, HARM_DEATH };
enum { DATA_NONE, DATA_PSEUDO, DATA_IDENTIFIABLE, DATA_HIGHLY };
enum { CONN_STANDALONE, CONN_LOCAL, CONN_HOSPITAL, CONN_INTERNET };
enum { PMD_NOT, PMD_I, PMD_II, PMD_III, PMD_IV };
enum { REC_LIMITED, REC_SERIOUS, REC_FATAL };
enum { ECO_LIMITED, ECO_SIGNIFICANT, ECO_CATASTROPHIC };
enum { PATCH_VENDOR, PATCH_COORDINATED, PATCH_VALIDATED };

bool native_healthcare(const HcFacts *f, HcResult *out) {
  unsigned set = f->set;
  if (!(set & HF_CARE)) return false;
  unsigned care = f->care;
  unsigned fn = set & HF_FUNC ? f->func : FN_NONE;
  unsigned harm = set & HF_HARM ? f->harm : HARM_NONE;
  bool fallback = set & HF_FALLBACK ? f->fallback : false;
  bool alarm = set & HF_ALARM ? f->alarm : false;
  bool remote = set & HF_REMOTE ? f->remote : false;
  unsigned data = set & HF_DATA ? f->data : DATA_NONE;
  int64_t records = set & HF_RECORDS ? f->records : 0;
  int64_t loss = set & HF_LOSS ? f->loss : 0;
  unsigned conn = set & HF_CONN ? f->conn : CONN_STANDALONE;
  unsigned pmd = set & HF_PMD ? f->pmd : PMD_NOT;

  unsigned rec = (harm >= HARM_SERIOUS && !fallback) || (fn == FN_LIFE_SUPPORT && !fallback) ||
                         (fn >= FN_THERAPY && remote) || data == DATA_HIGHLY
                     ? REC_FATAL
                 : (harm >= HARM_SERIOUS && fallback) || fn >= FN_THERAPY ||
                         harm == HARM_MINOR || alarm || data == DATA_IDENTIFIABLE
                     ? REC_SERIOUS
                     : REC_LIMITED;
  unsigned eco = loss >= 10000000000ll || records >= 1000000 ? ECO_CATASTROPHIC
                 : loss >= 100000000 || records >= 10000 || rec == REC_FATAL ? ECO_SIGNIFICANT
                                                                             : ECO_LIMITED;
  /* policy unique: the four rules are disjoint and cover every function */
  unsigned patch = fn >= FN_THERAPY                                 ? PATCH_VALIDATED
                   : fn == FN_MONITORING || fn == FN_DIAGNOSIS      ? PATCH_COORDINATED
                   : conn == CONN_HOSPITAL                          ? PATCH_COORDINATED
                                                                    : PATCH_VENDOR;
  out->level[0] = (uint8_t)rec;
  out->level[1] = (uint8_t)eco;
  out->level[2] = (uint8_t)patch;

  unsigned applies = 0;
  uint8_t *c = out->confirm;
  for (int r = 0; r < HC_REQS; r++) c[r] = HC_NONE;
  /* HC-01, HC-02: always */
  applies |= 1u << 0;
  c[0] = rec == REC_FATAL ? 1 : 0;
  applies |= 1u << 1;
  c[1] = 2;
  if (conn >= CONN_LOCAL) { /* HC-03 */
    applies |= 1u << 2;
    c[2] = patch == PATCH_VALIDATED ? 4 : 3;
  }
  if (data >= DATA_IDENTIFIABLE) { /* HC-04 */
    applies |= 1u << 3;
    c[3] = data == DATA_HIGHLY ? 6 : 5;
  }
  if (pmd >= PMD_II) { /* HC-05 */
    applies |= 1u << 4;
    c[4] = pmd >= PMD_III ? 8 : 7;
  }
  if (rec >= REC_SERIOUS) { /* HC-10 */
    applies |= 1u << 5;
    c[5] = rec == REC_FATAL ? 10 : 9;
  }
  if (conn >= CONN_HOSPITAL) { /* HC-11: every 3 months beats every 12 */
    applies |= 1u << 6;
    c[6] = eco == ECO_CATASTROPHIC ? 12 : 11;
  }
  if (fn >= FN_THERAPY) { /* HC-20 */
    applies |= 1u << 7;
    c[7] = fn == FN_LIFE_SUPPORT && care >= CARE_WARD ? 14 : 13;
  }
  if (care == CARE_HOME && fn >= FN_MONITORING) { /* HC-21 */
    applies |= 1u << 8;
    c[8] = 15;
  }
  if (rec == REC_FATAL) { /* HC-30 */
    applies |= 1u << 9;
    c[9] = eco == ECO_CATASTROPHIC ? 17 : 16;
  }
  out->applies = (uint16_t)applies;
  return true;
}

const char *native_healthcare_method(uint8_t confirm) {
  static const char *const names[] = {
      "self_declaration", "third_party_certification", "self_declaration",
      "self_declaration", "third_party_certification", "self_declaration",
      "third_party_certification", "self_declaration", "third_party_certification",
      "self_inspection", "third_party_inspection", "self_inspection", "self_inspection",
      "training", "licence", "training", "voluntary_insurance", "compulsory_insurance"};
  return confirm < sizeof names / sizeof *names ? names[confirm] : NULL;
}
