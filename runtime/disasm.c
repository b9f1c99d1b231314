/*
 * disasm.c -- the disassembler behind `ipsfc disasm`.
 *
 * Prints a verified pack as text: metadata, the tables, then the code, one
 * instruction per line with its operand decoded from the opcode table's
 * operand kind, and the source location from the line table where a new
 * construct starts.  Strings are printed with C-style escapes so a listing
 * is always one line per item, whatever the pack contains.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "disasm.h"

static void put_str(FILE *out, const IpsfPack *p, uint32_t s) {
  if (s == IPSF_NONE) {
    fputs("-", out);
    return;
  }
  fputc('"', out);
  for (const unsigned char *c = (const unsigned char *)p->strings[s]; *c; c++) {
    if (*c == '"' || *c == '\\')
      fprintf(out, "\\%c", *c);
    else if (*c == '\n')
      fputs("\\n", out);
    else if (*c == '\t')
      fputs("\\t", out);
    else if (*c < 0x20 || *c == 0x7f)
      fprintf(out, "\\x%02x", *c);
    else
      fputc(*c, out);
  }
  fputc('"', out);
}

static const char *name_of(const IpsfPack *p, uint32_t s) {
  return s == IPSF_NONE ? "-" : p->strings[s];
}

static void put_type(FILE *out, const IpsfPack *p, IpsfType t) {
  switch (t.kind) {
  case IPSF_K_BOOL: fputs("bool", out); break;
  case IPSF_K_INT: fputs("int", out); break;
  case IPSF_K_NUMBER: fputs("number", out); break;
  case IPSF_K_STRING: fputs("string", out); break;
  case IPSF_K_ENUM: fprintf(out, "enum %s", name_of(p, p->enums[t.enum_type].name)); break;
  case IPSF_K_SET: fprintf(out, "set of %s", name_of(p, p->enums[t.enum_type].name)); break;
  default: fprintf(out, "kind%u", t.kind); break;
  }
}

static void put_value(FILE *out, const IpsfPack *p, IpsfType t, uint32_t str, IpsfValue v) {
  switch (t.kind) {
  case IPSF_K_BOOL: fputs(v.i ? "true" : "false", out); break;
  case IPSF_K_INT: fprintf(out, "%" PRId64, v.i); break;
  case IPSF_K_NUMBER: fprintf(out, "%.17g", v.n); break;
  case IPSF_K_STRING: put_str(out, p, str); break;
  case IPSF_K_ENUM: fputs(name_of(p, p->enums[t.enum_type].values[v.i]), out); break;
  case IPSF_K_SET: {
    const IpsfEnum *e = &p->enums[t.enum_type];
    fputc('{', out);
    bool first = true;
    for (uint32_t k = 0; k < e->value_count; k++)
      if (v.m >> k & 1u) {
        fprintf(out, "%s%s", first ? "" : ", ", name_of(p, e->values[k]));
        first = false;
      }
    fputc('}', out);
    break;
  }
  default: break;
  }
}

static void put_loc(FILE *out, const IpsfPack *p, IpsfLoc l) {
  fprintf(out, "%s:%u:%u", name_of(p, l.file), l.line, l.col);
}

static const char *const slot_roles[] = {"?", "fact", "let", "scale", "temp"};

/* "cvss_base(int, string) -> number" */
static void put_signature(FILE *out, const IpsfPack *p, const IpsfNative *n) {
  fprintf(out, "%s(", name_of(p, n->name));
  for (uint32_t k = 0; k < n->param_count; k++) {
    if (k) fputs(", ", out);
    put_type(out, p, (IpsfType){n->params[k], IPSF_NONE});
  }
  fputs(") -> ", out);
  put_type(out, p, (IpsfType){n->result, IPSF_NONE});
}
static const char *const policies[] = {"worst", "first", "unique"};

/* A fused instruction's packed operand: slot/constant[/jump], then what
 * each field names. */
