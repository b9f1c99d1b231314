/*
 * pack_builder.c -- see pack_builder.h.  Test code: allocation failures
 * abort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pack_builder.h"

static void *grow(void *ptr, size_t count, size_t size) {
  void *q = realloc(ptr, (count + 1) * size);
  if (!q) abort();
  return q;
}

#define APPEND(arr, count) (arr = grow(arr, count, sizeof *(arr)), &(arr)[(count)++])

static char *dup_bytes(const char *s, size_t len) {
  char *d = malloc(len + 1);
  if (!d) abort();
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

IpsfPack *pb_new(const char *name) {
  IpsfPack *p = calloc(1, sizeof *p);
  if (!p) abort();
  p->meta = (IpsfMeta){IPSF_NONE, IPSF_NONE, IPSF_NONE, IPSF_NONE,
                       IPSF_NONE, IPSF_NONE, IPSF_NONE};
  p->meta.name = pb_str(p, name);
  p->meta.version = pb_str(p, "1.0.0");
  p->axis1 = p->axis2 = IPSF_NONE;
  p->max_stack = 16;
  return p;
}

uint32_t pb_str_raw(IpsfPack *p, const char *s, size_t len) {
  p->string_lens = grow(p->string_lens, p->string_count, sizeof *p->string_lens);
  p->string_lens[p->string_count] = (uint32_t)len;
  *APPEND(p->strings, p->string_count) = dup_bytes(s, len);
  return p->string_count - 1;
}

uint32_t pb_str(IpsfPack *p, const char *s) {
  for (uint32_t i = 0; i < p->string_count; i++)
    if (strcmp(p->strings[i], s) == 0 && strlen(s) == p->string_lens[i]) return i;
  return pb_str_raw(p, s, strlen(s));
}

uint32_t pb_enum(IpsfPack *p, const char *name, const char *values) {
  IpsfEnum *e = APPEND(p->enums, p->enum_count);
  e->name = pb_str(p, name);
  e->value_count = 0;
  e->values = NULL;
  const char *s = values;
  while (*s) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    char *v = dup_bytes(s, len);
    uint32_t str = pb_str(p, v);
    free(v);
    e = &p->enums[p->enum_count - 1]; /* pb_str does not move enums, but be plain */
    *APPEND(e->values, e->value_count) = str;
    s += len + (comma ? 1 : 0);
  }
  return p->enum_count - 1;
}

IpsfType pb_t(IpsfKind kind) { return (IpsfType){(uint8_t)kind, IPSF_NONE}; }
IpsfType pb_te(IpsfKind kind, uint32_t enum_type) { return (IpsfType){(uint8_t)kind, enum_type}; }

static uint32_t add_const(IpsfPack *p, IpsfType t, IpsfValue v, uint32_t str) {
  IpsfConst *c = APPEND(p->consts, p->const_count);
  c->type = t;
  c->value = v;
  c->str = str;
  return p->const_count - 1;
}

uint32_t pb_kbool(IpsfPack *p, bool v) {
  return add_const(p, pb_t(IPSF_K_BOOL), (IpsfValue){.i = v}, IPSF_NONE);
}
uint32_t pb_kint(IpsfPack *p, int64_t v) {
  return add_const(p, pb_t(IPSF_K_INT), (IpsfValue){.i = v}, IPSF_NONE);
}
uint32_t pb_knum(IpsfPack *p, double v) {
  return add_const(p, pb_t(IPSF_K_NUMBER), (IpsfValue){.n = v}, IPSF_NONE);
}
uint32_t pb_kstr(IpsfPack *p, const char *s) {
  uint32_t str = pb_str(p, s);
  return add_const(p, pb_t(IPSF_K_STRING), (IpsfValue){.s = NULL}, str);
}
uint32_t pb_kenum(IpsfPack *p, uint32_t enum_type, int64_t index) {
  return add_const(p, pb_te(IPSF_K_ENUM, enum_type), (IpsfValue){.i = index}, IPSF_NONE);
}
uint32_t pb_kset(IpsfPack *p, uint32_t enum_type, uint64_t mask) {
  return add_const(p, pb_te(IPSF_K_SET, enum_type), (IpsfValue){.m = mask}, IPSF_NONE);
}

