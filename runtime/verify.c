/*
 * verify.c -- the bytecode verifier: nothing runs unverified.
 *
 * Lua removed its bytecode checker in 2009 and documents that crafted
 * bytecode can crash it.  IPSF does the opposite, in the manner of the Linux
 * eBPF verifier: a pack is loaded (ipsb.c) into an IpsfPack whose fields are
 * just numbers read from an untrusted file, and this file proves, before the
 * pack is handed to anyone, every property the VM (vm.c) and the evaluation
 * API (eval.c) rely on.  The VM therefore does no bounds checks and no type
 * checks at run time: if the verifier accepts a pack, then for *every* fact
 * sheet (with facts of their declared types) the VM
 *
 *   - only reads and writes in-bounds table entries, slots and stack cells;
 *   - only ever interprets a value as the type it was written with, so an
 *     enum index is always below its enum's value count, a set mask has only
 *     bits of existing values, a string pointer points at a NUL-terminated
 *     string, a number is finite;
 *   - terminates after at most code_count instructions, because every jump
 *     goes forward and the last instruction is RET;
 *   - never needs more than max_stack stack cells (≤ IPSF_MAX_STACK), and
 *     the stack is empty when RET is reached;
 *   - follows the evaluation protocol, so the record it leaves says what
 *     the code computed: every scale settled exactly once, after its hits;
 *     each requirement's REQ ... REQEND well nested; no slot read before it
 *     is written;
 *   - does at most the work of the cost bound computed here (IpsfCost).
 *
 * Errors that depend on the facts (integer overflow, division by zero,
 * non-finite numbers, a unique conflict, a gap without otherwise) remain
 * run-time evaluation errors: they are defined outcomes, not crashes.
 *
 * What is proved, one check_* function per property, in this order (a later
 * check may rely on an earlier one).  The sections' checks, check_header to
 * check_catalogs, are in verify_sections.c; the decision tables' in
 * verify_tables.c; the code's here (verify_internal.h is what they share):
 *
 *   check_header       code is non-empty, max_stack ≤ IPSF_MAX_STACK, the
 *                      string pool is present.
 *   check_meta         metadata strings and the axis bindings are in range;
 *                      axis1/axis2 are scales with that axis role, and no
 *                      other scale claims the role.
 *   check_enums        names and value names are strings; 1 ≤ value_count ≤
 *                      IPSF_MAX_ENUM_VALUES (a set fits one uint64_t mask).
 *   check_consts       each constant's type is well formed (kind known; an
 *                      enum type exactly for ENUM/SET) and its value inhabits
 *                      it: bool 0/1, enum < value_count, set bits < value_count,
 *                      numbers finite, strings index the pool.
 *   check_slots        slot types well formed, roles known, names strings.
 *   check_facts        a fact's slot is a FACT slot of the same type, each
 *                      FACT slot belongs to exactly one fact (so every FACT
 *                      slot is filled before the code runs); a default
 *                      constant has exactly the fact's type.
 *   check_scales       a scale's slot is a SCALE slot of type enum(levels),
 *                      owned by it alone; otherwise < value_count; its rules
 *                      are a contiguous in-range block whose rules name it;
 *                      the policy is known.
 *   check_rules        every rule's scale is in range and its index lies in
 *                      that scale's block; level < the scale's value_count.
 *   check_viewpoints   names and method names are strings.
 *   check_requirements the viewpoint is in range; refs, party, doc strings;
 *                      the confirm block is in range and its confirms name
 *                      the requirement.
 *   check_confirms     requirement in range, confirm inside its block,
 *                      method < the viewpoint's method_count.
 *   check_lines        the line table is sorted by strictly increasing pc,
 *                      every pc < code_count, every file a string.
 *   ipsf_verify_tests  (tests.c, after check_facts) the TESTS section: every
 *                      index in range for what it indexes (fact, constant of
 *                      the fact's type, bool let slot, requirement, method of
 *                      its viewpoint, viewpoint, scale), every string in the
 *                      pool; the gate is an int FACT slot no fact owns.
 *   check_natives      every native's name, symbol and library are strings;
 *                      at most IPSF_MAX_NATIVE_PARAMS parameters; parameter
 *                      and result kinds are bool, int, number or string (the
 *                      C types libffi passes); an entry without a library is
 *                      a built-in of the native call path (builtins.h) with
 *                      exactly that built-in's signature.
 *   check_compensations every entry's requirement and by are in range and
 *                      differ, of different viewpoints; sorted by
 *                      requirement, each pair once; until is a string
 *                      that is a calendar date (date.h), months 0..1200,
 *                      not both.
 *   check_profiles     usage profiles: name, title, doc strings; names
 *                      unique; item ranges tile the item table; each item's
 *                      kind known, fact and constant in range, a fact once
 *                      per kind; a SETS constant of the fact's type, an
 *                      ALLOWS constant a set over an enum/set fact's enum.
 *   check_catalogs     every catalog's name is a string, its version and
 *                      date strings or none; the catalogs' provision blocks
 *                      tile the provisions in order (the first at 0, each
 *                      after the last, the last ending at provision_count);
 *                      every provision's id, clause and title are strings,
 *                      its status known, each satisfied_by a string, each
 *                      cited_by a requirement, strictly increasing.  The
 *                      section is read only through the API, never by
 *                      evaluation: it adds nothing to the cost bound.
 *   ipsf_verify_tables (verify_tables.c) decision tables (section TABLES):
 *                      the kind known; a rules table's scale in range with
 *                      at most 64 rules and span 1, a requirement table's
 *                      span (≤ 64) of requirements in range, each with at most 63
 *                      confirm lines; mask_count = cell_count × span; 1..8
 *                      dims, each a
 *                      slot in range of the dim's kind (bool, enum, int);
 *                      an enum dim's map has an entry per value of the
 *                      slot's enum, each class < class_count; an int dim's
 *                      thresholds strictly increase, class_count = their
 *                      count + 1; a bool dim has 2 classes; the strides lay
 *                      the cells out row by row (sorted, each the product
 *                      of the class counts below it) and their product is
 *                      cell_count ≤ 1,024, so every index the VM computes
 *                      is a cell; every mask bit of a rules table is a
 *                      rule of the scale; a requirement table's bits are
 *                      IPSF_TABLE_APPLIES and its confirm lines, lines
 *                      only with APPLIES.  With check_code below, a table
 *                      instruction is, in the VM's eyes, exactly the code
 *                      it stands for: it reads its dims' slots as LOAD
 *                      does; RTABLE (of a rules table) hits only rules of
 *                      its scale and settles it; QTABLE (of a requirement
 *                      table) is REQ q ... REQEND q for each requirement
 *                      q of its span, in order; LTABLE (of a let table:
 *                      a bool LET slot, every cell 0 or 1) stores the
 *                      let.
 *   check_operands     every opcode is in the table; every operand is in
 *                      range for its kind (NONE must be 0); a jump's target
 *                      pc+1+A is ≤ code_count-1 (forward by construction:
 *                      the operand is unsigned); HITW/HITF/HITU match the
 *                      policy of the rule's scale.
 *   check_last_ret     the last instruction is RET, so control cannot fall
 *                      off the end.
 *   check_code         abstract interpretation in one forward pass over
 *                      the code, proving three things at once:
 *
 *     Types.  The abstract state holds the stack of machine types (bool,
 *     int, number, string, enum T, set T).  Because jumps only go forward,
 *     every predecessor of an instruction is visited before it: a jump
 *     records its state at its target; where paths meet the stacks must
 *     have equal types (no widening is ever needed).  Each instruction pops
 *     the types opcodes.h lists and pushes its results; 'e' and 'm' in one
 *     instruction share one enum type; '*' is the constant's or slot's
 *     type; STORE pops exactly its slot's type and may not write FACT or
 *     SCALE slots (so facts and settled levels are immutable); CALLN pops
 *     its native's parameters and pushes its result, as the native table
 *     declares them; ANDJ/ORJ keep their bool on the jump edge and pop it
 *     on fall-through.  The depth never goes negative nor above max_stack,
 *     and is 0 at every reachable RET.  Instructions no path reaches (after
 *     JUMP or RET, not a jump target) are skipped: they never execute.
 *
 *     The evaluation protocol.  A record reads every scale's level and
 *     every requirement's state after RET, and the VM keeps per-scale and
 *     per-requirement state that only this order makes meaningful.  Along
 *     every path the state also holds: the scales that may be settled
 *     (union where paths meet) and must be settled (intersection), the
 *     requirements that may have been entered (union), the slots that
 *     must have been stored (intersection), and the open requirement (equal
 *     where paths meet).  What each instruction relies on:
 *
 *       HITW/HITF/HITU r  r's scale is not (maybe) settled: a hit after
 *                         SCALE would change the level the record reports
 *                         but not the slot the code read, and HITU's
 *                         conflict report reads the rule that set the level,
 *                         which SCALE's otherwise does not set.
 *       RTABLE t          each dim's slot as LOAD below, and t's scale
 *                         not (maybe) settled, as for its hits; then
 *                         SCALE of t's scale.
 *       QTABLE t          each dim's slot as LOAD, then REQ q and REQEND q
 *                         for each requirement q of t's span.
 *       LTABLE t          each dim's slot as LOAD, then STORE of t's let.
 *       SCALE s           s is not (maybe) settled: settled exactly once.
 *       LOAD of a scale   its scale is settled on every path: the slot
 *                         holds a level only after SCALE.
 *       LOAD of a let or  stored on every path before: never the reset
 *         temporary       value, whatever the facts.
 *       REQ q             no requirement is open, and q was not entered on
 *                         any path: one REQ ... REQEND per requirement.
 *       CONFIRM c         c's requirement is the open one.
 *       REQEND q          q is the open one (so REQ q ran on every path).
 *       RET               nothing open, every scale settled on every path:
 *                         the record has a level for every scale.
 *
 *     The cost bound.  Each reachable instruction runs at most once per
 *     evaluation (jumps go forward), so the sum of their costs bounds one
 *     evaluation.  A string cell carries an upper bound of its length: a
 *     constant's, IPSF_MAX_FACT_STRING (or a longer default) for a fact, a
 *     native's IPSF_NATIVE_MAX_STRING, the same as its operand for LOWER,
 *     and for a let the longest stored into it by an earlier instruction;
 *     lengths merge by max where paths meet.  An instruction costs 1, a
 *     string instruction the bytes it may read or write (EQS: the shorter
 *     operand; CONTAINS: both, twice), LOWER and string natives their
 *     scratch bytes, an RTABLE 2 (itself and its SCALE) + its dims + its
 *     thresholds + the set bits of its fullest cell (what its lookup and
 *     hits can do), a QTABLE 1 + 2 per requirement (REQ, REQEND) + its
 *     dims + its thresholds + the set bits of its fullest cell.
 *     ipsf_verify adds the per-run resets (vm.c, eval.c)
 *     and an upper bound of one record's bytes in any format
 *     (report_cost), and stores the IpsfCost in the pack; the loader
 *     refuses a pack whose total exceeds the caller's limit
 *     (ipsf_pack_check_cost).
 *
 * Every error names what failed precisely, and for code the instruction
 * index and opcode: "instruction 12 (JUMPF): jump target 40 is past the end
 * (30 instructions)".
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "date.h"
#include "native.h"
#include "pack.h"
#include "util.h"
#include "verify_internal.h"

bool ipsf_verify_fail(V *v, const char *fmt, ...) {
  if (!v->err) return false;
  char msg[sizeof v->err->message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ipsf_fail(v->err, IPSF_ERR_BYTECODE, "%s", msg);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static bool insn_fail(V *v, uint32_t pc, const char *fmt, ...) {
  if (!v->err) return false;
  char msg[sizeof v->err->message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  unsigned op = IPSF_INSN_OP(v->p->code[pc]);
  const char *name = op < IPSF_OP__COUNT ? ipsf_op_info[op].name : "?";
  return ipsf_fail(v->err, IPSF_ERR_BYTECODE, "instruction %u (%s): %s", pc, name, msg);
}

/* ---- code --------------------------------------------------------------- */