static void put_fused(FILE *out, const IpsfPack *p, uint32_t pc, unsigned op, uint32_t a) {
  IpsfFusedFields f = ipsf_fused_fields(op, a);
  char fields[40];
  if (f.req != IPSF_NONE) { /* RC: requirement/confirm */
    /* The confirm line's method by its own requirement's viewpoint: in
     * code no path reaches, the verifier checked only the ranges, so the
     * line may belong to another requirement (fuzz_vm found this). */
    const IpsfConfirm *c = &p->confirms[f.confirm];
    const IpsfRequirement *r = &p->requirements[f.req];
    const IpsfRequirement *cr = &p->requirements[c->requirement];
    snprintf(fields, sizeof fields, "%u/%u", f.req, f.confirm);
    fprintf(out, "%-8s ; %s %s", fields, name_of(p, r->id),
            name_of(p, p->viewpoints[cr->viewpoint].methods[c->method]));
    if (c->every_months) fprintf(out, " every %u months", c->every_months);
    return;
  }
  if (f.konst == IPSF_NONE && f.jump == IPSF_NONE)
    snprintf(fields, sizeof fields, "%u", f.slot);
  else if (f.konst == IPSF_NONE)
    snprintf(fields, sizeof fields, "%u/%u", f.slot, f.jump);
  else if (f.jump == IPSF_NONE)
    snprintf(fields, sizeof fields, "%u/%u", f.slot, f.konst);
  else
    snprintf(fields, sizeof fields, "%u/%u/%u", f.slot, f.konst, f.jump);
  uint32_t act = f.rule != IPSF_NONE ? f.rule : f.confirm;
  if (act != IPSF_NONE) { /* compare-and-act: slot/constant/action */
    if (f.konst == IPSF_NONE)
      snprintf(fields, sizeof fields, "%u/%u", f.slot, act);
    else
      snprintf(fields, sizeof fields, "%u/%u/%u", f.slot, f.konst, act);
  }
  const IpsfSlot *s = &p->slots[f.slot];
  fprintf(out, "%-8s ; %s %s", fields, slot_roles[s->role <= 4 ? s->role : 0], name_of(p, s->name));
  if (f.konst != IPSF_NONE) {
    fputs(", ", out);
    put_value(out, p, p->consts[f.konst].type, p->consts[f.konst].str, p->consts[f.konst].value);
  }
  if (f.jump != IPSF_NONE) fprintf(out, " -> %u", pc + 1 + f.jump);
  if (f.rule != IPSF_NONE) {
    const IpsfRule *r = &p->rules[f.rule];
    const IpsfScale *sc = &p->scales[r->scale];
    fprintf(out, ": %s := %s at ", name_of(p, sc->name),
            name_of(p, p->enums[sc->enum_type].values[r->level]));
    put_loc(out, p, r->loc);
  }
  if (f.confirm != IPSF_NONE) {
    const IpsfConfirm *c = &p->confirms[f.confirm];
    const IpsfRequirement *r = &p->requirements[c->requirement];
    fprintf(out, ": %s %s", name_of(p, r->id),
            name_of(p, p->viewpoints[r->viewpoint].methods[c->method]));
    if (c->every_months) fprintf(out, " every %u months", c->every_months);
  }
}