uint32_t pb_slot(IpsfPack *p, IpsfType t, IpsfSlotRole role, const char *name) {
  uint32_t n = name ? pb_str(p, name) : IPSF_NONE;
  IpsfSlot *s = APPEND(p->slots, p->slot_count);
  s->type = t;
  s->role = (uint8_t)role;
  s->name = n;
  return p->slot_count - 1;
}

uint32_t pb_fact(IpsfPack *p, const char *name, IpsfType t, uint32_t default_const) {
  uint32_t slot = pb_slot(p, t, IPSF_SLOT_FACT, name);
  IpsfFact *f = APPEND(p->facts, p->fact_count);
  f->name = pb_str(p, name);
  f->type = t;
  f->slot = slot;
  f->default_const = default_const;
  f->doc = IPSF_NONE;
  return p->fact_count - 1;
}

uint32_t pb_fact_slot(const IpsfPack *p, uint32_t fact) { return p->facts[fact].slot; }

uint32_t pb_scale(IpsfPack *p, const char *name, uint32_t enum_type, IpsfPolicy policy,
                  int axis, uint32_t otherwise) {
  uint32_t slot = pb_slot(p, pb_te(IPSF_K_ENUM, enum_type), IPSF_SLOT_SCALE, name);
  uint32_t file = pb_str(p, PB_FILE);
  IpsfScale *s = APPEND(p->scales, p->scale_count);
  s->name = pb_str(p, name);
  s->enum_type = enum_type;
  s->policy = (uint8_t)policy;
  s->axis = (uint8_t)axis;
  s->slot = slot;
  s->otherwise = otherwise;
  s->otherwise_loc = (IpsfLoc){otherwise == IPSF_NONE ? IPSF_NONE : file, 99, 3};
  s->first_rule = p->rule_count;
  s->rule_count = 0;
  if (axis == 1) p->axis1 = p->scale_count - 1;
  if (axis == 2) p->axis2 = p->scale_count - 1;
  return p->scale_count - 1;
}

uint32_t pb_scale_slot(const IpsfPack *p, uint32_t scale) { return p->scales[scale].slot; }

uint32_t pb_rule(IpsfPack *p, uint32_t scale, uint32_t level, uint32_t line) {
  uint32_t file = pb_str(p, PB_FILE);
  if (p->scales[scale].rule_count == 0) p->scales[scale].first_rule = p->rule_count;
  p->scales[scale].rule_count++;
  IpsfRule *r = APPEND(p->rules, p->rule_count);
  r->scale = scale;
  r->level = level;
  r->because = IPSF_NONE;
  r->loc = (IpsfLoc){file, line, 3};
  return p->rule_count - 1;
}

uint32_t pb_viewpoint(IpsfPack *p, const char *name, const char *methods) {
  uint32_t n = pb_str(p, name);
  IpsfViewpoint *v = APPEND(p->viewpoints, p->viewpoint_count);
  v->name = n;
  v->method_count = 0;
  v->methods = NULL;
  const char *s = methods;
  while (*s) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    char *m = dup_bytes(s, len);
    uint32_t str = pb_str(p, m);
    free(m);
    v = &p->viewpoints[p->viewpoint_count - 1];
    *APPEND(v->methods, v->method_count) = str;
    s += len + (comma ? 1 : 0);
  }
  return p->viewpoint_count - 1;
}

uint32_t pb_req(IpsfPack *p, const char *id, uint32_t viewpoint, uint32_t line) {
  uint32_t ids = pb_str(p, id), title = pb_str(p, "a requirement"), file = pb_str(p, PB_FILE);
  IpsfRequirement *r = APPEND(p->requirements, p->requirement_count);
  memset(r, 0, sizeof *r);
  r->id = ids;
  r->title = title;
  r->viewpoint = viewpoint;
  r->party = r->doc = r->basis = r->citation = r->confirmed_by = r->subject = IPSF_NONE;
  r->first_confirm = p->confirm_count;
  r->loc = (IpsfLoc){file, line, 1};
  return p->requirement_count - 1;
}

