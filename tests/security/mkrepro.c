/*
 * mkrepro.c -- write the reproducers of issue 10's findings 1, 2 and 4 as
 * .ipsb files, for tests/security/run.sh to feed to `ipsfc eval`.
 *
 * Each is what an attacker would write: a pack the compiler never emits,
 * serialised with a correct digest.  They are built from the unit tests'
 * pack_builder rather than kept as binary fixtures, so they follow the
 * format if it ever changes.
 *
 *   mkrepro DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack_builder.h"

static void save(IpsfPack *p, const char *dir, const char *name) {
  uint8_t *b;
  size_t len;
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.ipsb", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
    perror(path);
    exit(1);
  }
  free(b);
}



/* n viewpoints and n requirements, each requirement applying: the record
 * writer used to ask every requirement for every viewpoint. */
static IpsfPack *wide(uint32_t n) {
  IpsfPack *p = pb_new("repro.wide");
  uint32_t vname = pb_str(p, "v"), m = pb_str(p, "self_declaration"), id = pb_str(p, "R");
  p->viewpoints = calloc(n, sizeof *p->viewpoints);
  p->requirements = calloc(n, sizeof *p->requirements);
  p->confirms = calloc(n, sizeof *p->confirms);
  p->code = malloc((3 * (size_t)n + 1) * sizeof *p->code);
  for (uint32_t i = 0; i < n; i++) {
    p->viewpoints[i] = (IpsfViewpoint){vname, 1, malloc(sizeof(uint32_t))};
    p->viewpoints[i].methods[0] = m;
    IpsfRequirement *r = &p->requirements[i];
    r->id = r->title = id;
    r->viewpoint = i;
    r->party = r->doc = IPSF_NONE;
    r->first_confirm = i;
    r->confirm_count = 1;
    r->loc = (IpsfLoc){IPSF_NONE, 1, 1};
    p->confirms[i] = (IpsfConfirm){i, 0, 0, {IPSF_NONE, 1, 1}};
    p->code[3 * i] = I(REQ, i);
    p->code[3 * i + 1] = I(CONFIRM, i);
    p->code[3 * i + 2] = I(REQEND, i);
  }
  p->viewpoint_count = p->requirement_count = p->confirm_count = n;
  p->code[3 * (size_t)n] = I(RET, 0);
  p->code_count = 3 * n + 1;
  return p;
}


int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: mkrepro DIR\n");
    return 2;
  }
  const char *dir = argv[1];
  IpsfPack *p = pb_sample(); /* finding 1: HITU after its scale's SCALE */
  p->scales[S_S_RECOVERY].policy = IPSF_POLICY_UNIQUE;
  CODE(p, I(SCALE, 0), I(HITU, 0), I(SCALE, 1), I(RET, 0));
  save(p, dir, "f1-hitu-after-scale");
  p = pb_sample(); /* finding 2: a JUMP over a SCALE */
  CODE(p, I(JUMP, 1), I(SCALE, 0), I(SCALE, 1), I(RET, 0));
  save(p, dir, "f2-jump-over-scale");
  p = pb_sample(); /* finding 2: a HITW after its scale's SCALE */
  CODE(p, I(SCALE, 1), I(HITW, 3), I(SCALE, 0), I(RET, 0));
  save(p, dir, "f2-hitw-after-scale");
  save(pb_string_ops(IPSF_OP_LOWER, 1u << 20, 1000, false), dir, "f4-lower");
  save(pb_string_ops(IPSF_OP_EQS, 16u << 20, 10, true), dir, "f4-eqs");
  save(wide(100000), dir, "f4-wide");
  save(pb_many_refs(), dir, "f4-refs");
  return 0;
}