static void put_operand(FILE *out, const IpsfPack *p, uint32_t pc, unsigned op, uint32_t a) {
  switch (ipsf_op_info[op].operand) {
  case IPSF_OPND_SK:
  case IPSF_OPND_SKJ:
  case IPSF_OPND_SJ:
  case IPSF_OPND_RC:
  case IPSF_OPND_SKA:
  case IPSF_OPND_SA:
  case IPSF_OPND_SL:
    put_fused(out, p, pc, op, a);
    break;
  case IPSF_OPND_NONE:
    break;
  case IPSF_OPND_CONST:
    fprintf(out, "%-8u ; ", a);
    put_type(out, p, p->consts[a].type);
    fputc(' ', out);
    put_value(out, p, p->consts[a].type, p->consts[a].str, p->consts[a].value);
    break;
  case IPSF_OPND_SLOT: {
    const IpsfSlot *s = &p->slots[a];
    fprintf(out, "%-8u ; %s %s : ", a, slot_roles[s->role <= 4 ? s->role : 0], name_of(p, s->name));
    put_type(out, p, s->type);
    break;
  }
  case IPSF_OPND_JUMP:
    fprintf(out, "%-8u ; -> %u", a, pc + 1 + a);
    break;
  case IPSF_OPND_RULE: {
    const IpsfRule *r = &p->rules[a];
    const IpsfScale *s = &p->scales[r->scale];
    fprintf(out, "%-8u ; %s := %s at ", a, name_of(p, s->name),
            name_of(p, p->enums[s->enum_type].values[r->level]));
    put_loc(out, p, r->loc);
    break;
  }
  case IPSF_OPND_SCALE:
    fprintf(out, "%-8u ; %s", a, name_of(p, p->scales[a].name));
    break;
  case IPSF_OPND_REQ:
    fprintf(out, "%-8u ; %s", a, name_of(p, p->requirements[a].id));
    break;
  case IPSF_OPND_CONFIRM: {
    const IpsfConfirm *c = &p->confirms[a];
    const IpsfRequirement *r = &p->requirements[c->requirement];
    fprintf(out, "%-8u ; %s %s", a, name_of(p, r->id),
            name_of(p, p->viewpoints[r->viewpoint].methods[c->method]));
    if (c->every_months) fprintf(out, " every %u months", c->every_months);
    break;
  }
  case IPSF_OPND_TABLE: {
    const IpsfTable *t = &p->tables[a];
    if (t->kind == IPSF_TABLE_LET)
      fprintf(out, "%-8u ; %s, %u cells over", a, name_of(p, p->slots[t->owner].name),
              t->cell_count);
    else if (t->kind == IPSF_TABLE_REQ && t->span > 1)
      fprintf(out, "%-8u ; %s..%s, %u cells over", a, name_of(p, p->requirements[t->owner].id),
              name_of(p, p->requirements[t->owner + t->span - 1].id), t->cell_count);
    else
      fprintf(out, "%-8u ; %s, %u cells over", a,
              t->kind == IPSF_TABLE_REQ ? name_of(p, p->requirements[t->owner].id)
                                        : name_of(p, p->scales[t->owner].name),
              t->cell_count);
    for (uint32_t d = 0; d < t->dim_count; d++)
      fprintf(out, "%s %s", d ? "," : "", name_of(p, p->slots[t->dims[d].slot].name));
    break;
  }
  case IPSF_OPND_NATIVE: {
    const IpsfNative *n = &p->natives[a];
    fprintf(out, "%-8u ; %s", a, name_of(p, n->symbol));
    if (n->library == IPSF_NONE) fputs(" (built-in)", out);
    else fprintf(out, " in %s", name_of(p, n->library));
    break;
  }
  }
}

/* The set bits of m below `limit` as `{0,3}` (`{}` when none). */
static void put_bits(FILE *out, uint64_t m, unsigned limit) {
  fputc('{', out);
  const char *sep = "";
  for (unsigned k = 0; k < limit; k++)
    if (m >> k & 1u) {
      fprintf(out, "%s%u", sep, k);
      sep = ",";
    }
  fputc('}', out);
}

/* One cell's entry: a let's value; a rules table's matching rules (from the
 * scale's first); per requirement of a group (`/` between them), `-` when
 * it does not apply, else its matching confirm lines (from its first). */
static void put_cell_mask(FILE *out, const IpsfTable *t, uint64_t m) {
  if (t->kind == IPSF_TABLE_LET)
    fprintf(out, "%" PRIu64, m);
  else if (t->kind == IPSF_TABLE_REQ && !(m & IPSF_TABLE_APPLIES))
    fputc('-', out);
  else
    put_bits(out, m, t->kind == IPSF_TABLE_REQ ? 63u : 64u);
}

/* Decision tables (only for packs that have some): each dim as `slot:
 * bool`, `slot: enum classes c0 c1 ...` (the class of each value) or
 * `slot: int thresholds t1 t2 ...`, then each cell (put_cell_mask), in
 * cell order. */