/* A fused instruction's packed fields: each in range, like the operand of
 * the plain instruction it stands for. */
/* The operand a of plain instruction op at pc: in range, and for a hit,
 * a rule of a scale with the hit's policy. */
static bool check_plain_operand(V *v, uint32_t pc, unsigned op, uint32_t a) {
  const IpsfPack *p = v->p;
  uint32_t limit = 0;
  const char *what = NULL;
  switch (ipsf_op_info[op].operand) {
  case IPSF_OPND_NONE:
    if (a != 0) return insn_fail(v, pc, "operand must be 0, is %u", a);
    return true;
  case IPSF_OPND_JUMP: {
    uint64_t target = (uint64_t)pc + 1 + a;
    if (target >= p->code_count)
      return insn_fail(v, pc, "jump target %llu is past the end (%u instructions)",
                       (unsigned long long)target, p->code_count);
    return true;
  }
  case IPSF_OPND_CONST: limit = p->const_count; what = "constant"; break;
  case IPSF_OPND_SLOT: limit = p->slot_count; what = "slot"; break;
  case IPSF_OPND_RULE: limit = p->rule_count; what = "rule"; break;
  case IPSF_OPND_SCALE: limit = p->scale_count; what = "scale"; break;
  case IPSF_OPND_REQ: limit = p->requirement_count; what = "requirement"; break;
  case IPSF_OPND_CONFIRM: limit = p->confirm_count; what = "confirm"; break;
  case IPSF_OPND_NATIVE: limit = p->native_count; what = "native"; break;
  case IPSF_OPND_TABLE: limit = p->table_count; what = "table"; break;
  default: /* fused kinds: never in a sequence (opcodes.h) */
    return insn_fail(v, pc, "a fused instruction inside a fused sequence");
  }
  if (a >= limit) return insn_fail(v, pc, "%s %u out of range (%u %ss)", what, a, limit, what);
  if ((op == IPSF_OP_RTABLE && p->tables[a].kind != IPSF_TABLE_RULES) ||
      (op == IPSF_OP_QTABLE && p->tables[a].kind != IPSF_TABLE_REQ) ||
      (op == IPSF_OP_LTABLE && p->tables[a].kind != IPSF_TABLE_LET))
    return insn_fail(v, pc, "table %u is a %s table", a,
                     p->tables[a].kind == IPSF_TABLE_REQ   ? "requirement"
                     : p->tables[a].kind == IPSF_TABLE_LET ? "let"
                                                           : "rules");
  if (op == IPSF_OP_HITW || op == IPSF_OP_HITF || op == IPSF_OP_HITU) {
    static const char *const pol[] = {"worst", "first", "unique"};
    unsigned want = op == IPSF_OP_HITW ? IPSF_POLICY_WORST
                    : op == IPSF_OP_HITF ? IPSF_POLICY_FIRST
                                         : IPSF_POLICY_UNIQUE;
    const IpsfScale *s = &p->scales[p->rules[a].scale];
    if (s->policy != want)
      return insn_fail(v, pc, "rule %u belongs to scale '%s' with policy %s, not %s", a,
                       sname(p, s->name), pol[s->policy], pol[want]);
  }
  return true;
}

