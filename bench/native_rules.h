/*
 * native_rules.h -- bench/pack.ipsf hand-compiled to C, for evalonly.c's
 * "within 2x of native C" comparison (docs/performance.md).
 */
#ifndef BENCH_NATIVE_RULES_H
#define BENCH_NATIVE_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* One sheet's facts, already parsed: enums as indices in declaration order,
 * radios as a bit set, `set` a bit per fact (NF_*) the sheet gives. */
enum {
  NF_HARM = 1u << 0, NF_SENS = 1u << 1, NF_LOSS = 1u << 2, NF_USERS = 1u << 3,
  NF_USAGE = 1u << 4, NF_REMOTE = 1u << 5, NF_ACT = 1u << 6, NF_EXPOSED = 1u << 7,
  NF_RADIOS = 1u << 8
};

typedef struct {
  int64_t loss, users;
  uint16_t set;
  uint8_t harm, sens, usage, remote, act, exposed, radios;
} NativeFacts;

#define NATIVE_REQS 8
#define NATIVE_NONE 0xffu

/* What ipsf_eval_run decides: the three scales' levels (recovery, economic,
 * update_support), which requirements apply, and each one's chosen confirm
 * line (its index in the pack's confirm table, NATIVE_NONE if it does not
 * apply). */
typedef struct {
  uint8_t level[3];
  uint8_t applies; /* bit r: requirement r applies */
  uint8_t confirm[NATIVE_REQS];
} NativeResult;

/* false if a required fact (usage) is missing, like ipsf_eval_run. */
bool native_eval(const NativeFacts *f, NativeResult *out);

/* The confirm line's method name, as ipsf_eval_method gives it. */
const char *native_method_name(uint8_t confirm);

#endif
