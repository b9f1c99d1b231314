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
 *     the stack is empty when RET is reached.
 *
 * Errors that depend on the facts (integer overflow, division by zero,
 * non-finite numbers, a unique conflict, a gap without otherwise) remain
 * run-time evaluation errors: they are defined outcomes, not crashes.
 *
 * What is proved, one check_* function per property, in this order (a later
 * check may rely on an earlier one):
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
 *   check_natives      every native's name, symbol and library are strings;
 *                      at most IPSF_MAX_NATIVE_PARAMS parameters; parameter
 *                      and result kinds are bool, int, number or string (the
 *                      C types libffi passes); an entry without a library is
 *                      a built-in of the native call path (builtins.h) with
 *                      exactly that built-in's signature.
 *   check_operands     every opcode is in the table; every operand is in
 *                      range for its kind (NONE must be 0); a jump's target
 *                      pc+1+A is ≤ code_count-1 (forward by construction:
 *                      the operand is unsigned); HITW/HITF/HITU match the
 *                      policy of the rule's scale.
 *   check_last_ret     the last instruction is RET, so control cannot fall
 *                      off the end.
 *   check_stack        abstract interpretation in one forward pass.  The
 *                      abstract state is the stack of machine types (bool,
 *                      int, number, string, enum T, set T).  Because jumps
 *                      only go forward, every predecessor of an instruction
 *                      is visited before it: a jump records its state at its
 *                      target; where paths meet the states must be equal (no
 *                      widening is ever needed).  Each instruction pops the
 *                      types opcodes.h lists and pushes its results; 'e' and
 *                      'm' in one instruction share one enum type; '*' is the
 *                      constant's or slot's type; STORE pops exactly its slot's
 *                      type and may not write FACT or SCALE slots (so facts
 *                      and settled levels are immutable); CALLN pops its
 *                      native's parameters and pushes its result, as the
 *                      native table declares them (so every native call
 *                      matches its declared signature); ANDJ/ORJ keep their
 *                      bool on the jump edge and pop it on fall-through.  The
 *                      depth never goes negative nor above max_stack, and is
 *                      0 at every reachable RET.  Instructions no path reaches
 *                      (after JUMP or RET, not a jump target) are skipped: they
 *                      can never execute.
 *
 * Verification work is bounded: one unit per instruction plus one per stack
 * cell copied or compared at a join, capped at VERIFY_WORK_MAX; a pack over
 * the cap is rejected rather than verified slowly.  Memory is one state
 * record per instruction and the saved join states.
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
#include "pack.h"

#define VERIFY_WORK_MAX (1u << 26)