/* Every operand in range: a fused instruction's, by checking each plain
 * instruction of its sequence at its pc (ranges, jump targets, hit
 * policies), as check_code_run checks their types. */
static bool check_operands(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t pc = 0; pc < p->code_count; pc++) {
    uint32_t w = p->code[pc];
    unsigned op = IPSF_INSN_OP(w);
    uint32_t a = IPSF_INSN_A(w);
    if (op >= IPSF_OP__COUNT)
      return fail(v, "instruction %u: unknown opcode %u", pc, op);
    uint32_t seq[5];
    unsigned n = ipsf_fused_expand(op, a, seq);
    if (n == 0) {
      if (!check_plain_operand(v, pc, op, a)) return false;
      continue;
    }
    for (unsigned k = 0; k < n; k++)
      if (!check_plain_operand(v, pc, IPSF_INSN_OP(seq[k]), IPSF_INSN_A(seq[k]))) return false;
  }
  return true;
}

static bool check_last_ret(V *v) {
  const IpsfPack *p = v->p;
  uint32_t last = p->code_count - 1;
  if (IPSF_INSN_OP(p->code[last]) != IPSF_OP_RET)
    return insn_fail(v, last, "the last instruction must be RET");
  return true;
}

/* ---- code: types, protocol and cost, in one forward pass ----------------- */

/* One abstract stack cell: its machine type and, for a string, an upper
 * bound of its length in bytes (what the cost of a string instruction
 * depends on). */
typedef struct {
  IpsfType t;
  uint64_t len;
} Cell;

/* The abstract state of one path, besides its stack.  Four bitsets share
 * one array of `words` words, at these offsets:
 *
 *   may      scales that some path to here settled      (union at joins)
 *   must     scales that every path to here settled     (intersection)
 *   entered  requirements some path to here entered     (union)
 *   written  slots every path to here stored into       (intersection)
 *
 * `open` is the requirement between its REQ and REQEND, or IPSF_NONE; it
 * must be the same on all paths that meet, like the stack. */
typedef struct {
  const IpsfPack *p;
  Cell *stack;          /* current abstract stack, max_stack cells */
  uint32_t depth;
  bool live;            /* some path reaches the current instruction */
  uint64_t *bits;       /* current protocol bitsets */
  uint32_t open;
  uint32_t ws, wr, wl, words; /* words per scale, requirement, slot set; total */
  /* Per pc, what forward jumps recorded there: a stack in `pool`, protocol
   * bits in `bpool` (join_at[pc] == IPSF_NONE: nothing yet). */
  uint32_t *join_at, *join_depth, *join_bits, *join_open;
  Cell *pool;
  size_t pool_len, pool_cap;
  uint64_t *bpool;
  size_t bpool_len, bpool_cap;
  uint32_t *slot_scale; /* per slot: the scale owning it, or IPSF_NONE */
  /* Per slot, the longest string a LOAD of it can push.  A fact's string
   * is at most IPSF_MAX_FACT_STRING (the sheet readers and
   * ipsf_eval_set_string refuse longer ones) or its default's; a let's or
   * temporary's, the longest stored into it by an earlier instruction:
   * every STORE that reaches a LOAD precedes it, jumps going forward. */
  uint64_t *slot_len;
} AState;

#define BIT(set, i) (((set)[(i) / 64] >> ((i) % 64)) & 1u)
#define SETBIT(set, i) ((set)[(i) / 64] |= UINT64_C(1) << ((i) % 64))
#define MAY(st) ((st)->bits)
#define MUST(st) ((st)->bits + (st)->ws)
#define ENTERED(st) ((st)->bits + 2 * (st)->ws)
#define WRITTEN(st) ((st)->bits + 2 * (st)->ws + (st)->wr)

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

static bool charge(V *v, uint32_t pc, uint64_t units) {
  v->work += units;
  if (v->work > VERIFY_WORK_MAX)
    return insn_fail(v, pc, "verification work limit exceeded (%u units)", VERIFY_WORK_MAX);
  return true;
}

