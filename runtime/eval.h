/*
 * eval.h -- one evaluation context (private header).
 *
 * Everything an evaluation writes lives here, sized from the pack when the
 * context is created: slots, the operand stack, per-scale and per-rule
 * state, per-requirement results.  The VM (vm.c) allocates nothing; the
 * only growable part is the scratch area for strings made by LOWER.
 */
#ifndef IPSF_EVAL_H
#define IPSF_EVAL_H

#include "date.h"
#include "pack.h"

struct ipsf_eval {
  const IpsfPack *pack;
  IpsfValue *slots;        /* pack->slot_count */
  IpsfValue *stack;        /* pack->max_stack (at least 1) */
  uint64_t *fact_set;      /* bitset over facts: set by the sheet */
  uint64_t *fact_required; /* bitset over facts: no default (from the pack, at new) */
  /* What one run writes besides slots, in one block (`state`, `state_size`
   * bytes; the six pointers below point into it) that the run resets with
   * one memcpy from `state_reset`, its initial image made at new. */
  void *state, *state_reset;
  size_t state_size;
  /* Slots [slot_reset_from, slot_count) are not facts: the run resets them
   * with one memcpy from slot_reset (their reset values, made at new);
   * slot_reset_from == slot_count when a fact follows a non-fact slot, and
   * then the run resets them one by one.  A fact's slot holds its default
   * there (ipsf_eval_run copies it when the sheet leaves the fact unset). */
  IpsfValue *slot_reset;
  uint32_t slot_reset_from;
  bool slots_contiguous;
  bool facts_in_order;     /* fact f's slot is f, for every fact */
  uint64_t *rule_hit;      /* bitset over rules: matched this evaluation */
  uint32_t *scale_level;   /* per scale: level so far, IPSF_NONE = none */
  uint32_t *scale_rule;    /* per scale: rule that set the level (for unique) */
  uint32_t *req_confirm;   /* per requirement: chosen confirm, IPSF_NONE */
  uint8_t *req_applies;    /* per requirement: 1 if it applies */
  uint8_t *vp_used;        /* per viewpoint: 1 if a requirement of it applies
                            * (set by REQ, so a record costs O(viewpoints)) */
  uint32_t *evidence;      /* per requirement: method index given, IPSF_NONE */
  bool evidence_present;   /* the sheet had an evidence section */
  /* Dated evidence (date.h day numbers, IPSF_NO_DATE when not given): when
   * it was confirmed, and the last day it is valid.  Reset only when a
   * dated entry was set (evidence_dated), so undated sheets pay nothing. */
  int32_t *evidence_date, *evidence_expires;
  bool evidence_dated;
  int32_t as_of;           /* the day statuses are decided on; kept by begin */
  char *scratch;           /* strings made during evaluation (LOWER, natives) */
  size_t scratch_len, scratch_cap;
  /* CALLN's argument storage, sized for the pack's longest native
   * signature: libffi reads argument k from *native_avalues[k], which
   * points at native_args[k] (native.h's IpsfNativeArg). */
  void *native_args;
  void **native_avalues;
  /* The running test's number (tests.c: index + 1), written into the
   * pack's test gate slot by ipsf_eval_run; 0 after ipsf_eval_begin. */
  int64_t test_number;
};

/* vm.c: run the pack's code over ev->slots (facts already loaded).
 * On an evaluation error returns false and fills err. */
bool ipsf_vm_run(IpsfEval *ev, IpsfError *err);

/* profile.c: write the facts usage profile `profile` (an index into
 * pack->profiles) sets, after the sheet's base facts; false if there is no
 * such profile.  Then, once every fact is bound, check that each fact the
 * profile sets still has its value and each fact it constrains lies within
 * it; false with err (IPSF_ERR_PROFILE_CONSTRAINT) naming the first that
 * does not.  Facts with neither a value nor a default are left to
 * ipsf_eval_run (missing_fact). */
bool ipsf_eval_apply_profile(IpsfEval *ev, uint32_t profile);
bool ipsf_eval_check_profile(const IpsfEval *ev, uint32_t profile, IpsfError *err);

/* vm.c: free the scratch area (every block of it), for ipsf_eval_free. */
void ipsf_vm_scratch_free(IpsfEval *ev);

#endif