typedef struct {
  const IpsfPack *p;
  IpsfError *err;
  uint64_t work;
} V;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool fail(V *v, const char *fmt, ...) {
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

static bool str_ok(const IpsfPack *p, uint32_t s) { return s < p->string_count; }
static bool opt_str_ok(const IpsfPack *p, uint32_t s) { return s == IPSF_NONE || s < p->string_count; }

/* A printable name of string s, for messages about valid indices. */
static const char *sname(const IpsfPack *p, uint32_t s) {
  return str_ok(p, s) ? p->strings[s] : "?";
}

static const char *kind_name(unsigned k) {
  switch (k) {
  case IPSF_K_BOOL: return "bool";
  case IPSF_K_INT: return "int";
  case IPSF_K_NUMBER: return "number";
  case IPSF_K_STRING: return "string";
  case IPSF_K_ENUM: return "enum";
  case IPSF_K_SET: return "set";
  default: return "?";
  }
}

/* "int", "enum harm", "set of radios" -- t must be well formed. */
static const char *type_str(const IpsfPack *p, IpsfType t, char *buf, size_t size) {
  if (t.kind == IPSF_K_ENUM || t.kind == IPSF_K_SET) {
    const char *en = t.enum_type < p->enum_count ? sname(p, p->enums[t.enum_type].name) : "?";
    snprintf(buf, size, "%s%s", t.kind == IPSF_K_ENUM ? "enum " : "set of ", en);
  } else {
    snprintf(buf, size, "%s", kind_name(t.kind));
  }
  return buf;
}

static const char *article(unsigned kind) {
  return kind == IPSF_K_INT || kind == IPSF_K_ENUM ? "an" : "a";
}

static bool type_eq(IpsfType a, IpsfType b) {
  return a.kind == b.kind && a.enum_type == b.enum_type;
}

/* A well-formed type: known kind, an enum type exactly for ENUM/SET. */
static bool check_type(V *v, IpsfType t, const char *what, uint32_t i) {
  const IpsfPack *p = v->p;
  if (t.kind < IPSF_K_BOOL || t.kind > IPSF_K_SET)
    return fail(v, "%s %u: unknown value kind %u", what, i, t.kind);
  if (t.kind == IPSF_K_ENUM || t.kind == IPSF_K_SET) {
    if (t.enum_type >= p->enum_count)
      return fail(v, "%s %u: enum type %u out of range (%u enums)", what, i, t.enum_type,
                  p->enum_count);
  } else if (t.enum_type != IPSF_NONE) {
    return fail(v, "%s %u: %s %s has no enum type, but names %u", what, i, article(t.kind),
                kind_name(t.kind), t.enum_type);
  }
  return true;
}

static bool check_loc(V *v, IpsfLoc l, const char *what, uint32_t i) {
  if (!opt_str_ok(v->p, l.file))
    return fail(v, "%s %u: location file string %u out of range (%u strings)", what, i, l.file,
                v->p->string_count);
  return true;
}

/* ---- tables ------------------------------------------------------------- */

static bool check_header(V *v) {
  const IpsfPack *p = v->p;
  if (p->code_count == 0 || !p->code)
    return fail(v, "the code is empty (it must end with RET)");
  if (p->max_stack > IPSF_MAX_STACK)
    return fail(v, "max_stack %u exceeds the limit %u", p->max_stack, IPSF_MAX_STACK);
  if (p->string_count && (!p->strings || !p->string_lens))
    return fail(v, "the string pool is missing");
  for (uint32_t i = 0; i < p->string_count; i++)
    if (!p->strings[i]) return fail(v, "string %u is missing", i);
  return true;
}

static bool check_axis(V *v, uint32_t axis, uint32_t want) {
  const IpsfPack *p = v->p;
  if (axis != IPSF_NONE) {
    if (axis >= p->scale_count)
      return fail(v, "axis %u names scale %u, out of range (%u scales)", want, axis,
                  p->scale_count);
    if (p->scales[axis].axis != want)
      return fail(v, "axis %u names scale '%s', which does not have the axis %u role", want,
                  sname(p, p->scales[axis].name), want);
  }
  for (uint32_t s = 0; s < p->scale_count; s++)
    if (p->scales[s].axis == want && s != axis)
      return fail(v, "scale '%s' has the axis %u role, but the pack's axis %u is %s",
                  sname(p, p->scales[s].name), want, want,
                  axis == IPSF_NONE ? "unset" : sname(p, p->scales[axis].name));
  return true;
}

static bool check_meta(V *v) {
  const IpsfPack *p = v->p;
#define CHECK_META(field, from_entry)                                                    \
  if (!opt_str_ok(p, p->meta.field))                                                     \
    return fail(v, "metadata '%s': string %u out of range (%u strings)", #field,          \
                p->meta.field, p->string_count);
  IPSF_META(CHECK_META)
#undef CHECK_META
  for (uint32_t s = 0; s < p->scale_count; s++)
    if (p->scales[s].axis > 2)
      return fail(v, "scale %u: axis role %u is not 0, 1 or 2", s, p->scales[s].axis);
  return check_axis(v, p->axis1, 1) && check_axis(v, p->axis2, 2);
}

static bool check_enums(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->enum_count; i++) {
    const IpsfEnum *e = &p->enums[i];
    if (!str_ok(p, e->name))
      return fail(v, "enum %u: name string %u out of range (%u strings)", i, e->name,
                  p->string_count);
    if (e->value_count < 1 || e->value_count > IPSF_MAX_ENUM_VALUES)
      return fail(v, "enum '%s': %u values (must be 1..%u)", sname(p, e->name), e->value_count,
                  IPSF_MAX_ENUM_VALUES);
    for (uint32_t k = 0; k < e->value_count; k++)
      if (!str_ok(p, e->values[k]))
        return fail(v, "enum '%s': value %u: string %u out of range (%u strings)",
                    sname(p, e->name), k, e->values[k], p->string_count);
  }
  return true;
}