static bool describe_mismatch(V *v, uint32_t pc, uint32_t target, const Cell *a, uint32_t da,
                              const Cell *b, uint32_t db) {
  char b1[96], b2[96];
  if (da != db)
    return insn_fail(v, pc,
                     "stack mismatch where paths meet at instruction %u: depth %u here, %u on "
                     "another path",
                     target, da, db);
  for (uint32_t k = 0; k < da; k++)
    if (!type_eq(a[k].t, b[k].t))
      return insn_fail(v, pc,
                       "stack mismatch where paths meet at instruction %u: cell %u is %s %s "
                       "here, %s %s on another path",
                       target, k, article(a[k].t.kind), type_str(v->p, a[k].t, b1, sizeof b1),
                       article(b[k].t.kind), type_str(v->p, b[k].t, b2, sizeof b2));
  return true;
}

static const char *req_name(const IpsfPack *p, uint32_t r) {
  return r == IPSF_NONE ? "none" : sname(p, p->requirements[r].id);
}

/* Paths meeting at `target` (this one, from pc, and an earlier one) must
 * agree on the stack's types and the open requirement; the rest merges:
 * string lengths by max, `may`/`entered` by union, `must`/`written` by
 * intersection.  `into` receives the merge. */
static bool merge(V *v, AState *st, uint32_t pc, uint32_t target, Cell *into, const Cell *from,
                  uint32_t depth, uint64_t *ibits, const uint64_t *fbits, uint32_t iopen,
                  uint32_t fopen) {
  const IpsfPack *p = v->p;
  if (iopen != fopen)
    return insn_fail(v, pc,
                     "paths meet at instruction %u with different open requirements (%s and "
                     "%s): REQ and REQEND must be well nested",
                     target, req_name(p, fopen), req_name(p, iopen));
  for (uint32_t k = 0; k < depth; k++)
    if (from[k].len > into[k].len) into[k].len = from[k].len;
  for (uint32_t i = 0; i < st->words; i++) {
    bool union_ = i < st->ws || (i >= 2 * st->ws && i < 2 * st->ws + st->wr);
    ibits[i] = union_ ? ibits[i] | fbits[i] : ibits[i] & fbits[i];
  }
  return true;
}

/* Room for a saved stack of `depth` cells and one protocol state. */
static bool grow_pools(V *v, AState *st, uint32_t depth) {
  if (st->pool_cap - st->pool_len < depth) {
    Cell *np = ipsf_grow(st->pool, &st->pool_cap, st->pool_len + depth, sizeof *np, 64, SIZE_MAX);
    if (!np) return ipsf_fail(v->err, IPSF_ERR_NOMEM, "out of memory verifying the code");
    st->pool = np;
  }
  if (st->bpool_cap - st->bpool_len < st->words) {
    uint64_t *nb =
        ipsf_grow(st->bpool, &st->bpool_cap, st->bpool_len + st->words, sizeof *nb, 64, SIZE_MAX);
    if (!nb) return ipsf_fail(v->err, IPSF_ERR_NOMEM, "out of memory verifying the code");
    st->bpool = nb;
  }
  return true;
}

/* Record the current state (with `depth` cells) as arriving at `target`. */
static bool join(V *v, AState *st, uint32_t pc, uint32_t target, uint32_t depth) {
  if (!charge(v, pc, depth + st->words + 1u)) return false;
  if (st->join_at[target] != IPSF_NONE) {
    Cell *saved = st->pool ? st->pool + st->join_at[target] : NULL;
    if (!describe_mismatch(v, pc, target, st->stack, depth, saved, st->join_depth[target]))
      return false;
    return merge(v, st, pc, target, saved, st->stack, depth, st->bpool + st->join_bits[target],
                 st->bits, st->join_open[target], st->open);
  }
  if (!grow_pools(v, st, depth)) return false;
  if (depth) memcpy(st->pool + st->pool_len, st->stack, depth * sizeof *st->stack);
  memcpy(st->bpool + st->bpool_len, st->bits, st->words * sizeof *st->bits);
  st->join_at[target] = (uint32_t)st->pool_len;
  st->join_depth[target] = depth;
  st->join_bits[target] = (uint32_t)st->bpool_len;
  st->join_open[target] = st->open;
  st->pool_len += depth;
  st->bpool_len += st->words;
  return true;
}

/* Pop the types of `pops` (top last), checking each; *et is the shared
 * enum type of 'e'/'m' letters; `star` is the operand's type for '*'.  The
 * popped cells stay readable at st->stack[st->depth ..]. */
static bool pop_types(V *v, AState *st, uint32_t pc, const char *pops, IpsfType star,
                      uint32_t *et) {
  const IpsfPack *p = v->p;
  char b1[96], b2[96];
  uint32_t n = (uint32_t)strlen(pops);
  if (st->depth < n)
    return insn_fail(v, pc, "stack underflow: needs %u value%s, the stack holds %u", n,
                     n == 1 ? "" : "s", st->depth);
  const Cell *cells = st->stack + st->depth - n;
  for (uint32_t k = 0; k < n; k++) {
    IpsfType have = cells[k].t;
    const char *operand = n == 1 ? "operand" : k == 0 ? "first operand" : "second operand";
    uint8_t want;
    switch (pops[k]) {
    case 'b': want = IPSF_K_BOOL; break;
    case 'i': want = IPSF_K_INT; break;
    case 'n': want = IPSF_K_NUMBER; break;
    case 's': want = IPSF_K_STRING; break;
    case 'e': want = IPSF_K_ENUM; break;
    case 'm': want = IPSF_K_SET; break;
    default: /* '*' */
      if (!type_eq(have, star))
        return insn_fail(v, pc, "%s is %s %s, expected %s %s", operand, article(have.kind),
                         type_str(p, have, b1, sizeof b1), article(star.kind),
                         type_str(p, star, b2, sizeof b2));
      continue;
    }
    if (have.kind != want)
      return insn_fail(v, pc, "%s is %s %s, expected %s %s", operand, article(have.kind),
                       type_str(p, have, b1, sizeof b1), article(want), kind_name(want));
    if (want == IPSF_K_ENUM || want == IPSF_K_SET) {
      if (*et == IPSF_NONE) {
        *et = have.enum_type;
      } else if (*et != have.enum_type) {
        return insn_fail(v, pc, "operands of different enum types '%s' and '%s'",
                         sname(p, p->enums[*et].name), sname(p, p->enums[have.enum_type].name));
      }
    }
  }
  st->depth -= n;
  return true;
}

