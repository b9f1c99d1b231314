/*
 * seeds.c -- hand-crafted edge-case packs for fuzz_ipsb's corpus
 * (tests/fuzz/corpus/ipsb/edge-*.ipsb), built with the unit tests' pack
 * builder and written with the real .ipsb writer, digest included, as an
 * attacker would.  `make fuzz-seeds` rebuilds them; the files are
 * committed.
 *
 *   seeds OUTDIR UNIQUE.ipsb
 *
 * UNIQUE.ipsb is tests/golden/lang/policy-unique/pack.ipsf compiled: the
 * first seed is issue 10's finding 1 made from it (its code rewritten to
 * `SCALE 0; HITU 0; SCALE 1; RET`).  The others break one rule each of the
 * evaluation protocol the verifier proves (verify.c's header), or sit at a
 * limit; "reject-" seeds must be refused by the verifier, "accept-" seeds
 * loaded.  A seed only has to be a good starting point for mutation: the
 * oracle is the sanitizers, as for every fuzz_ipsb input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack_builder.h"

static const char *outdir;

static void write_bytes(const char *name, const uint8_t *b, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/edge-%s.ipsb", outdir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "seeds: cannot write %s\n", path);
    exit(1);
  }
}

/* Serialise, write, and report what today's loader says of it. */
static void seed(const char *name, IpsfPack *p) {
  uint8_t *b;
  size_t len;
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  write_bytes(name, b, len);
  IpsfError err;
  IpsfPack *q = ipsf_pack_load(b, len, &err);
  printf("%-40s %6zu bytes  %s%s\n", name, len, q ? "loads" : "refused: ",
         q ? "" : err.message);
  ipsf_pack_free(q);
  free(b);
}


/* Two axes (worst, otherwise limited) with one rule each; facts a (bool),
 * n (int), s (string); one requirement R with two confirms. */
typedef struct {
  IpsfPack *p;
  uint32_t s0, s1, r0, r1, fa, fn, fs, req, c0, c1, k_true, let;
} Base;