static bool check_consts(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->const_count; i++) {
    const IpsfConst *c = &p->consts[i];
    if (!check_type(v, c->type, "constant", i)) return false;
    switch (c->type.kind) {
    case IPSF_K_BOOL:
      if (c->value.i != 0 && c->value.i != 1)
        return fail(v, "constant %u: bool value %lld is not 0 or 1", i, (long long)c->value.i);
      break;
    case IPSF_K_NUMBER:
      if (!isfinite(c->value.n)) return fail(v, "constant %u: number is not finite", i);
      break;
    case IPSF_K_STRING:
      if (!str_ok(p, c->str))
        return fail(v, "constant %u: string %u out of range (%u strings)", i, c->str,
                    p->string_count);
      break;
    case IPSF_K_ENUM: {
      uint32_t n = p->enums[c->type.enum_type].value_count;
      if (c->value.i < 0 || c->value.i >= (int64_t)n)
        return fail(v, "constant %u: enum value %lld out of range (enum '%s' has %u values)", i,
                    (long long)c->value.i, sname(p, p->enums[c->type.enum_type].name), n);
      break;
    }
    case IPSF_K_SET: {
      uint32_t n = p->enums[c->type.enum_type].value_count;
      if (n < 64 && (c->value.m >> n) != 0)
        return fail(v, "constant %u: set has members beyond the %u values of enum '%s'", i, n,
                    sname(p, p->enums[c->type.enum_type].name));
      break;
    }
    default:
      break;
    }
  }
  return true;
}

static bool check_slots(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->slot_count; i++) {
    const IpsfSlot *s = &p->slots[i];
    if (!check_type(v, s->type, "slot", i)) return false;
    if (s->role < IPSF_SLOT_FACT || s->role > IPSF_SLOT_TEMP)
      return fail(v, "slot %u: unknown role %u", i, s->role);
    if (!opt_str_ok(p, s->name))
      return fail(v, "slot %u: name string %u out of range (%u strings)", i, s->name,
                  p->string_count);
  }
  return true;
}

/* Facts and scales each own their slot; owner[] finds slots owned twice or
 * FACT/SCALE slots owned by nobody. */
static bool check_facts(V *v, uint32_t *owner) {
  const IpsfPack *p = v->p;
  char b1[96], b2[96];
  for (uint32_t i = 0; i < p->fact_count; i++) {
    const IpsfFact *f = &p->facts[i];
    if (!str_ok(p, f->name))
      return fail(v, "fact %u: name string %u out of range (%u strings)", i, f->name,
                  p->string_count);
    const char *fn = p->strings[f->name];
    if (!check_type(v, f->type, "fact", i)) return false;
    if (f->slot >= p->slot_count)
      return fail(v, "fact '%s': slot %u out of range (%u slots)", fn, f->slot, p->slot_count);
    const IpsfSlot *s = &p->slots[f->slot];
    if (s->role != IPSF_SLOT_FACT)
      return fail(v, "fact '%s': slot %u is not a fact slot", fn, f->slot);
    if (!type_eq(s->type, f->type))
      return fail(v, "fact '%s' is %s %s, but its slot %u holds %s %s", fn, article(f->type.kind),
                  type_str(p, f->type, b1, sizeof b1), f->slot, article(s->type.kind),
                  type_str(p, s->type, b2, sizeof b2));
    if (owner[f->slot] != IPSF_NONE)
      return fail(v, "fact '%s': slot %u already belongs to fact %u", fn, f->slot, owner[f->slot]);
    owner[f->slot] = i;
    if (f->default_const != IPSF_NONE) {
      if (f->default_const >= p->const_count)
        return fail(v, "fact '%s': default constant %u out of range (%u constants)", fn,
                    f->default_const, p->const_count);
      IpsfType ct = p->consts[f->default_const].type;
      if (!type_eq(ct, f->type))
        return fail(v, "fact '%s' is %s %s, but its default constant %u is %s %s", fn,
                    article(f->type.kind), type_str(p, f->type, b1, sizeof b1), f->default_const,
                    article(ct.kind), type_str(p, ct, b2, sizeof b2));
    }
    if (!opt_str_ok(p, f->doc))
      return fail(v, "fact '%s': doc string %u out of range (%u strings)", fn, f->doc,
                  p->string_count);
  }
  return true;
}