/* Push the types of `pushes`; a string pushed gets length bound `len`. */
static bool push_types(V *v, AState *st, uint32_t pc, const char *pushes, IpsfType star,
                       uint32_t et, uint64_t len) {
  for (const char *c = pushes; *c; c++) {
    if (st->depth >= v->p->max_stack)
      return insn_fail(v, pc, "stack overflow: depth %u exceeds max_stack %u", st->depth + 1,
                       v->p->max_stack);
    IpsfType t = {0, IPSF_NONE};
    switch (*c) {
    case 'b': t.kind = IPSF_K_BOOL; break;
    case 'i': t.kind = IPSF_K_INT; break;
    case 'n': t.kind = IPSF_K_NUMBER; break;
    case 's': t.kind = IPSF_K_STRING; break;
    case 'e': t.kind = IPSF_K_ENUM; t.enum_type = et; break;
    case 'm': t.kind = IPSF_K_SET; t.enum_type = et; break;
    default: t = star; break;
    }
    st->stack[st->depth++] = (Cell){t, t.kind == IPSF_K_STRING ? len : 0};
  }
  return true;
}

static const char *slot_name(const IpsfPack *p, uint32_t slot) {
  return p->slots[slot].name == IPSF_NONE ? "(temporary)" : sname(p, p->slots[slot].name);
}

/* What the protocol asks of instruction pc (op, operand a) on this path,
 * and its effect on the state.  See the header: scales, requirements, and
 * slots read before written. */
static bool protocol_step(V *v, AState *st, uint32_t pc, unsigned op, uint32_t a) {
  const IpsfPack *p = v->p;
  switch (op) {
  case IPSF_OP_HITW:
  case IPSF_OP_HITF:
  case IPSF_OP_HITU: {
    uint32_t s = p->rules[a].scale;
    if (BIT(MAY(st), s))
      return insn_fail(v, pc, "rule %u hits scale '%s' after the scale may have been settled", a,
                       sname(p, p->scales[s].name));
    return true;
  }
  case IPSF_OP_LTABLE: {
    /* each dim's slot is read as by LOAD; then the let's slot is stored */
    const IpsfTable *t = &p->tables[a];
    if (!charge(v, pc, t->mask_count)) return false; /* step_cost reads every mask */
    for (uint32_t d = 0; d < t->dim_count; d++)
      if (!protocol_step(v, st, pc, IPSF_OP_LOAD, t->dims[d].slot)) return false;
    return protocol_step(v, st, pc, IPSF_OP_STORE, t->owner);
  }
  case IPSF_OP_QTABLE: {
    /* each dim's slot is read as by LOAD; then for each requirement q of
     * the span, what REQ q ... REQEND q asks and does: no requirement
     * open, q not entered before */
    const IpsfTable *t = &p->tables[a];
    if (!charge(v, pc, t->mask_count)) return false; /* step_cost reads every mask */
    for (uint32_t d = 0; d < t->dim_count; d++)
      if (!protocol_step(v, st, pc, IPSF_OP_LOAD, t->dims[d].slot)) return false;
    for (uint32_t k = 0; k < t->span; k++)
      if (!protocol_step(v, st, pc, IPSF_OP_REQ, t->owner + k) ||
          !protocol_step(v, st, pc, IPSF_OP_REQEND, t->owner + k))
        return false;
    return true;
  }
  case IPSF_OP_RTABLE: {
    /* each dim's slot is read as by LOAD; the table's hits are its
     * scale's, before its SCALE, as the chain's hits would be */
    const IpsfTable *t = &p->tables[a];
    if (!charge(v, pc, t->cell_count)) return false; /* step_cost reads every cell */
    for (uint32_t d = 0; d < t->dim_count; d++)
      if (!protocol_step(v, st, pc, IPSF_OP_LOAD, t->dims[d].slot)) return false;
    if (BIT(MAY(st), t->owner))
      return insn_fail(v, pc, "table %u hits scale '%s' after the scale may have been settled", a,
                       sname(p, p->scales[t->owner].name));
    return protocol_step(v, st, pc, IPSF_OP_SCALE, t->owner); /* then settles it */
  }
  case IPSF_OP_SCALE:
    if (BIT(MAY(st), a))
      return insn_fail(v, pc, "scale '%s' may already be settled here (settled twice)",
                       sname(p, p->scales[a].name));
    SETBIT(MAY(st), a);
    SETBIT(MUST(st), a);
    return true;
  case IPSF_OP_LOAD: {
    const IpsfSlot *sl = &p->slots[a];
    if (sl->role == IPSF_SLOT_SCALE && !BIT(MUST(st), st->slot_scale[a]))
      return insn_fail(v, pc, "reads scale '%s' before it is settled on every path",
                       sname(p, p->scales[st->slot_scale[a]].name));
    if ((sl->role == IPSF_SLOT_LET || sl->role == IPSF_SLOT_TEMP) && !BIT(WRITTEN(st), a))
      return insn_fail(v, pc, "reads slot %u ('%s') before it is stored on every path", a,
                       slot_name(p, a));
    return true;
  }
  case IPSF_OP_STORE:
    SETBIT(WRITTEN(st), a);
    return true;
  case IPSF_OP_REQ:
    if (st->open != IPSF_NONE)
      return insn_fail(v, pc, "requirement %s is entered while requirement %s is open",
                       req_name(p, a), req_name(p, st->open));
    if (BIT(ENTERED(st), a))
      return insn_fail(v, pc, "requirement %s may already have been entered on this path",
                       req_name(p, a));
    SETBIT(ENTERED(st), a);
    st->open = a;
    return true;
  case IPSF_OP_CONFIRM: {
    uint32_t r = p->confirms[a].requirement;
    if (st->open != r)
      return insn_fail(v, pc, "confirm %u of requirement %s outside it (open: %s)", a,
                       req_name(p, r), req_name(p, st->open));
    return true;
  }
  case IPSF_OP_REQEND:
    if (st->open != a)
      return insn_fail(v, pc, "REQEND of requirement %s, but the open requirement is %s",
                       req_name(p, a), req_name(p, st->open));
    st->open = IPSF_NONE;
    return true;
  default:
    return true;
  }
}