uint32_t pb_confirm(IpsfPack *p, uint32_t req, uint32_t method, uint32_t every_months,
                    uint32_t line) {
  uint32_t file = pb_str(p, PB_FILE);
  if (p->requirements[req].confirm_count == 0) p->requirements[req].first_confirm = p->confirm_count;
  p->requirements[req].confirm_count++;
  IpsfConfirm *c = APPEND(p->confirms, p->confirm_count);
  c->requirement = req;
  c->method = method;
  c->every_months = every_months;
  c->loc = (IpsfLoc){file, line, 3};
  return p->confirm_count - 1;
}

uint32_t pb_emit(IpsfPack *p, IpsfOpcode op, uint32_t a) {
  *APPEND(p->code, p->code_count) = IPSF_INSN(op, a);
  return p->code_count - 1;
}

void pb_set_code(IpsfPack *p, const uint32_t *words, uint32_t n) {
  free(p->code);
  p->code = malloc(n * sizeof *p->code);
  if (!p->code) abort();
  memcpy(p->code, words, n * sizeof *p->code);
  p->code_count = n;
  free(p->lines);
  p->lines = NULL;
  p->line_count = 0;
}

void pb_patch(IpsfPack *p, uint32_t jump_pc) {
  uint32_t op = IPSF_INSN_OP(p->code[jump_pc]);
  p->code[jump_pc] = IPSF_INSN(op, p->code_count - jump_pc - 1);
}

void pb_line(IpsfPack *p, uint32_t line, uint32_t col) {
  uint32_t file = pb_str(p, PB_FILE);
  IpsfLine *l = APPEND(p->lines, p->line_count);
  l->pc = p->code_count;
  l->loc = (IpsfLoc){file, line, col};
}

void pb_bytes(IpsfPack *p, uint8_t **out, size_t *len) {
  if (!ipsb_write(p, out, len)) abort();
}

IpsfPack *pb_load(IpsfPack *p, IpsfError *err) {
  uint8_t *b;
  size_t len;
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  IpsfPack *q = ipsb_read(b, len, err);
  free(b);
  return q;
}

void pb_redigest(uint8_t *bytes, size_t len) {
  crypto_hash_sha256(bytes + len - 32, bytes, len - 32);
}

uint32_t pb_slot_named(const IpsfPack *p, const char *name) {
  for (uint32_t i = 0; i < p->slot_count; i++)
    if (p->slots[i].name != IPSF_NONE && strcmp(p->strings[p->slots[i].name], name) == 0)
      return i;
  return IPSF_NONE;
}

/* if (cond already pushed) HITW rule */
static void hit_if(IpsfPack *p, uint32_t rule) {
  uint32_t j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_HITW, rule);
  pb_patch(p, j);
}