static bool check_scales(V *v, uint32_t *owner) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->scale_count; i++) {
    const IpsfScale *s = &p->scales[i];
    if (!str_ok(p, s->name))
      return fail(v, "scale %u: name string %u out of range (%u strings)", i, s->name,
                  p->string_count);
    const char *sn = p->strings[s->name];
    if (s->enum_type >= p->enum_count)
      return fail(v, "scale '%s': enum type %u out of range (%u enums)", sn, s->enum_type,
                  p->enum_count);
    if (s->policy > IPSF_POLICY_UNIQUE)
      return fail(v, "scale '%s': unknown hit policy %u", sn, s->policy);
    if (s->slot >= p->slot_count)
      return fail(v, "scale '%s': slot %u out of range (%u slots)", sn, s->slot, p->slot_count);
    const IpsfSlot *sl = &p->slots[s->slot];
    if (sl->role != IPSF_SLOT_SCALE)
      return fail(v, "scale '%s': slot %u is not a scale slot", sn, s->slot);
    if (sl->type.kind != IPSF_K_ENUM || sl->type.enum_type != s->enum_type)
      return fail(v, "scale '%s': slot %u does not hold the scale's levels", sn, s->slot);
    if (owner[s->slot] != IPSF_NONE)
      return fail(v, "scale '%s': slot %u already has an owner", sn, s->slot);
    owner[s->slot] = i;
    uint32_t n = p->enums[s->enum_type].value_count;
    if (s->otherwise != IPSF_NONE && s->otherwise >= n)
      return fail(v, "scale '%s': otherwise level %u out of range (%u levels)", sn, s->otherwise, n);
    if (!check_loc(v, s->otherwise_loc, "scale", i)) return false;
    if (s->first_rule > p->rule_count || s->rule_count > p->rule_count - s->first_rule)
      return fail(v, "scale '%s': rules %u..+%u out of range (%u rules)", sn, s->first_rule,
                  s->rule_count, p->rule_count);
    for (uint32_t r = s->first_rule; r < s->first_rule + s->rule_count; r++)
      if (p->rules[r].scale != i)
        return fail(v, "scale '%s': rule %u in its range belongs to scale %u", sn, r,
                    p->rules[r].scale);
  }
  /* Every FACT and SCALE slot has its owner. */
  for (uint32_t i = 0; i < p->slot_count; i++)
    if ((p->slots[i].role == IPSF_SLOT_FACT || p->slots[i].role == IPSF_SLOT_SCALE) &&
        owner[i] == IPSF_NONE)
      return fail(v, "slot %u is a %s slot, but no %s owns it", i,
                  p->slots[i].role == IPSF_SLOT_FACT ? "fact" : "scale",
                  p->slots[i].role == IPSF_SLOT_FACT ? "fact" : "scale");
  return true;
}

static bool check_rules(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->rule_count; i++) {
    const IpsfRule *r = &p->rules[i];
    if (r->scale >= p->scale_count)
      return fail(v, "rule %u: scale %u out of range (%u scales)", i, r->scale, p->scale_count);
    const IpsfScale *s = &p->scales[r->scale];
    if (i < s->first_rule || i - s->first_rule >= s->rule_count)
      return fail(v, "rule %u names scale '%s', but lies outside its rules %u..+%u", i,
                  sname(p, s->name), s->first_rule, s->rule_count);
    uint32_t n = p->enums[s->enum_type].value_count;
    if (r->level >= n)
      return fail(v, "rule %u: level %u out of range (scale '%s' has %u levels)", i, r->level,
                  sname(p, s->name), n);
    if (!opt_str_ok(p, r->because))
      return fail(v, "rule %u: because string %u out of range (%u strings)", i, r->because,
                  p->string_count);
    if (!check_loc(v, r->loc, "rule", i)) return false;
  }
  return true;
}