/* At RET (after its stack check): nothing open, every scale settled. */
static bool protocol_ret(V *v, AState *st, uint32_t pc) {
  const IpsfPack *p = v->p;
  {
    if (st->open != IPSF_NONE)
      return insn_fail(v, pc, "RET inside requirement %s (no REQEND)", req_name(p, st->open));
    for (uint32_t s = 0; s < p->scale_count; s++)
      if (!BIT(MUST(st), s))
        return insn_fail(v, pc, "scale '%s' is not settled on every path to RET",
                         sname(p, p->scales[s].name));
    return true;
  }
}

/* The cost of instruction op, whose popped operands are in[], added to
 * *c; returns the length bound of a string it pushes.  Every reachable
 * instruction runs at most once per evaluation (jumps go forward), so the
 * sum over them bounds one evaluation. */
static uint64_t step_cost(const AState *st, unsigned op, uint32_t a, const Cell *in,
                          IpsfCost *c) {
  const IpsfPack *p = st->p;
  c->instructions = sat_add(c->instructions, 1);
  uint64_t la = in[0].len, lb = in[1].len;
  switch (op) {
  case IPSF_OP_LOADK:
    return p->consts[a].type.kind == IPSF_K_STRING ? p->string_lens[p->consts[a].str] : 0;
  case IPSF_OP_LOAD:
    return p->slots[a].type.kind == IPSF_K_STRING ? st->slot_len[a] : 0;
  case IPSF_OP_EQS:
  case IPSF_OP_NES: /* strcmp stops at the shorter string's end */
    c->string_bytes = sat_add(c->string_bytes, (la < lb ? la : lb) + 1);
    return 0;
  case IPSF_OP_STARTS: /* strlen(b), then at most that many bytes of both */
    c->string_bytes = sat_add(c->string_bytes, 2 * lb + 1);
    return 0;
  case IPSF_OP_ENDS: /* both lengths, then the tail */
    c->string_bytes = sat_add(c->string_bytes, la + 2 * lb + 2);
    return 0;
  case IPSF_OP_CONTAINS: /* strstr is linear in glibc and musl (two-way) */
    c->string_bytes = sat_add(c->string_bytes, 2 * (la + lb) + 2);
    return 0;
  case IPSF_OP_LOWER: /* strlen, then a copy into the scratch area */
    c->string_bytes = sat_add(c->string_bytes, 2 * la + 2);
    c->scratch_bytes = sat_add(c->scratch_bytes, la + 1);
    return la;
  case IPSF_OP_QTABLE:
    /* each requirement's entry and end (REQ, REQEND), then as RTABLE
     * with a confirm line's worth per line of the fullest cell */
    c->instructions = sat_add(c->instructions, 2u * (uint64_t)p->tables[a].span - 1);
    /* fall through */
  case IPSF_OP_LTABLE: /* as RTABLE; the store for the settle */
  case IPSF_OP_RTABLE: { /* and, for RTABLE, its SCALE */
    c->instructions = sat_add(c->instructions, 1);
    /* a unit per dim and per threshold compared, and a hit's worth per
     * rule of the fullest cell: never less than the table can do */
    const IpsfTable *t = &p->tables[a];
    uint64_t work = t->dim_count;
    for (uint32_t d = 0; d < t->dim_count; d++) work += t->dims[d].threshold_count;
    uint64_t most = 0; /* the set bits of the fullest cell, all its masks */
    for (uint32_t k = 0; k < t->cell_count; k++) {
      uint64_t bits = 0;
      for (uint32_t j = 0; j < t->span; j++)
        for (uint64_t m = t->masks[(uint64_t)k * t->span + j]; m; m &= m - 1) bits++;
      if (bits > most) most = bits;
    }
    c->instructions = sat_add(c->instructions, work + most);
    return 0;
  }
  case IPSF_OP_CALLN: {
    const IpsfNative *n = &p->natives[a];
    for (uint32_t k = 0; k < n->param_count; k++)
      if (n->params[k] == IPSF_K_STRING) c->string_bytes = sat_add(c->string_bytes, in[k].len + 1);
    if (n->result != IPSF_K_STRING) return 0;
    /* The result is checked (UTF-8, length) and copied to scratch. */
    c->string_bytes = sat_add(c->string_bytes, 2 * (uint64_t)IPSF_NATIVE_MAX_STRING + 2);
    c->scratch_bytes = sat_add(c->scratch_bytes, IPSF_NATIVE_MAX_STRING + 1);
    return IPSF_NATIVE_MAX_STRING;
  }
  default:
    return 0;
  }
}

/* Arrive at pc: meet the state recorded there by forward jumps. */
static bool arrive(V *v, AState *st, uint32_t pc) {
  if (st->join_at[pc] == IPSF_NONE) return true;
  /* No pool when every saved join stack is empty: NULL + 0 is UB. */
  const Cell *saved = st->pool ? st->pool + st->join_at[pc] : NULL;
  const uint64_t *sbits = st->bpool + st->join_bits[pc];
  uint32_t sd = st->join_depth[pc];
  if (!st->live) {
    if (sd) memcpy(st->stack, saved, sd * sizeof *saved);
    memcpy(st->bits, sbits, st->words * sizeof *sbits);
    st->depth = sd;
    st->open = st->join_open[pc];
    st->live = true;
    return true;
  }
  if (!charge(v, pc, sd + st->words)) return false;
  return describe_mismatch(v, pc, pc, st->stack, st->depth, saved, sd) &&
         merge(v, st, pc, pc, st->stack, saved, sd, st->bits, sbits, st->open,
               st->join_open[pc]);
}

/* One plain instruction (op, a) at pc: its types, protocol and cost.  A
 * fused instruction is checked as the plain instructions it stands for,
 * each through here at the fused instruction's pc (opcodes.h). */