IpsfPack *pb_sample(void) {
  IpsfPack *p = pb_new("jp.example.smart-home");
  p->meta.title = pb_str(p, "Smart home devices");
  uint32_t harm = pb_enum(p, "harm", "none,minor_injury,serious_injury,death");
  uint32_t usage = pb_enum(p, "usage", "home,office,factory");
  uint32_t rec = pb_enum(p, "recovery", "limited,serious,fatal");
  uint32_t eco = pb_enum(p, "economic", "limited,significant,catastrophic");
  uint32_t radios = pb_enum(p, "radios", "wifi,ble,zigbee");

  pb_fact(p, "harm_life", pb_te(IPSF_K_ENUM, harm), pb_kenum(p, harm, 0));
  pb_fact(p, "usage", pb_te(IPSF_K_ENUM, usage), IPSF_NONE);
  pb_fact(p, "loss_jpy", pb_t(IPSF_K_INT), pb_kint(p, 0));
  pb_fact(p, "remote_control", pb_t(IPSF_K_BOOL), pb_kbool(p, false));
  pb_fact(p, "radios", pb_te(IPSF_K_SET, radios), pb_kset(p, radios, 0));
  pb_fact(p, "model", pb_t(IPSF_K_STRING), pb_kstr(p, ""));
  pb_fact(p, "score", pb_t(IPSF_K_NUMBER), pb_knum(p, 0.5));
  uint32_t lower_model = pb_slot(p, pb_t(IPSF_K_STRING), IPSF_SLOT_LET, S_LET_LOWER_MODEL);
  uint32_t score2 = pb_slot(p, pb_t(IPSF_K_NUMBER), IPSF_SLOT_LET, S_LET_SCORE2);

  uint32_t s_rec = pb_scale(p, "recovery", rec, IPSF_POLICY_WORST, 1, 0);
  pb_rule(p, s_rec, 2, 20);
  pb_rule(p, s_rec, 1, 21);
  pb_rule(p, s_rec, 2, 22);
  uint32_t s_eco = pb_scale(p, "economic", eco, IPSF_POLICY_WORST, 2, 0);
  pb_rule(p, s_eco, 2, 30);
  pb_rule(p, s_eco, 1, 31);
  pb_rule(p, s_eco, 1, 32);

  uint32_t pre = pb_viewpoint(p, "pre_operation", "self_declaration,third_party_certification");
  uint32_t inop = pb_viewpoint(p, "in_operation", "self_inspection,third_party_inspection");
  uint32_t sh01 = pb_req(p, "SH-01", pre, 40);
  pb_confirm(p, sh01, 0, 0, 41);
  pb_confirm(p, sh01, 1, 0, 42);
  uint32_t sh20 = pb_req(p, "SH-20", inop, 50);
  pb_confirm(p, sh20, 1, 12, 51);

  uint32_t f_harm = pb_fact_slot(p, S_F_HARM), f_usage = pb_fact_slot(p, S_F_USAGE);
  uint32_t f_loss = pb_fact_slot(p, S_F_LOSS), f_remote = pb_fact_slot(p, S_F_REMOTE);
  uint32_t f_radios = pb_fact_slot(p, S_F_RADIOS), f_model = pb_fact_slot(p, S_F_MODEL);
  uint32_t f_score = pb_fact_slot(p, S_F_SCORE);
  uint32_t rec_slot = pb_scale_slot(p, s_rec), eco_slot = pb_scale_slot(p, s_eco);

  pb_line(p, 15, 1); /* let lower_model = lower(model); */
  pb_emit(p, IPSF_OP_LOAD, f_model);
  pb_emit(p, IPSF_OP_LOWER, 0);
  pb_emit(p, IPSF_OP_STORE, lower_model);
  pb_line(p, 16, 1); /* let score2 = score * 2.0; */
  pb_emit(p, IPSF_OP_LOAD, f_score);
  pb_emit(p, IPSF_OP_LOADK, pb_knum(p, 2.0));
  pb_emit(p, IPSF_OP_MULN, 0);
  pb_emit(p, IPSF_OP_STORE, score2);

  pb_line(p, 20, 3); /* fatal when harm_life >= serious_injury */
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, harm, 2));
  pb_emit(p, IPSF_OP_LOAD, f_harm);
  pb_emit(p, IPSF_OP_LEE, 0);
  hit_if(p, 0);
  pb_line(p, 21, 3); /* serious when harm_life == minor_injury */
  pb_emit(p, IPSF_OP_LOAD, f_harm);
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, harm, 1));
  pb_emit(p, IPSF_OP_EQE, 0);
  hit_if(p, 1);
  pb_line(p, 22, 3); /* fatal when usage == factory and remote_control */
  pb_emit(p, IPSF_OP_LOAD, f_usage);
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, usage, 2));
  pb_emit(p, IPSF_OP_EQE, 0);
  uint32_t j = pb_emit(p, IPSF_OP_ANDJ, 0);
  pb_emit(p, IPSF_OP_LOAD, f_remote);
  pb_patch(p, j);
  hit_if(p, 2);
  pb_emit(p, IPSF_OP_SCALE, s_rec);

  pb_line(p, 30, 3); /* catastrophic when loss_jpy >= 10_000_000_000 */
  pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 10000000000));
  pb_emit(p, IPSF_OP_LOAD, f_loss);
  pb_emit(p, IPSF_OP_LEI, 0);
  hit_if(p, 3);
  pb_line(p, 31, 3); /* significant when loss_jpy >= 100_000_000 */
  pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 100000000));
  pb_emit(p, IPSF_OP_LOAD, f_loss);
  pb_emit(p, IPSF_OP_LEI, 0);
  hit_if(p, 4);
  pb_line(p, 32, 3); /* significant when count(radios) >= 2 */
  pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 2));
  pb_emit(p, IPSF_OP_LOAD, f_radios);
  pb_emit(p, IPSF_OP_COUNTM, 0);
  pb_emit(p, IPSF_OP_LEI, 0);
  hit_if(p, 5);
  pb_emit(p, IPSF_OP_SCALE, s_eco);

  pb_line(p, 40, 1); /* requirement SH-01: applies always */
  pb_emit(p, IPSF_OP_REQ, sh01);
  pb_line(p, 41, 3);
  pb_emit(p, IPSF_OP_CONFIRM, 0);
  pb_line(p, 42, 3); /* ... when recovery == fatal or economic >= significant */
  pb_emit(p, IPSF_OP_LOAD, rec_slot);
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, rec, 2));
  pb_emit(p, IPSF_OP_EQE, 0);
  j = pb_emit(p, IPSF_OP_ORJ, 0);
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, eco, 1));
  pb_emit(p, IPSF_OP_LOAD, eco_slot);
  pb_emit(p, IPSF_OP_LEE, 0);
  pb_patch(p, j);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_CONFIRM, 1);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_REQEND, sh01);

  pb_line(p, 50, 1); /* requirement SH-20: applies when recovery >= serious */
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, rec, 1));
  pb_emit(p, IPSF_OP_LOAD, rec_slot);
  pb_emit(p, IPSF_OP_LEE, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_REQ, sh20);
  pb_emit(p, IPSF_OP_CONFIRM, 2);
  pb_emit(p, IPSF_OP_REQEND, sh20);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_RET, 0);
  p->max_stack = 4;
  return p;
}