static bool check_viewpoints(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->viewpoint_count; i++) {
    const IpsfViewpoint *vp = &p->viewpoints[i];
    if (!str_ok(p, vp->name))
      return fail(v, "viewpoint %u: name string %u out of range (%u strings)", i, vp->name,
                  p->string_count);
    for (uint32_t k = 0; k < vp->method_count; k++)
      if (!str_ok(p, vp->methods[k]))
        return fail(v, "viewpoint '%s': method %u: string %u out of range (%u strings)",
                    p->strings[vp->name], k, vp->methods[k], p->string_count);
  }
  return true;
}

static bool check_requirements(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->requirement_count; i++) {
    const IpsfRequirement *r = &p->requirements[i];
    if (!str_ok(p, r->id))
      return fail(v, "requirement %u: id string %u out of range (%u strings)", i, r->id,
                  p->string_count);
    const char *id = p->strings[r->id];
    if (!opt_str_ok(p, r->title) || !opt_str_ok(p, r->party) || !opt_str_ok(p, r->doc))
      return fail(v, "requirement %s: title, party or doc string out of range (%u strings)", id,
                  p->string_count);
    if (r->viewpoint >= p->viewpoint_count)
      return fail(v, "requirement %s: viewpoint %u out of range (%u viewpoints)", id,
                  r->viewpoint, p->viewpoint_count);
    for (uint32_t k = 0; k < r->ref_count; k++)
      if (!str_ok(p, r->refs[k]))
        return fail(v, "requirement %s: ref %u: string %u out of range (%u strings)", id, k,
                    r->refs[k], p->string_count);
    if (r->first_confirm > p->confirm_count ||
        r->confirm_count > p->confirm_count - r->first_confirm)
      return fail(v, "requirement %s: confirms %u..+%u out of range (%u confirms)", id,
                  r->first_confirm, r->confirm_count, p->confirm_count);
    for (uint32_t c = r->first_confirm; c < r->first_confirm + r->confirm_count; c++)
      if (p->confirms[c].requirement != i)
        return fail(v, "requirement %s: confirm %u in its range belongs to requirement %u", id,
                    c, p->confirms[c].requirement);
    if (!check_loc(v, r->loc, "requirement", i)) return false;
  }
  return true;
}

static bool check_confirms(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->confirm_count; i++) {
    const IpsfConfirm *c = &p->confirms[i];
    if (c->requirement >= p->requirement_count)
      return fail(v, "confirm %u: requirement %u out of range (%u requirements)", i,
                  c->requirement, p->requirement_count);
    const IpsfRequirement *r = &p->requirements[c->requirement];
    if (i < r->first_confirm || i - r->first_confirm >= r->confirm_count)
      return fail(v, "confirm %u names requirement %s, but lies outside its confirms %u..+%u", i,
                  sname(p, r->id), r->first_confirm, r->confirm_count);
    const IpsfViewpoint *vp = &p->viewpoints[r->viewpoint];
    if (c->method >= vp->method_count)
      return fail(v, "confirm %u: method %u out of range (viewpoint '%s' has %u methods)", i,
                  c->method, sname(p, vp->name), vp->method_count);
    if (!check_loc(v, c->loc, "confirm", i)) return false;
  }
  return true;
}

static bool check_lines(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->line_count; i++) {
    const IpsfLine *l = &p->lines[i];
    if (l->pc >= p->code_count)
      return fail(v, "line table entry %u: pc %u is past the end (%u instructions)", i, l->pc,
                  p->code_count);
    if (i > 0 && l->pc <= p->lines[i - 1].pc)
      return fail(v, "line table entry %u: pc %u does not follow pc %u (must increase)", i,
                  l->pc, p->lines[i - 1].pc);
    if (!str_ok(p, l->loc.file))
      return fail(v, "line table entry %u: file string %u out of range (%u strings)", i,
                  l->loc.file, p->string_count);
  }
  return true;
}

/* The kinds a native takes and returns, as opcode type letters; 0 if none. */
static char native_letter(uint8_t kind) {
  switch (kind) {
  case IPSF_K_BOOL: return 'b';
  case IPSF_K_INT: return 'i';
  case IPSF_K_NUMBER: return 'n';
  case IPSF_K_STRING: return 's';
  default: return 0;
  }
}