static bool check_step(V *v, AState *st, uint32_t pc, unsigned op, uint32_t a, IpsfCost *cost) {
  const IpsfPack *p = v->p;
  const IpsfOpInfo *info = &ipsf_op_info[op];
  IpsfType star = {0, IPSF_NONE};
  if (info->operand == IPSF_OPND_CONST) star = p->consts[a].type;
  if (info->operand == IPSF_OPND_SLOT) star = p->slots[a].type;
  uint32_t et = IPSF_NONE;
  if (!protocol_step(v, st, pc, op, a)) return false;

  const char *pops = info->pops, *pushes = info->pushes;
  char sig[IPSF_MAX_NATIVE_PARAMS + 1], res[2] = {0, 0};
  switch (op) {
  case IPSF_OP_STORE:
    if (p->slots[a].role == IPSF_SLOT_FACT || p->slots[a].role == IPSF_SLOT_SCALE)
      return insn_fail(v, pc, "slot %u ('%s') is a %s slot and cannot be stored into", a,
                       p->slots[a].name == IPSF_NONE ? "" : sname(p, p->slots[a].name),
                       p->slots[a].role == IPSF_SLOT_FACT ? "fact" : "scale");
    break;
  case IPSF_OP_CALLN: /* the native's declared signature, in place of "@" */
    native_params(&p->natives[a], sig);
    res[0] = native_letter(p->natives[a].result);
    pops = sig;
    pushes = res;
    break;
  case IPSF_OP_ANDJ:
  case IPSF_OP_ORJ:
    /* Keep the bool on the jump edge, pop it on fall-through. */
    if (!pop_types(v, st, pc, "b", star, &et)) return false;
    cost->instructions = sat_add(cost->instructions, 1);
    return join(v, st, pc, pc + 1 + a, st->depth + 1);
  default:
    break;
  }
  if (!pop_types(v, st, pc, pops, star, &et)) return false;
  Cell in[IPSF_MAX_NATIVE_PARAMS] = {{{0, 0}, 0}};
  size_t n = strlen(pops);
  if (n) memcpy(in, st->stack + st->depth, n * sizeof *in);
  uint64_t len = step_cost(st, op, a, in, cost);
  if (!push_types(v, st, pc, pushes, star, et, len)) return false;
  switch (op) {
  case IPSF_OP_STORE:
    if (in[0].len > st->slot_len[a]) st->slot_len[a] = in[0].len;
    break;
  case IPSF_OP_JUMP:
    if (!join(v, st, pc, pc + 1 + a, st->depth)) return false;
    st->live = false;
    break;
  case IPSF_OP_JUMPF:
    if (!join(v, st, pc, pc + 1 + a, st->depth)) return false;
    break;
  case IPSF_OP_RET:
    if (st->depth != 0)
      return insn_fail(v, pc, "the stack must be empty at RET, it holds %u value%s", st->depth,
                       st->depth == 1 ? "" : "s");
    if (!protocol_ret(v, st, pc)) return false;
    st->live = false;
    break;
  default:
    break;
  }
  return true;
}

static bool check_code_run(V *v, AState *st, IpsfCost *cost) {
  const IpsfPack *p = v->p;
  st->live = true; /* instruction 0 is the entry */
  st->depth = 0;
  st->open = IPSF_NONE;
  for (uint32_t pc = 0; pc < p->code_count; pc++) {
    if (!charge(v, pc, 1) || !arrive(v, st, pc)) return false;
    if (!st->live) continue; /* unreachable: never executes */

    uint32_t w = p->code[pc];
    unsigned op = IPSF_INSN_OP(w);
    uint32_t a = IPSF_INSN_A(w);
    uint32_t seq[5];
    unsigned n = ipsf_fused_expand(op, a, seq);
    if (n == 0) {
      if (!check_step(v, st, pc, op, a, cost)) return false;
      continue;
    }
    for (unsigned k = 0; k < n; k++)
      if (!check_step(v, st, pc, IPSF_INSN_OP(seq[k]), IPSF_INSN_A(seq[k]), cost)) return false;
  }
  return true;
}

/* ---- cost outside the code ------------------------------------------------ */

/* A byte of a string may become six in a record (JSON's \u00XX); each
 * entry (a scale, a reason, a requirement, a viewpoint) brings at most
 * REPORT_ENTRY bytes of fixed text: keys, punctuation, numbers, a status. */
#define REPORT_ESCAPE 6u
#define REPORT_ENTRY 160u

static uint64_t slen(const IpsfPack *p, uint32_t s) {
  return s == IPSF_NONE ? 0 : p->string_lens[s];
}

/* An upper bound of one record's bytes, in any output format, with
 * --explain: the pack header, every scale with its longest level name,
 * every rule's reason and location, every requirement with its longest
 * method name, refs, party and doc, and every viewpoint.  Strings and fixed
 * text are summed apart, so that only the strings pay for escaping. */
static uint64_t report_cost(const IpsfPack *p) {
  uint64_t str = 0, entries = 1;
#define X_META(field) str += slen(p, p->meta.field);
  X_META(name) X_META(version) X_META(title) X_META(authority) X_META(framework)
  X_META(description) X_META(currency)
#undef X_META
  for (uint32_t s = 0; s < p->scale_count; s++) {
    const IpsfEnum *e = &p->enums[p->scales[s].enum_type];
    uint64_t longest = 0;
    for (uint32_t k = 0; k < e->value_count; k++)
      if (slen(p, e->values[k]) > longest) longest = slen(p, e->values[k]);
    str = sat_add(str, slen(p, p->scales[s].name) + 2 * longest);
  }
  for (uint32_t r = 0; r < p->rule_count; r++)
    str = sat_add(str, slen(p, p->rules[r].because) + slen(p, p->rules[r].loc.file));
  for (uint32_t v = 0; v < p->viewpoint_count; v++) str = sat_add(str, slen(p, p->viewpoints[v].name));
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    const IpsfRequirement *q = &p->requirements[r];
    const IpsfViewpoint *vp = &p->viewpoints[q->viewpoint];
    uint64_t longest = 0;
    for (uint32_t k = 0; k < vp->method_count; k++)
      if (slen(p, vp->methods[k]) > longest) longest = slen(p, vp->methods[k]);
    uint64_t e = slen(p, q->id) + slen(p, q->title) + slen(p, q->party) + slen(p, q->doc) +
                 slen(p, q->basis) + slen(p, q->citation) + slen(p, q->confirmed_by) +
                 slen(p, q->subject) +
                 slen(p, vp->name) + 2 * longest + slen(p, q->loc.file);
    for (uint32_t k = 0; k < q->ref_count; k++) e = sat_add(e, slen(p, q->refs[k]) + 4);
    str = sat_add(str, e);
  }
  /* a compensated requirement lists its compensating ids and the day */
  for (uint32_t i = 0; i < p->compensation_count; i++)
    str = sat_add(str, slen(p, p->requirements[p->compensations[i].by].id) + 4 + 10);
  entries += (uint64_t)p->scale_count + p->rule_count + p->viewpoint_count + p->requirement_count +
             p->compensation_count;
  uint64_t escaped = str > UINT64_MAX / REPORT_ESCAPE ? UINT64_MAX : str * REPORT_ESCAPE;
  return sat_add(escaped, entries * REPORT_ENTRY);
}