IpsfPack *pb_facts_pack(const char *name, IpsfError *err) {
  IpsfPack *p = pb_new(name);
  uint32_t eu = pb_enum(p, "usage", "home,office,hospital");
  uint32_t er = pb_enum(p, "radios", "wifi,ble,zigbee");
  pb_fact(p, "flag", pb_t(IPSF_K_BOOL), IPSF_NONE);
  pb_fact(p, "count", pb_t(IPSF_K_INT), IPSF_NONE);
  pb_fact(p, "ratio", pb_t(IPSF_K_NUMBER), IPSF_NONE);
  pb_fact(p, "model", pb_t(IPSF_K_STRING), IPSF_NONE);
  pb_fact(p, "usage", pb_te(IPSF_K_ENUM, eu), IPSF_NONE);
  pb_fact(p, "radios", pb_te(IPSF_K_SET, er), IPSF_NONE);
  uint32_t vp = pb_viewpoint(p, "pre_operation", "self_declaration,third_party_certification");
  uint32_t r = pb_req(p, "SH-01", vp, 10);
  pb_confirm(p, r, 0, 0, 11);
  pb_emit(p, IPSF_OP_RET, 0);
  return pb_load(p, err);
}

IpsfPack *pb_string_ops(IpsfOpcode op, size_t bytes, int n, bool binary) {
  IpsfPack *p = pb_new("t.strings");
  char *big = malloc(bytes + 1);
  if (!big) abort();
  memset(big, 'A', bytes);
  big[bytes] = '\0';
  uint32_t k = pb_kstr(p, big);
  free(big);
  uint32_t x = pb_slot(p, pb_t(op == IPSF_OP_LOWER ? IPSF_K_STRING : IPSF_K_BOOL),
                       IPSF_SLOT_LET, "x");
  for (int i = 0; i < n; i++) {
    pb_emit(p, IPSF_OP_LOADK, k);
    if (binary) pb_emit(p, IPSF_OP_LOADK, k);
    pb_emit(p, op, 0);
    pb_emit(p, IPSF_OP_STORE, x);
  }
  pb_emit(p, IPSF_OP_RET, 0);
  return p;
}

IpsfPack *pb_many_refs(void) {
  IpsfPack *p = pb_sample();
  char *big = malloc(100001);
  if (!big) abort();
  memset(big, 'r', 100000);
  big[100000] = '\0';
  uint32_t s = pb_str(p, big);
  free(big);
  IpsfRequirement *q = &p->requirements[S_R_SH01];
  free(q->refs);
  q->ref_count = 3000;
  q->refs = malloc(3000 * sizeof *q->refs);
  if (!q->refs) abort();
  for (int i = 0; i < 3000; i++) q->refs[i] = s;
  return p;
}