/* A native's parameter letters (NUL-terminated) into sig. */
static void native_params(const IpsfNative *n, char sig[IPSF_MAX_NATIVE_PARAMS + 1]) {
  for (uint32_t k = 0; k < n->param_count; k++) sig[k] = native_letter(n->params[k]);
  sig[n->param_count] = '\0';
}

static bool check_natives(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->native_count; i++) {
    const IpsfNative *n = &p->natives[i];
    if (!str_ok(p, n->name) || !str_ok(p, n->symbol) || !opt_str_ok(p, n->library))
      return fail(v, "native %u: name, symbol or library string out of range (%u strings)", i,
                  p->string_count);
    const char *nm = p->strings[n->name], *sym = p->strings[n->symbol];
    if (n->param_count > IPSF_MAX_NATIVE_PARAMS)
      return fail(v, "native %s: %u parameters (at most %u)", nm, n->param_count,
                  IPSF_MAX_NATIVE_PARAMS);
    if (!native_letter(n->result))
      return fail(v, "native %s: result kind %u is not bool, int, number or string", nm,
                  n->result);
    for (uint32_t k = 0; k < n->param_count; k++)
      if (!native_letter(n->params[k]))
        return fail(v, "native %s: parameter %u has kind %u, not bool, int, number or string",
                    nm, k + 1, n->params[k]);
    if (n->library != IPSF_NONE) {
      if (!*p->strings[n->library]) return fail(v, "native %s: the library name is empty", nm);
      if (!*sym) return fail(v, "native %s: the symbol is empty", nm);
      continue;
    }
    IpsfBuiltinId b = ipsf_builtin_find(sym);
    if (b == IPSF_BI__COUNT || ipsf_builtins[b].inline_op || !ipsf_builtins[b].fn)
      return fail(v, "native %s has no library and '%s' is not a built-in of the native call path",
                  nm, sym);
    const IpsfBuiltin *bi = &ipsf_builtins[b];
    char sig[IPSF_MAX_NATIVE_PARAMS + 1];
    native_params(n, sig);
    if (strcmp(sig, bi->params) != 0 || native_letter(n->result) != bi->result)
      return fail(v, "native %s: signature (%s) -> %c does not match the built-in %s(%s) -> %c",
                  nm, sig, native_letter(n->result), bi->name, bi->params, bi->result);
  }
  return true;
}

/* ---- code --------------------------------------------------------------- */