/* The compensations of a record's statuses (eval.c): each time a status
 * is asked for, a binary search over the section (`probes`) and, for a
 * requirement that has k entries, each entry once (its bound, its date,
 * the compensating requirement's own status: 4 steps); a writer lists
 * a compensated requirement's compensating ones by asking k + 1 times
 * more.  STATUS_ASKS: the status, shortfall, due, expired_by and until
 * that a record's writer asks per requirement, with room to spare. */
#define STATUS_ASKS 8u
static uint64_t compensation_cost(const IpsfPack *p) {
  if (!p->compensation_count) return 0;
  uint64_t probes = 1;
  for (uint32_t n = p->compensation_count; n; n >>= 1) probes++;
  uint64_t cost = 0;
  uint32_t with = 0; /* requirements that have entries */
  for (uint32_t i = 0; i < p->compensation_count;) {
    uint32_t j = i;
    while (j < p->compensation_count && p->compensations[j].requirement == p->compensations[i].requirement)
      j++;
    uint64_t k = j - i;
    cost = sat_add(cost, STATUS_ASKS * (k + 2) * (probes + 4 * k));
    with++;
    i = j;
  }
  return sat_add(cost, STATUS_ASKS * probes * (uint64_t)(p->requirement_count - with));
}

/* What every run does besides the code: reset what the code writes (vm.c),
 * fill defaults over the facts (eval.c). */
static uint64_t setup_cost(const IpsfPack *p) {
  /* binding a profile: finding it by name, then its items twice (apply and
   * check; profile.c); nothing when the pack declares none */
  uint64_t profile = p->profile_count;
  for (uint32_t i = 0; i < p->profile_count; i++)
    if (2u * (uint64_t)p->profiles[i].item_count > profile - p->profile_count)
      profile = p->profile_count + 2u * (uint64_t)p->profiles[i].item_count;
  return (uint64_t)p->slot_count + 2u * p->scale_count + 2u * p->requirement_count +
         p->viewpoint_count + p->rule_count / 64u + p->fact_count + 1u + compensation_cost(p) + profile;
}

static bool check_code(V *v, IpsfCost *cost) {
  const IpsfPack *p = v->p;
  AState st = {0};
  st.p = p;
  st.ws = (p->scale_count + 63u) / 64u;
  st.wr = (p->requirement_count + 63u) / 64u;
  st.wl = (p->slot_count + 63u) / 64u;
  st.words = 2 * st.ws + st.wr + st.wl;
  size_t n = p->code_count;
  st.stack = malloc((p->max_stack ? p->max_stack : 1) * sizeof *st.stack);
  st.bits = calloc(st.words ? st.words : 1, sizeof *st.bits);
  st.join_at = malloc(n * sizeof *st.join_at);
  st.join_depth = malloc(n * sizeof *st.join_depth);
  st.join_bits = malloc(n * sizeof *st.join_bits);
  st.join_open = malloc(n * sizeof *st.join_open);
  st.slot_scale = malloc((p->slot_count ? p->slot_count : 1) * sizeof *st.slot_scale);
  st.slot_len = calloc(p->slot_count ? p->slot_count : 1, sizeof *st.slot_len);
  bool ok;
  if (!st.stack || !st.bits || !st.join_at || !st.join_depth || !st.join_bits ||
      !st.join_open || !st.slot_scale || !st.slot_len) {
    ok = ipsf_fail(v->err, IPSF_ERR_NOMEM, "out of memory verifying the code");
  } else {
    for (uint32_t i = 0; i < p->code_count; i++) st.join_at[i] = IPSF_NONE;
    for (uint32_t i = 0; i < p->slot_count; i++) st.slot_scale[i] = IPSF_NONE;
    for (uint32_t s = 0; s < p->scale_count; s++) st.slot_scale[p->scales[s].slot] = s;
    for (uint32_t f = 0; f < p->fact_count; f++) {
      const IpsfFact *fact = &p->facts[f];
      if (fact->type.kind != IPSF_K_STRING) continue;
      uint64_t len = IPSF_MAX_FACT_STRING;
      if (fact->default_const != IPSF_NONE) {
        uint32_t str = p->consts[fact->default_const].str;
        if (p->string_lens[str] > len) len = p->string_lens[str];
      }
      st.slot_len[fact->slot] = len;
    }
    /* A string a usage profile sets is bound like a default (profile.c). */
    for (uint32_t k = 0; k < p->profile_item_count; k++) {
      const IpsfProfileItem *it = &p->profile_items[k];
      const IpsfFact *fact = &p->facts[it->fact];
      if (it->kind != IPSF_PROFILE_SETS || fact->type.kind != IPSF_K_STRING) continue;
      uint64_t len = p->string_lens[p->consts[it->value].str];
      if (len > st.slot_len[fact->slot]) st.slot_len[fact->slot] = len;
    }
    ok = charge(v, 0, p->slot_count) && check_code_run(v, &st, cost);
  }
  free(st.stack);
  free(st.bits);
  free(st.join_at);
  free(st.join_depth);
  free(st.join_bits);
  free(st.join_open);
  free(st.slot_scale);
  free(st.slot_len);
  free(st.pool);
  free(st.bpool);
  return ok;
}

bool ipsf_verify(IpsfPack *pack, IpsfError *err) {
  V v = {pack, err, 0};
  IpsfCost cost = {0};
  if (!(ipsf_verify_sections(&v) && ipsf_verify_tables(pack, err) && check_operands(&v) &&
        check_last_ret(&v) && check_code(&v, &cost)))
    return false;
  cost.instructions = sat_add(cost.instructions, setup_cost(pack));
  cost.report_bytes = report_cost(pack);
  cost.total = sat_add(sat_add(cost.instructions, cost.string_bytes),
                       sat_add(cost.scratch_bytes, cost.report_bytes));
  pack->cost = cost;
  return true;
}

bool ipsf_pack_check_cost(const IpsfPack *pack, uint64_t max_cost, IpsfError *err) {
  const IpsfCost *c = &pack->cost;
  if (c->total <= max_cost) return true;
  return ipsf_fail(err, IPSF_ERR_LIMIT,
                   "the pack's cost bound %llu exceeds the limit %llu (instructions %llu, "
                   "string bytes %llu, scratch bytes %llu, report bytes %llu; see --max-cost)",
                   (unsigned long long)c->total, (unsigned long long)max_cost,
                   (unsigned long long)c->instructions, (unsigned long long)c->string_bytes,
                   (unsigned long long)c->scratch_bytes, (unsigned long long)c->report_bytes);
}
