/*
 * native_healthcare.h -- examples/healthcare/pack.ipsf hand-compiled to C:
 * the second, larger pack of the "within 2x of native C" comparison
 * (evalonly_healthcare.c, docs/performance.md, issue #16).
 */
#ifndef BENCH_NATIVE_HEALTHCARE_H
#define BENCH_NATIVE_HEALTHCARE_H

#include <stdbool.h>
#include <stdint.h>

/* One sheet's facts, already parsed: enums as indices in declaration
 * order, `set` a bit per fact (HF_*) the sheet gives; an absent fact takes
 * the pack's default (care_setting has none: it is required). */
enum {
  HF_CARE = 1u << 0, HF_FUNC = 1u << 1, HF_HARM = 1u << 2, HF_FALLBACK = 1u << 3,
  HF_ALARM = 1u << 4, HF_REMOTE = 1u << 5, HF_DATA = 1u << 6, HF_RECORDS = 1u << 7,
  HF_LOSS = 1u << 8, HF_CONN = 1u << 9, HF_PMD = 1u << 10
};

typedef struct {
  int64_t records, loss;
  uint16_t set;
  uint8_t care, func, harm, fallback, alarm, remote, data, conn, pmd;
} HcFacts;

#define HC_REQS 10
#define HC_NONE 0xffu

/* What ipsf_eval_run decides: the three scales' levels (recovery,
 * economic, patch_deployment), which requirements apply (bit r), and each
 * one's chosen confirm line (its index in the pack's confirm table,
 * HC_NONE if it does not apply). */
typedef struct {
  uint8_t level[3];
  uint16_t applies;
  uint8_t confirm[HC_REQS];
} HcResult;

/* false if the required fact (care_setting) is missing, like ipsf_eval_run. */
bool native_healthcare(const HcFacts *f, HcResult *out);

/* The confirm line's method name, as ipsf_eval_method gives it. */
const char *native_healthcare_method(uint8_t confirm);

#endif