static bool check_operands(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t pc = 0; pc < p->code_count; pc++) {
    uint32_t w = p->code[pc];
    unsigned op = IPSF_INSN_OP(w);
    uint32_t a = IPSF_INSN_A(w);
    if (op >= IPSF_OP__COUNT)
      return fail(v, "instruction %u: unknown opcode %u", pc, op);
    uint32_t limit = 0;
    const char *what = NULL;
    switch (ipsf_op_info[op].operand) {
    case IPSF_OPND_NONE:
      if (a != 0) return insn_fail(v, pc, "operand must be 0, is %u", a);
      continue;
    case IPSF_OPND_JUMP: {
      uint64_t target = (uint64_t)pc + 1 + a;
      if (target >= p->code_count)
        return insn_fail(v, pc, "jump target %llu is past the end (%u instructions)",
                         (unsigned long long)target, p->code_count);
      continue;
    }
    case IPSF_OPND_CONST: limit = p->const_count; what = "constant"; break;
    case IPSF_OPND_SLOT: limit = p->slot_count; what = "slot"; break;
    case IPSF_OPND_RULE: limit = p->rule_count; what = "rule"; break;
    case IPSF_OPND_SCALE: limit = p->scale_count; what = "scale"; break;
    case IPSF_OPND_REQ: limit = p->requirement_count; what = "requirement"; break;
    case IPSF_OPND_CONFIRM: limit = p->confirm_count; what = "confirm"; break;
    case IPSF_OPND_NATIVE: limit = p->native_count; what = "native"; break;
    }
    if (a >= limit)
      return insn_fail(v, pc, "%s %u out of range (%u %ss)", what, a, limit, what);
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

/* Abstract interpretation state: the stack of types, and per-instruction
 * join states recorded by forward jumps (kept in one growing pool). */
typedef struct {
  IpsfType *stack; /* current abstract stack, max_stack cells */
  uint32_t depth;
  bool live;       /* some path reaches the current instruction */
  uint32_t *join_at;    /* per pc: pool offset of the recorded state, or NONE */
  uint32_t *join_depth; /* per pc: its depth */
  IpsfType *pool;
  size_t pool_len, pool_cap;
} AState;

static bool charge(V *v, uint32_t pc, uint64_t units) {
  v->work += units;
  if (v->work > VERIFY_WORK_MAX)
    return insn_fail(v, pc, "verification work limit exceeded (%u units)", VERIFY_WORK_MAX);
  return true;
}

static bool describe_mismatch(V *v, uint32_t pc, uint32_t target, const IpsfType *a,
                              uint32_t da, const IpsfType *b, uint32_t db) {
  char b1[96], b2[96];
  if (da != db)
    return insn_fail(v, pc,
                     "stack mismatch where paths meet at instruction %u: depth %u here, %u on "
                     "another path",
                     target, da, db);
  for (uint32_t k = 0; k < da; k++)
    if (!type_eq(a[k], b[k]))
      return insn_fail(v, pc,
                       "stack mismatch where paths meet at instruction %u: cell %u is %s %s "
                       "here, %s %s on another path",
                       target, k, article(a[k].kind), type_str(v->p, a[k], b1, sizeof b1),
                       article(b[k].kind), type_str(v->p, b[k], b2, sizeof b2));
  return true;
}

/* Record the current state (with `depth` cells) as arriving at `target`. */
static bool join(V *v, AState *st, uint32_t pc, uint32_t target, uint32_t depth) {
  if (!charge(v, pc, depth + 1u)) return false;
  if (st->join_at[target] != IPSF_NONE)
    return describe_mismatch(v, pc, target, st->stack, depth,
                             st->pool ? st->pool + st->join_at[target] : NULL,
                             st->join_depth[target]);
  if (st->pool_cap - st->pool_len < depth) {
    size_t cap = st->pool_cap ? st->pool_cap : 64;
    while (cap - st->pool_len < depth) cap *= 2;
    IpsfType *np = realloc(st->pool, cap * sizeof *np);
    if (!np) return ipsf_fail(v->err, IPSF_ERR_NOMEM, "out of memory verifying the code");
    st->pool = np;
    st->pool_cap = cap;
  }
  if (depth) memcpy(st->pool + st->pool_len, st->stack, depth * sizeof *st->stack);
  st->join_at[target] = (uint32_t)st->pool_len;
  st->join_depth[target] = depth;
  st->pool_len += depth;
  return true;
}

/* Pop the types of `pops` (top last), checking each; *et is the shared
 * enum type of 'e'/'m' letters; `star` is the operand's type for '*'. */
static bool pop_types(V *v, AState *st, uint32_t pc, const char *pops, IpsfType star,
                      uint32_t *et) {
  const IpsfPack *p = v->p;
  char b1[96], b2[96];
  uint32_t n = (uint32_t)strlen(pops);
  if (st->depth < n)
    return insn_fail(v, pc, "stack underflow: needs %u value%s, the stack holds %u", n,
                     n == 1 ? "" : "s", st->depth);
  const IpsfType *cells = st->stack + st->depth - n;
  for (uint32_t k = 0; k < n; k++) {
    IpsfType have = cells[k];
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

static bool push_types(V *v, AState *st, uint32_t pc, const char *pushes, IpsfType star,
                       uint32_t et) {
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
    st->stack[st->depth++] = t;
  }
  return true;
}

static bool check_stack_run(V *v, AState *st) {
  const IpsfPack *p = v->p;
  st->live = true; /* instruction 0 is the entry */
  st->depth = 0;
  for (uint32_t pc = 0; pc < p->code_count; pc++) {
    if (!charge(v, pc, 1)) return false;
    if (st->join_at[pc] != IPSF_NONE) {
      /* No pool when every saved join stack is empty: NULL + 0 is UB. */
      const IpsfType *saved = st->pool ? st->pool + st->join_at[pc] : NULL;
      uint32_t sd = st->join_depth[pc];
      if (st->live) {
        if (!charge(v, pc, sd)) return false;
        if (!describe_mismatch(v, pc, pc, st->stack, st->depth, saved, sd)) return false;
      } else {
        if (sd) memcpy(st->stack, saved, sd * sizeof *saved);
        st->depth = sd;
        st->live = true;
      }
    }
    if (!st->live) continue; /* unreachable: never executes */

    uint32_t w = p->code[pc];
    unsigned op = IPSF_INSN_OP(w);
    uint32_t a = IPSF_INSN_A(w);
    const IpsfOpInfo *info = &ipsf_op_info[op];
    IpsfType star = {0, IPSF_NONE};
    if (info->operand == IPSF_OPND_CONST) star = p->consts[a].type;
    if (info->operand == IPSF_OPND_SLOT) star = p->slots[a].type;
    uint32_t et = IPSF_NONE;

    switch (op) {
    case IPSF_OP_STORE:
      if (p->slots[a].role == IPSF_SLOT_FACT || p->slots[a].role == IPSF_SLOT_SCALE)
        return insn_fail(v, pc, "slot %u ('%s') is a %s slot and cannot be stored into", a,
                         p->slots[a].name == IPSF_NONE ? "" : sname(p, p->slots[a].name),
                         p->slots[a].role == IPSF_SLOT_FACT ? "fact" : "scale");
      break;
    case IPSF_OP_CALLN: {
      /* The native's declared signature, in place of "@". */
      const IpsfNative *n = &p->natives[a];
      char sig[IPSF_MAX_NATIVE_PARAMS + 1], res[2] = {native_letter(n->result), '\0'};
      native_params(n, sig);
      if (!pop_types(v, st, pc, sig, star, &et) || !push_types(v, st, pc, res, star, et))
        return false;
      continue;
    }
    case IPSF_OP_ANDJ:
    case IPSF_OP_ORJ: {
      /* Keep the bool on the jump edge, pop it on fall-through. */
      if (!pop_types(v, st, pc, "b", star, &et)) return false;
      if (!join(v, st, pc, pc + 1 + a, st->depth + 1)) return false;
      continue;
    }
    default:
      break;
    }
    if (!pop_types(v, st, pc, info->pops, star, &et)) return false;
    if (!push_types(v, st, pc, info->pushes, star, et)) return false;
    switch (op) {
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
      st->live = false;
      break;
    default:
      break;
    }
  }
  return true;
}

static bool check_stack(V *v) {
  const IpsfPack *p = v->p;
  AState st = {0};
  st.stack = malloc((p->max_stack ? p->max_stack : 1) * sizeof *st.stack);
  st.join_at = malloc((size_t)p->code_count * sizeof *st.join_at);
  st.join_depth = malloc((size_t)p->code_count * sizeof *st.join_depth);
  bool ok;
  if (!st.stack || !st.join_at || !st.join_depth) {
    ok = ipsf_fail(v->err, IPSF_ERR_NOMEM, "out of memory verifying the code");
  } else {
    for (uint32_t i = 0; i < p->code_count; i++) st.join_at[i] = IPSF_NONE;
    ok = check_stack_run(v, &st);
  }
  free(st.stack);
  free(st.join_at);
  free(st.join_depth);
  free(st.pool);
  return ok;
}

bool ipsf_verify(const IpsfPack *pack, IpsfError *err) {
  V v = {pack, err, 0};
  if (!check_header(&v) || !check_enums(&v) || !check_meta(&v) || !check_consts(&v) ||
      !check_slots(&v))
    return false;
  uint32_t *owner = malloc(((size_t)pack->slot_count + 1) * sizeof *owner);
  if (!owner) return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory verifying a pack");
  for (uint32_t i = 0; i < pack->slot_count; i++) owner[i] = IPSF_NONE;
  bool ok = check_facts(&v, owner) && check_scales(&v, owner);
  free(owner);
  return ok && check_rules(&v) && check_viewpoints(&v) && check_requirements(&v) &&
         check_confirms(&v) && check_lines(&v) && check_natives(&v) && check_operands(&v) &&
         check_last_ret(&v) && check_stack(&v);
}
