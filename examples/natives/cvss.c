/*
 * cvss.c -- CVSS v3.1 base scores, as a native library for IPSF packs
 * (examples/natives/README.md, docs/natives.md).
 *
 * Built by the Makefile into build/examples/natives/libcvss.so.  The
 * formulas are those of the FIRST specification, "Common Vulnerability
 * Scoring System v3.1: Specification Document", section 7.1 (base metric
 * equations), 7.4 (metric values) and Appendix A (Roundup):
 *
 *   ISS            = 1 - (1 - C) * (1 - I) * (1 - A)
 *   Impact         = 6.42 * ISS                                  (S:U)
 *                  = 7.52 * (ISS - 0.029) - 3.25 * (ISS - 0.02)^15 (S:C)
 *   Exploitability = 8.22 * AV * AC * PR * UI
 *   Base           = 0 if Impact <= 0, else
 *                    Roundup(min(Impact + Exploitability, 10))          (S:U)
 *                    Roundup(min(1.08 * (Impact + Exploitability), 10)) (S:C)
 *
 * A native called from a pack must be total (it cannot report an error in
 * its C types) and must not keep the strings it is given.  These functions
 * return NaN for input that is not a CVSS v3.1 base vector: the evaluator
 * turns a NaN result into an error record naming the function, which is
 * the one way a number-valued native can say "no answer".
 */
#include <math.h>
#include <string.h>

/* The exported functions (C types of the IPSF types: string is const
 * char *, number double, int int64_t, bool int). */
double cvss31_base_score(const char *vector);
double cvss31_base_metrics(const char *av, const char *ac, const char *pr, const char *ui,
                           const char *s, const char *c, const char *i, const char *a);
const char *cvss31_severity(double score);

/* Appendix A: the smallest number, to one decimal place, equal to or
 * higher than its input, computed on integers so that 4.000000000000001
 * rounds to 4.0 and not 4.1. */
static double roundup(double input) {
  long long int_input = llround(input * 100000.0);
  if (int_input % 10000 == 0) return (double)int_input / 100000.0;
  return (double)(int_input / 10000 + 1) / 10.0;
}

/* A metric value: its letter in the vector and its weight. */
typedef struct {
  char letter;
  double weight;
} Value;

/* Index of `text` (one letter) among vals, or -1. */
static int pick(const char *text, const Value *vals, int n) {
  if (!text || !text[0] || text[1]) return -1;
  for (int k = 0; k < n; k++)
    if (vals[k].letter == text[0]) return k;
  return -1;
}

static const Value AV[] = {{'N', 0.85}, {'A', 0.62}, {'L', 0.55}, {'P', 0.2}};
static const Value AC[] = {{'L', 0.77}, {'H', 0.44}};
static const Value PR_U[] = {{'N', 0.85}, {'L', 0.62}, {'H', 0.27}}; /* scope unchanged */
static const Value PR_C[] = {{'N', 0.85}, {'L', 0.68}, {'H', 0.5}};  /* scope changed */
static const Value UI[] = {{'N', 0.85}, {'R', 0.62}};
static const Value SC[] = {{'U', 0}, {'C', 1}};
static const Value CIA[] = {{'H', 0.56}, {'L', 0.22}, {'N', 0}};

double cvss31_base_metrics(const char *av, const char *ac, const char *pr, const char *ui,
                           const char *s, const char *c, const char *i, const char *a) {
  int kav = pick(av, AV, 4), kac = pick(ac, AC, 2), kpr = pick(pr, PR_U, 3),
      kui = pick(ui, UI, 2), ks = pick(s, SC, 2), kc = pick(c, CIA, 3), ki = pick(i, CIA, 3),
      ka = pick(a, CIA, 3);
  if (kav < 0 || kac < 0 || kpr < 0 || kui < 0 || ks < 0 || kc < 0 || ki < 0 || ka < 0)
    return NAN;
  int changed = ks == 1;
  double iss = 1.0 - (1.0 - CIA[kc].weight) * (1.0 - CIA[ki].weight) * (1.0 - CIA[ka].weight);
  double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
  double exploitability = 8.22 * AV[kav].weight * AC[kac].weight *
                          (changed ? PR_C : PR_U)[kpr].weight * UI[kui].weight;
  if (impact <= 0) return 0.0;
  double sum = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
  return roundup(sum < 10.0 ? sum : 10.0);
}

/* "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": the eight base metrics,
 * each once, in any order after the prefix ("CVSS:3.0/" is read the same:
 * the base equations did not change but for Roundup).  An empty string is
 * "no known vulnerability": 0.0. */
double cvss31_base_score(const char *vector) {
  static const char *const names[8] = {"AV", "AC", "PR", "UI", "S", "C", "I", "A"};
  char val[8][2] = {{0}};
  if (!vector) return NAN;
  if (!*vector) return 0.0;
  const char *p = vector;
  if (strncmp(p, "CVSS:3.1/", 9) == 0 || strncmp(p, "CVSS:3.0/", 9) == 0) p += 9;
  else return NAN;
  while (*p) {
    const char *colon = strchr(p, ':');
    if (!colon) return NAN;
    size_t len = (size_t)(colon - p);
    int m = -1;
    for (int k = 0; k < 8; k++)
      if (strlen(names[k]) == len && strncmp(p, names[k], len) == 0) m = k;
    /* one letter, then '/' or the end */
    if (m < 0 || val[m][0] || !colon[1] || (colon[2] && colon[2] != '/')) return NAN;
    val[m][0] = colon[1];
    p = colon + 2;
    if (*p == '/') {
      p++;
      if (!*p) return NAN; /* a trailing '/' */
    }
  }
  for (int k = 0; k < 8; k++)
    if (!val[k][0]) return NAN;
  return cvss31_base_metrics(val[0], val[1], val[2], val[3], val[4], val[5], val[6], val[7]);
}

/* Table 14 of the specification: the qualitative severity rating.  The
 * strings are static: the evaluator copies a native's string result. */
const char *cvss31_severity(double score) {
  if (!(score >= 0.0 && score <= 10.0)) return "Invalid";
  if (score == 0.0) return "None";
  if (score < 4.0) return "Low";
  if (score < 7.0) return "Medium";
  if (score < 9.0) return "High";
  return "Critical";
}