static void put_tables(FILE *out, const IpsfPack *p) {
  if (p->table_count) fprintf(out, "\ntables (%u)\n", p->table_count);
  for (uint32_t i = 0; i < p->table_count; i++) {
    const IpsfTable *t = &p->tables[i];
    if (t->kind == IPSF_TABLE_LET)
      fprintf(out, "  %4u let %s, %u cells\n", i, name_of(p, p->slots[t->owner].name),
              t->cell_count);
    else if (t->kind == IPSF_TABLE_REQ)
      fprintf(out, "  %4u requirements %s..%s, %u cells\n", i,
              name_of(p, p->requirements[t->owner].id),
              name_of(p, p->requirements[t->owner + t->span - 1].id), t->cell_count);
    else
      fprintf(out, "  %4u scale %s, %u cells\n", i, name_of(p, p->scales[t->owner].name),
              t->cell_count);
    for (uint32_t d = 0; d < t->dim_count; d++) {
      const IpsfTableDim *dm = &t->dims[d];
      fprintf(out, "         dim slot %u %s stride %u: ", dm->slot, name_of(p, p->slots[dm->slot].name),
              dm->stride);
      if (dm->kind == IPSF_DIM_BOOL) fputs("bool", out);
      if (dm->kind == IPSF_DIM_ENUM) {
        fputs("enum classes", out);
        for (uint32_t k = 0; k < dm->map_count; k++) fprintf(out, " %u", dm->map[k]);
      }
      if (dm->kind == IPSF_DIM_INT) {
        fputs("int thresholds", out);
        for (uint32_t k = 0; k < dm->threshold_count; k++) fprintf(out, " %" PRId64, dm->thresholds[k]);
      }
      fputc('\n', out);
    }
    fputs("         cells", out);
    for (uint32_t c = 0; c < t->mask_count; c++) {
      fputs(c % t->span ? "/" : " ", out);
      put_cell_mask(out, t, t->masks[c]);
    }
    fputc('\n', out);
  }
}