static Base base(IpsfPolicy policy0) {
  Base b;
  IpsfPack *p = b.p = pb_new("fuzz.edge");
  uint32_t e0 = pb_enum(p, "recovery", "limited,serious,fatal");
  uint32_t e1 = pb_enum(p, "economic", "limited,significant,catastrophic");
  b.s0 = pb_scale(p, "recovery", e0, policy0, 1, 0);
  b.r0 = pb_rule(p, b.s0, 2, 10);
  b.s1 = pb_scale(p, "economic", e1, IPSF_POLICY_WORST, 2, 0);
  b.r1 = pb_rule(p, b.s1, 2, 20);
  b.fa = pb_fact_slot(p, pb_fact(p, "a", pb_t(IPSF_K_BOOL), pb_kbool(p, true)));
  b.fn = pb_fact_slot(p, pb_fact(p, "n", pb_t(IPSF_K_INT), pb_kint(p, 3)));
  b.fs = pb_fact_slot(p, pb_fact(p, "s", pb_t(IPSF_K_STRING), pb_kstr(p, "Abc")));
  uint32_t vp = pb_viewpoint(p, "pre_operation", "self_declaration,third_party_certification");
  b.req = pb_req(p, "R-01", vp, 30);
  b.c0 = pb_confirm(p, b.req, 0, 0, 31);
  b.c1 = pb_confirm(p, b.req, 1, 12, 32);
  b.k_true = pb_kbool(p, true);
  b.let = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "flag");
  return b;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: seeds OUTDIR UNIQUE.ipsb\n");
    return 2;
  }
  outdir = argv[1];

  /* finding 1: the compiled policy-unique pack, code rewritten */
  uint8_t *bytes;
  size_t len;
  IpsfError err;
  if (!ipsb_read_file(argv[2], &bytes, &len, &err)) {
    fprintf(stderr, "seeds: %s\n", err.message);
    return 1;
  }
  IpsfPack *u = ipsb_read(bytes, len, &err);
  free(bytes);
  if (!u) {
    fprintf(stderr, "seeds: %s: %s\n", argv[2], err.message);
    return 1;
  }
  const uint32_t f1[] = {I(SCALE, 0), I(HITU, 0), I(SCALE, 1), I(RET, 0)};
  pb_set_code(u, f1, 4);
  seed("reject-finding1-hitu-after-scale-compiled", u);

  Base b = base(IPSF_POLICY_UNIQUE);
  CODE(b.p, I(SCALE, b.s0), I(HITU, b.r0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-finding1-hitu-after-scale", b.p);

  /* finding 2: a JUMP over a SCALE; a HITW after its scale's SCALE */
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(JUMP, 1), I(SCALE, b.s0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-finding2-jump-over-scale", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(LOAD, b.fa), I(JUMPF, 1), I(SCALE, b.s0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-finding2-jumpf-over-scale", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(HITW, b.r1), I(RET, 0));
  seed("reject-finding2-hitw-after-scale", b.p);
  b = base(IPSF_POLICY_FIRST);
  CODE(b.p, I(SCALE, b.s0), I(HITF, b.r0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-hitf-after-scale", b.p);

  /* the rest of the scale protocol */
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-scale-twice", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(RET, 0));
  seed("reject-scale-unsettled-at-ret", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(LOAD, b.fa), I(JUMPF, 1), I(RET, 0), I(SCALE, b.s0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-early-ret-before-scales", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(LOAD, b.p->scales[b.s0].slot), I(LOADK, 0), I(EQE, 0), I(POP, 0), I(SCALE, b.s0),
       I(SCALE, b.s1), I(RET, 0));
  /* const 0 is the 'a' default (bool): make an enum constant to compare */
  {
    uint32_t k = pb_kenum(b.p, b.p->scales[b.s0].enum_type, 1);
    b.p->code[1] = I(LOADK, k);
  }
  seed("reject-load-scale-before-settle", b.p);

  /* requirements */
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(REQ, b.req), I(CONFIRM, b.c0), I(RET, 0));
  seed("reject-req-open-at-ret", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(CONFIRM, b.c0), I(RET, 0));
  seed("reject-confirm-outside-req", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(REQEND, b.req), I(RET, 0));
  seed("reject-reqend-without-req", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(REQ, b.req), I(REQ, b.req), I(CONFIRM, b.c0),
       I(REQEND, b.req), I(RET, 0));
  seed("reject-req-nested", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(REQ, b.req), I(CONFIRM, b.c0), I(REQEND, b.req),
       I(REQ, b.req), I(CONFIRM, b.c1), I(REQEND, b.req), I(RET, 0));
  seed("reject-req-entered-twice", b.p);
  {
    b = base(IPSF_POLICY_WORST);
    uint32_t vp = b.p->requirements[b.req].viewpoint;
    uint32_t q2 = pb_req(b.p, "R-02", vp, 40);
    uint32_t c2 = pb_confirm(b.p, q2, 0, 0, 41);
    CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(REQ, b.req), I(CONFIRM, c2), I(REQEND, b.req),
         I(REQ, q2), I(CONFIRM, c2), I(REQEND, q2), I(RET, 0));
    seed("reject-confirm-of-another-req", b.p);
  }
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(LOAD, b.fa), I(JUMPF, 1), I(REQ, b.req),
       I(CONFIRM, b.c0), I(REQEND, b.req), I(RET, 0));
  seed("reject-req-on-one-path-reqend-on-all", b.p);

  /* lets and temps read before they are written */
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(LOAD, b.let), I(POP, 0), I(SCALE, b.s0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-let-read-before-store", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(LOAD, b.fa), I(JUMPF, 2), I(LOADK, b.k_true), I(STORE, b.let), I(LOAD, b.let),
       I(POP, 0), I(SCALE, b.s0), I(SCALE, b.s1), I(RET, 0));
  seed("reject-let-stored-on-one-path", b.p);

  /* valid ones at the edges: every protocol element, guarded */
  b = base(IPSF_POLICY_UNIQUE);
  CODE(b.p, I(LOAD, b.fa), I(JUMPF, 1), I(HITU, b.r0), I(SCALE, b.s0), I(LOADK, b.k_true),
       I(STORE, b.let), I(LOAD, b.let), I(JUMPF, 1), I(HITW, b.r1), I(SCALE, b.s1),
       I(LOAD, b.fa), I(JUMPF, 6), I(REQ, b.req), I(CONFIRM, b.c0), I(LOAD, b.let),
       I(JUMPF, 1), I(CONFIRM, b.c1), I(REQEND, b.req), I(RET, 0));
  seed("accept-full-protocol", b.p);
  b = base(IPSF_POLICY_WORST);
  CODE(b.p, I(SCALE, b.s1), I(SCALE, b.s0), I(LOAD, b.fa), I(JUMPF, 1), I(RET, 0), I(REQ, b.req),
       I(CONFIRM, b.c1), I(REQEND, b.req), I(RET, 0));
  seed("accept-early-ret-after-scales", b.p);

  /* cost: LOWER over a large constant, again and again; EQS of two large
   * constants; many refs to one large string (issue 10, finding 4) */
  {
    b = base(IPSF_POLICY_WORST);
    char *big = malloc(16385);
    if (!big) abort();
    memset(big, 'A', 16384);
    big[16384] = '\0';
    uint32_t kb = pb_kstr(b.p, big);
    big[0] = 'B';
    uint32_t kb2 = pb_kstr(b.p, big);
    free(big);
    uint32_t code[1200], n = 0;
    code[n++] = I(LOADK, kb);
    for (int k = 0; k < 200; k++) code[n++] = I(LOWER, 0);
    code[n++] = I(LOADK, kb2);
    code[n++] = I(EQS, 0);
    code[n++] = I(POP, 0);
    for (int k = 0; k < 150; k++) {
      code[n++] = I(LOADK, kb);
      code[n++] = I(LOADK, kb2);
      code[n++] = I(EQS, 0);
      code[n++] = I(POP, 0);
    }
    code[n++] = I(SCALE, b.s0);
    code[n++] = I(SCALE, b.s1);
    code[n++] = I(RET, 0);
    pb_set_code(b.p, code, n);
    seed("cost-lower-and-eqs-on-large-strings", b.p);
  }
  {
    b = base(IPSF_POLICY_WORST);
    char *big = malloc(4097);
    if (!big) abort();
    memset(big, 'r', 4096);
    big[4096] = '\0';
    uint32_t ref = pb_str(b.p, big);
    free(big);
    IpsfRequirement *r = &b.p->requirements[b.req];
    r->ref_count = 3000;
    r->refs = malloc(3000 * sizeof *r->refs);
    if (!r->refs) abort();
    for (int k = 0; k < 3000; k++) r->refs[k] = ref;
    CODE(b.p, I(SCALE, b.s0), I(SCALE, b.s1), I(REQ, b.req), I(CONFIRM, b.c0), I(REQEND, b.req),
         I(RET, 0));
    seed("cost-many-refs-to-one-string", b.p);
  }
  {
    /* the deepest stack the format allows, every cell used */
    b = base(IPSF_POLICY_WORST);
    b.p->max_stack = IPSF_MAX_STACK;
    uint32_t code[600], n = 0;
    for (uint32_t k = 0; k < IPSF_MAX_STACK; k++) code[n++] = I(LOAD, b.fn);
    for (uint32_t k = 1; k < IPSF_MAX_STACK; k++) code[n++] = I(ADDI, 0);
    code[n++] = I(STORE, pb_slot(b.p, pb_t(IPSF_K_INT), IPSF_SLOT_LET, "sum"));
    code[n++] = I(SCALE, b.s0);
    code[n++] = I(SCALE, b.s1);
    code[n++] = I(RET, 0);
    pb_set_code(b.p, code, n);
    seed("accept-max-stack", b.p);
  }
  {
    /* a 64-value enum: a full set mask */
    IpsfPack *p = pb_new("fuzz.edge64");
    char values[64 * 5] = "";
    for (int k = 0; k < 64; k++)
      snprintf(values + strlen(values), sizeof values - strlen(values), "%sv%d", k ? "," : "", k);
    uint32_t e = pb_enum(p, "wide", values);
    uint32_t lv = pb_enum(p, "recovery", "limited,fatal");
    uint32_t s0 = pb_scale(p, "recovery", lv, IPSF_POLICY_WORST, 1, 0);
    uint32_t r0 = pb_rule(p, s0, 1, 10);
    uint32_t fs = pb_fact_slot(p, pb_fact(p, "all", pb_te(IPSF_K_SET, e), pb_kset(p, e, ~UINT64_C(0))));
    uint32_t fe = pb_fact_slot(p, pb_fact(p, "one", pb_te(IPSF_K_ENUM, e), pb_kenum(p, e, 63)));
    const uint32_t code[] = {I(LOAD, fe), I(LOAD, fs), I(INM, 0), I(JUMPF, 1), I(HITW, r0),
                             I(LOAD, fs), I(COUNTM, 0), I(POP, 0), I(SCALE, s0), I(RET, 0)};
    pb_set_code(p, code, sizeof code / sizeof code[0]);
    /* COUNTM pushes an int: POP drops only bools, so store it instead */
    p->code[7] = I(STORE, pb_slot(p, pb_t(IPSF_K_INT), IPSF_SLOT_LET, "n"));
    seed("accept-64-value-set", p);
  }
  return 0;
}
