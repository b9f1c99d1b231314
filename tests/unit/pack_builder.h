/*
 * pack_builder.h -- build small packs in code, for the runtime's unit tests.
 *
 * The compiler (compiler/codegen.c) builds real packs; tests need packs the
 * compiler would never emit (to show the verifier rejects them) and packs
 * smaller than any source file (to test one opcode).  Every function
 * appends to an IpsfPack and returns the new entry's index.  Nothing is
 * checked here: that is the verifier's job.
 */
#ifndef PACK_BUILDER_H
#define PACK_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "pack.h"

#define PB_FILE "test.ipsf"

/* A pack named `name`, version "1.0.0", no axes, max_stack 16. */
IpsfPack *pb_new(const char *name);

uint32_t pb_str(IpsfPack *p, const char *s);          /* interned */
uint32_t pb_str_raw(IpsfPack *p, const char *s, size_t len); /* not interned, any bytes */

/* An enum with comma-separated values: pb_enum(p, "harm", "none,minor,death"). */
uint32_t pb_enum(IpsfPack *p, const char *name, const char *values);

IpsfType pb_t(IpsfKind kind);                        /* bool/int/number/string */
IpsfType pb_te(IpsfKind kind, uint32_t enum_type);   /* enum/set */

uint32_t pb_kbool(IpsfPack *p, bool v);
uint32_t pb_kint(IpsfPack *p, int64_t v);
uint32_t pb_knum(IpsfPack *p, double v);
uint32_t pb_kstr(IpsfPack *p, const char *s);
uint32_t pb_kenum(IpsfPack *p, uint32_t enum_type, int64_t index);
uint32_t pb_kset(IpsfPack *p, uint32_t enum_type, uint64_t mask);

uint32_t pb_slot(IpsfPack *p, IpsfType t, IpsfSlotRole role, const char *name);
/* A fact and its FACT slot; default_const IPSF_NONE = required. */
uint32_t pb_fact(IpsfPack *p, const char *name, IpsfType t, uint32_t default_const);
uint32_t pb_fact_slot(const IpsfPack *p, uint32_t fact);
/* A scale over enum_type and its SCALE slot; axis 0/1/2 (sets p->axisN);
 * otherwise: a level index or IPSF_NONE. */
uint32_t pb_scale(IpsfPack *p, const char *name, uint32_t enum_type, IpsfPolicy policy,
                  int axis, uint32_t otherwise);
uint32_t pb_scale_slot(const IpsfPack *p, uint32_t scale);
/* A rule of `scale` (append a scale's rules together). */
uint32_t pb_rule(IpsfPack *p, uint32_t scale, uint32_t level, uint32_t line);

uint32_t pb_viewpoint(IpsfPack *p, const char *name, const char *methods);
uint32_t pb_req(IpsfPack *p, const char *id, uint32_t viewpoint, uint32_t line);
/* A confirm of `req` (append a requirement's confirms together). */
uint32_t pb_confirm(IpsfPack *p, uint32_t req, uint32_t method, uint32_t every_months,
                    uint32_t line);

/* Code: emit returns the pc; patch points the jump at pc to the next pc
 * to be emitted; line starts a line-table entry at the next pc. */
uint32_t pb_emit(IpsfPack *p, IpsfOpcode op, uint32_t a);
void pb_patch(IpsfPack *p, uint32_t jump_pc);
void pb_line(IpsfPack *p, uint32_t line, uint32_t col);

/* Replace the whole code (and drop the line table): CODE(p, I(SCALE, 0),
 * I(RET, 0)) writes a program by hand, for packs the compiler never emits. */
void pb_set_code(IpsfPack *p, const uint32_t *words, uint32_t n);
#define CODE(p, ...)                                                  \
  do {                                                                \
    const uint32_t w_[] = {__VA_ARGS__};                              \
    pb_set_code(p, w_, (uint32_t)(sizeof w_ / sizeof w_[0]));         \
  } while (0)
#define I(op, a) IPSF_INSN(IPSF_OP_##op, a)

/* Serialise (ipsb_write); the caller frees *out. */
void pb_bytes(IpsfPack *p, uint8_t **out, size_t *len);
/* Serialise p, free it, and load it back (verify + link): NULL with err on
 * rejection. */
IpsfPack *pb_load(IpsfPack *p, IpsfError *err);
/* Recompute the trailing SHA-256 of a serialised pack (len >= 32). */
void pb_redigest(uint8_t *bytes, size_t len);

/* A small, realistic, valid pack (what the compiler would emit for a
 * smart-home-like source), for tests that need one.  Its indices: */
enum {
  /* enums */
  S_E_HARM = 0,    /* none, minor_injury, serious_injury, death */
  S_E_USAGE = 1,   /* home, office, factory */
  S_E_RECOVERY = 2,/* limited, serious, fatal */
  S_E_ECONOMIC = 3,/* limited, significant, catastrophic */
  S_E_RADIOS = 4,  /* wifi, ble, zigbee */
  /* facts */
  S_F_HARM = 0,    /* enum harm = none */
  S_F_USAGE = 1,   /* enum usage, required */
  S_F_LOSS = 2,    /* int = 0 */
  S_F_REMOTE = 3,  /* bool = false */
  S_F_RADIOS = 4,  /* set of radios = {} */
  S_F_MODEL = 5,   /* string = "" */
  S_F_SCORE = 6,   /* number = 0.5 */
  /* scales (worst, otherwise limited) */
  S_S_RECOVERY = 0, /* axis 1: fatal when harm >= serious_injury (rule 0, line 20);
                       serious when harm == minor_injury (rule 1, line 21);
                       fatal when usage == factory and remote (rule 2, line 22) */
  S_S_ECONOMIC = 1, /* axis 2: catastrophic when loss >= 10e9 (rule 3, line 30);
                       significant when loss >= 1e8 (rule 4, line 31);
                       significant when count(radios) >= 2 (rule 5, line 32) */
  /* requirements */
  S_R_SH01 = 0, /* pre_operation {self_declaration < third_party_certification}:
                   applies always; confirm self_declaration (confirm 0);
                   confirm third_party_certification when recovery == fatal or
                   economic >= significant (confirm 1) */
  S_R_SH20 = 1  /* in_operation {self_inspection < third_party_inspection}:
                   applies when recovery >= serious; confirm
                   third_party_inspection every 12 months (confirm 2) */
};
/* LET slots of the sample: lower(model), score * 2.0 */
#define S_LET_LOWER_MODEL "lower_model"
#define S_LET_SCORE2 "score2"

IpsfPack *pb_sample(void);

/* Issue 10's cost shapes (tests/unit/test_verify.c, tests/security):
 * `n` times `op` (LOWER, or a binary string op when `binary`) on one
 * string constant of `bytes` bytes, each result stored into a let; and the
 * sample pack whose SH-01 cites one 100 kB string 3,000 times. */
IpsfPack *pb_string_ops(IpsfOpcode op, size_t bytes, int n, bool binary);
IpsfPack *pb_many_refs(void);

/* A loaded pack with one fact of each type (flag bool, count int, ratio
 * number, model string, usage enum {home,office,hospital}, radios set of
 * {wifi,ble,zigbee}, all required) and one requirement SH-01, no rules:
 * enough to bind sheets to.  NULL with err if the loader refuses it. */
IpsfPack *pb_facts_pack(const char *name, IpsfError *err);
/* Slot index by name (first match), or IPSF_NONE. */
uint32_t pb_slot_named(const IpsfPack *p, const char *name);

#endif