void ipsf_disasm(const IpsfPack *p, FILE *out) {
  fprintf(out, "; ipsb format %u, digest ", IPSB_FORMAT_VERSION);
  for (int i = 0; i < 32; i++) fprintf(out, "%02x", p->digest[i]);
  fputc('\n', out);
  fputs("pack\n", out);
#define SHOW_META(field, from_entry)                                                     \
  if (p->meta.field != IPSF_NONE) {                                                      \
    fprintf(out, "  %-12s ", #field);                                                    \
    put_str(out, p, p->meta.field);                                                      \
    fputc('\n', out);                                                                    \
  }
  IPSF_META(SHOW_META)
#undef SHOW_META
  fprintf(out, "  axis 1       %s\n  axis 2       %s\n",
          p->axis1 == IPSF_NONE ? "-" : name_of(p, p->scales[p->axis1].name),
          p->axis2 == IPSF_NONE ? "-" : name_of(p, p->scales[p->axis2].name));

  fprintf(out, "\nstrings (%u)\n", p->string_count);
  for (uint32_t i = 0; i < p->string_count; i++) {
    fprintf(out, "  %4u ", i);
    put_str(out, p, i);
    fputc('\n', out);
  }
  fprintf(out, "\nenums (%u)\n", p->enum_count);
  for (uint32_t i = 0; i < p->enum_count; i++) {
    fprintf(out, "  %4u %s {", i, name_of(p, p->enums[i].name));
    for (uint32_t k = 0; k < p->enums[i].value_count; k++)
      fprintf(out, "%s%s", k ? ", " : " ", name_of(p, p->enums[i].values[k]));
    fputs(" }\n", out);
  }
  fprintf(out, "\nconstants (%u)\n", p->const_count);
  for (uint32_t i = 0; i < p->const_count; i++) {
    fprintf(out, "  %4u ", i);
    put_type(out, p, p->consts[i].type);
    fputc(' ', out);
    put_value(out, p, p->consts[i].type, p->consts[i].str, p->consts[i].value);
    fputc('\n', out);
  }
  fprintf(out, "\nslots (%u)\n", p->slot_count);
  for (uint32_t i = 0; i < p->slot_count; i++) {
    const IpsfSlot *s = &p->slots[i];
    fprintf(out, "  %4u %-5s %s : ", i, slot_roles[s->role <= 4 ? s->role : 0], name_of(p, s->name));
    put_type(out, p, s->type);
    fputc('\n', out);
  }
  fprintf(out, "\nfacts (%u)\n", p->fact_count);
  for (uint32_t i = 0; i < p->fact_count; i++) {
    const IpsfFact *f = &p->facts[i];
    fprintf(out, "  %4u %s : ", i, name_of(p, f->name));
    put_type(out, p, f->type);
    fprintf(out, " slot %u", f->slot);
    if (f->default_const == IPSF_NONE) {
      fputs(" required", out);
    } else {
      const IpsfConst *c = &p->consts[f->default_const];
      fputs(" = ", out);
      put_value(out, p, c->type, c->str, c->value);
    }
    fputc('\n', out);
  }
  fprintf(out, "\nscales (%u)\n", p->scale_count);
  for (uint32_t i = 0; i < p->scale_count; i++) {
    const IpsfScale *s = &p->scales[i];
    fprintf(out, "  %4u %s : enum %s, policy %s, slot %u, rules %u..%u", i, name_of(p, s->name),
            name_of(p, p->enums[s->enum_type].name), policies[s->policy <= 2 ? s->policy : 0],
            s->slot, s->first_rule, s->first_rule + s->rule_count);
    if (s->axis) fprintf(out, ", axis %u", s->axis);
    if (s->otherwise != IPSF_NONE) {
      fprintf(out, ", otherwise %s at ", name_of(p, p->enums[s->enum_type].values[s->otherwise]));
      put_loc(out, p, s->otherwise_loc);
    }
    fputc('\n', out);
  }
  fprintf(out, "\nrules (%u)\n", p->rule_count);
  for (uint32_t i = 0; i < p->rule_count; i++) {
    const IpsfRule *r = &p->rules[i];
    const IpsfScale *s = &p->scales[r->scale];
    fprintf(out, "  %4u %s := %s at ", i, name_of(p, s->name),
            name_of(p, p->enums[s->enum_type].values[r->level]));
    put_loc(out, p, r->loc);
    if (r->because != IPSF_NONE) {
      fputs(" because ", out);
      put_str(out, p, r->because);
    }
    fputc('\n', out);
  }
  fprintf(out, "\nviewpoints (%u)\n", p->viewpoint_count);
  for (uint32_t i = 0; i < p->viewpoint_count; i++) {
    fprintf(out, "  %4u %s {", i, name_of(p, p->viewpoints[i].name));
    for (uint32_t k = 0; k < p->viewpoints[i].method_count; k++)
      fprintf(out, "%s%s", k ? " < " : " ", name_of(p, p->viewpoints[i].methods[k]));
    fputs(" }\n", out);
  }
  fprintf(out, "\nrequirements (%u)\n", p->requirement_count);
  for (uint32_t i = 0; i < p->requirement_count; i++) {
    const IpsfRequirement *r = &p->requirements[i];
    fprintf(out, "  %4u %s ", i, name_of(p, r->id));
    put_str(out, p, r->title);
    fprintf(out, " viewpoint %s, confirms %u..%u at ", name_of(p, p->viewpoints[r->viewpoint].name),
            r->first_confirm, r->first_confirm + r->confirm_count);
    put_loc(out, p, r->loc);
    for (uint32_t k = 0; k < r->ref_count; k++) {
      fputs(" ref ", out);
      put_str(out, p, r->refs[k]);
    }
    if (r->party != IPSF_NONE) fprintf(out, " party %s", name_of(p, r->party));
    fputc('\n', out);
  }
  fprintf(out, "\nconfirms (%u)\n", p->confirm_count);
  for (uint32_t i = 0; i < p->confirm_count; i++) {
    const IpsfConfirm *c = &p->confirms[i];
    const IpsfRequirement *r = &p->requirements[c->requirement];
    fprintf(out, "  %4u %s %s", i, name_of(p, r->id),
            name_of(p, p->viewpoints[r->viewpoint].methods[c->method]));
    if (c->every_months) fprintf(out, " every %u months", c->every_months);
    fputs(" at ", out);
    put_loc(out, p, c->loc);
    fputc('\n', out);
  }

  /* compensated_by (only for packs that have some, so other listings keep
   * their bytes) */
  if (p->compensation_count) fprintf(out, "\ncompensations (%u)\n", p->compensation_count);
  for (uint32_t i = 0; i < p->compensation_count; i++) {
    const IpsfCompensation *c = &p->compensations[i];
    bool ok = c->requirement < p->requirement_count && c->by < p->requirement_count;
    fprintf(out, "  %4u %s by %s", i, ok ? name_of(p, p->requirements[c->requirement].id) : "?",
            ok ? name_of(p, p->requirements[c->by].id) : "?");
    if (c->until != IPSF_NONE) fprintf(out, " until %s", name_of(p, c->until));
    if (c->months) fprintf(out, " for %u months", c->months);
    fputc('\n', out);
  }

  if (p->native_count) fprintf(out, "\nnatives (%u)\n", p->native_count);
  for (uint32_t i = 0; i < p->native_count; i++) {
    const IpsfNative *n = &p->natives[i];
    fprintf(out, "  %4u ", i);
    put_signature(out, p, n);
    if (n->library == IPSF_NONE) {
      fputs(" = built-in\n", out);
    } else {
      fputs(" = symbol ", out);
      put_str(out, p, n->symbol);
      fputs(" of ", out);
      put_str(out, p, n->library);
      fputc('\n', out);
    }
  }

  /* usage profiles: `fact = value` (sets) and `fact in {...}` (allows) */
  if (p->profile_count) fprintf(out, "\nprofiles (%u)\n", p->profile_count);
  for (uint32_t i = 0; i < p->profile_count; i++) {
    const IpsfProfile *pr = &p->profiles[i];
    fprintf(out, "  %4u %s ", i, name_of(p, pr->name));
    put_str(out, p, pr->title);
    fprintf(out, " items %u..%u", pr->first_item, pr->first_item + pr->item_count);
    if (pr->doc != IPSF_NONE) {
      fputs(" doc ", out);
      put_str(out, p, pr->doc);
    }
    fputc('\n', out);
    for (uint32_t k = 0; k < pr->item_count; k++) {
      const IpsfProfileItem *it = &p->profile_items[pr->first_item + k];
      const IpsfConst *c = &p->consts[it->value];
      fprintf(out, "         %s %s ", name_of(p, p->facts[it->fact].name),
              it->kind == IPSF_PROFILE_SETS ? "=" : "in");
      put_value(out, p, c->type, c->str, c->value);
      fputc('\n', out);
    }
  }

  put_tables(out, p);

  fprintf(out, "\ncode (%u instructions, max_stack %u)\n", p->code_count, p->max_stack);
  uint32_t line = 0;
  for (uint32_t pc = 0; pc < p->code_count; pc++) {
    if (line < p->line_count && p->lines[line].pc == pc) {
      fputs("      ; ", out);
      put_loc(out, p, p->lines[line].loc);
      fputc('\n', out);
      line++;
    }
    uint32_t w = p->code[pc];
    unsigned op = IPSF_INSN_OP(w);
    uint32_t a = IPSF_INSN_A(w);
    if (op >= IPSF_OP__COUNT) {
      fprintf(out, "  %4u  .word 0x%08x\n", pc, w);
      continue;
    }
    if (ipsf_op_info[op].operand == IPSF_OPND_NONE) {
      fprintf(out, "  %4u  %s", pc, ipsf_op_info[op].name);
    } else {
      /* names longer than the column (the fused HITW_GEEK...) keep a space */
      fprintf(out, "  %4u  %-9s%s", pc, ipsf_op_info[op].name,
              strlen(ipsf_op_info[op].name) >= 9 ? " " : "");
      put_operand(out, p, pc, op, a);
    }
    fputc('\n', out);
  }
}
