/*
 * test_ipsb.c -- the .ipsb format: round trips, determinism, files, the
 * public pack accessors, the disassembler, and a corruption run (thousands
 * of random mutations of a valid file must each be rejected or evaluate
 * without crashing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "disasm.h"
#include "eval.h"
#include "pack_builder.h"

static void sample_bytes(uint8_t **b, size_t *len) {
  IpsfPack *p = pb_sample();
  pb_bytes(p, b, len);
  ipsf_pack_free(p);
}

Test(ipsb, round_trip_is_byte_identical) {
  uint8_t *b1, *b2;
  size_t l1, l2;
  sample_bytes(&b1, &l1);
  IpsfError err = {0};
  IpsfPack *p = ipsb_read(b1, l1, &err);
  cr_assert(p, "%s", err.message);
  cr_assert(memcmp(ipsf_pack_digest(p), b1 + l1 - 32, 32) == 0);
  cr_assert(ipsb_write(p, &b2, &l2));
  cr_assert_eq(l1, l2);
  cr_assert(memcmp(b1, b2, l1) == 0, "re-written bytes differ");
  /* and a third generation, from the re-read pack */
  IpsfPack *p2 = ipsb_read(b2, l2, &err);
  cr_assert(p2, "%s", err.message);
  uint8_t *b3;
  size_t l3;
  cr_assert(ipsb_write(p2, &b3, &l3));
  cr_assert(l3 == l1 && memcmp(b1, b3, l1) == 0);
  free(b1);
  free(b2);
  free(b3);
  ipsf_pack_free(p);
  ipsf_pack_free(p2);
}

Test(ipsb, deterministic_and_digest) {
  uint8_t *b1, *b2;
  size_t l1, l2;
  IpsfPack *p = pb_sample();
  pb_bytes(p, &b1, &l1);
  pb_bytes(p, &b2, &l2);
  cr_assert(l1 == l2 && memcmp(b1, b2, l1) == 0);
  cr_assert(memcmp(p->digest, b1 + l1 - 32, 32) == 0, "ipsb_write fills pack->digest");
  cr_assert(memcmp(b1, "\x89IPSB\r\n\x1a", 8) == 0);
  cr_assert_eq(b1[8], IPSB_FORMAT_VERSION);
  cr_assert_eq(b1[9] | b1[10] | b1[11], 0);
  /* a different pack, a different digest */
  p->meta.version = pb_str(p, "1.0.1");
  uint8_t *b3;
  size_t l3;
  pb_bytes(p, &b3, &l3);
  cr_assert(memcmp(b1 + l1 - 32, b3 + l3 - 32, 32) != 0);
  free(b1);
  free(b2);
  free(b3);
  ipsf_pack_free(p);
}

Test(ipsb, accessors) {
  uint8_t *b;
  size_t len;
  sample_bytes(&b, &len);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(b, len, &err);
  free(b); /* the pack keeps nothing of the bytes */
  cr_assert(p, "%s", err.message);
  cr_assert_str_eq(ipsf_pack_name(p), "jp.example.smart-home");
  cr_assert_str_eq(ipsf_pack_version(p), "1.0.0");
  cr_assert_eq(ipsf_pack_axis(p, 1), S_S_RECOVERY);
  cr_assert_eq(ipsf_pack_axis(p, 2), S_S_ECONOMIC);
  cr_assert_eq(ipsf_pack_axis(p, 3), UINT32_MAX);
  cr_assert_eq(ipsf_fact_index(p, "harm_life"), S_F_HARM);
  cr_assert_eq(ipsf_fact_index(p, "usage"), S_F_USAGE);
  cr_assert_eq(ipsf_fact_index(p, "score"), S_F_SCORE);
  cr_assert_eq(ipsf_fact_index(p, "scor"), UINT32_MAX);
  cr_assert_eq(ipsf_fact_index(p, ""), UINT32_MAX);
  cr_assert_eq(ipsf_pack_find_fact(p, "usage_x", 5), S_F_USAGE);
  /* string constants are linked */
  for (uint32_t i = 0; i < p->const_count; i++)
    if (p->consts[i].type.kind == IPSF_K_STRING) cr_assert(p->consts[i].value.s);
  ipsf_pack_free(p);
}

Test(ipsb, many_facts_hash) {
  IpsfPack *p = pb_new("t");
  char name[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "fact_%d", i);
    pb_fact(p, name, pb_t(IPSF_K_INT), pb_kint(p, i));
  }
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "fact_%d", i);
    cr_assert_eq(ipsf_fact_index(q, name), (uint32_t)i);
  }
  cr_assert_eq(ipsf_fact_index(q, "fact_1000"), UINT32_MAX);
  ipsf_pack_free(q);
}

Test(ipsb, load_file) {
  uint8_t *b;
  size_t len;
  sample_bytes(&b, &len);
  char path[] = "/tmp/ipsb_test_XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, b, len), (ssize_t)len);
  close(fd);
  IpsfError err = {0};
  IpsfPack *p = ipsf_pack_load_file(path, &err);
  cr_assert(p, "%s", err.message);
  cr_assert(memcmp(ipsf_pack_digest(p), b + len - 32, 32) == 0);
  ipsf_pack_free(p);
  /* a truncated file */
  FILE *f = fopen(path, "wb");
  fwrite(b, 1, len / 2, f);
  fclose(f);
  cr_assert_null(ipsf_pack_load_file(path, &err));
  cr_assert_eq(err.kind, IPSF_ERR_BYTECODE);
  cr_assert(strstr(err.message, "truncated file"), "%s", err.message);
  unlink(path);
  cr_assert_null(ipsf_pack_load_file(path, &err));
  cr_assert_eq(err.kind, IPSF_ERR_IO);
  cr_assert(strstr(err.message, "cannot open"), "%s", err.message);
  free(b);
}

Test(ipsb, disasm) {
  uint8_t *b;
  size_t len;
  sample_bytes(&b, &len);
  IpsfError err;
  IpsfPack *p = ipsb_read(b, len, &err);
  cr_assert(p, "%s", err.message);
  char *text = NULL;
  size_t tlen = 0;
  FILE *out = open_memstream(&text, &tlen);
  ipsf_disasm(p, out);
  fclose(out);
  const char *want[] = {
      "name         \"jp.example.smart-home\"",
      "axis 1       recovery",
      "usage : enum usage slot 1 required",
      "loss_jpy : int slot 2 = 0",
      "recovery : enum recovery, policy worst, slot",
      "recovery := fatal at test.ipsf:20:3",
      "SH-20 third_party_inspection every 12 months",
      "; test.ipsf:22:3",
      "LOADK    ",
      "; int 10000000000",
      "; enum usage factory",
      "LOAD     ",
      "; fact usage : enum usage",
      "HITW     0        ; recovery := fatal at test.ipsf:20:3",
      "SCALE    0        ; recovery",
      "CONFIRM  1        ; SH-01 third_party_certification",
      "REQEND   1        ; SH-20",
      "JUMPF    1        ; -> ",
      "RET",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    cr_expect(strstr(text, want[i]), "listing lacks '%s':\n%s", want[i], text);
  free(text);
  free(b);
  ipsf_pack_free(p);
}

/* ---- corruption --------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void) { /* xorshift64*: fixed seed, same run every time */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}

/* Set facts by name with whatever setter fits (errors are fine), run, and
 * disassemble: none of it may crash. */
static void exercise(IpsfPack *p, FILE *sink) {
  IpsfEval *ev = ipsf_eval_new(p);
  cr_assert(ev);
  IpsfError err;
  for (int round = 0; round < 2; round++) {
    ipsf_eval_begin(ev);
    uint32_t f;
    if ((f = ipsf_fact_index(p, "usage")) != UINT32_MAX) ipsf_eval_set_enum(ev, f, round ? "factory" : "home", &err);
    if ((f = ipsf_fact_index(p, "harm_life")) != UINT32_MAX) ipsf_eval_set_enum(ev, f, "minor_injury", &err);
    if ((f = ipsf_fact_index(p, "loss_jpy")) != UINT32_MAX) ipsf_eval_set_int(ev, f, 123456789, &err);
    if ((f = ipsf_fact_index(p, "remote_control")) != UINT32_MAX) ipsf_eval_set_bool(ev, f, true, &err);
    if ((f = ipsf_fact_index(p, "model")) != UINT32_MAX) ipsf_eval_set_string(ev, f, "ACME Lock", &err);
    if ((f = ipsf_fact_index(p, "score")) != UINT32_MAX) ipsf_eval_set_number(ev, f, 1e308, &err);
    if ((f = ipsf_fact_index(p, "radios")) != UINT32_MAX) {
      ipsf_eval_set_clear(ev, f, &err);
      ipsf_eval_set_add(ev, f, "wifi", &err);
      ipsf_eval_set_add(ev, f, "ble", &err);
    }
    ipsf_eval_set_evidence(ev, "SH-01", "self_declaration", &err);
    if (ipsf_eval_run(ev, &err)) {
      for (uint32_t s = 0; s < p->scale_count; s++) (void)ipsf_eval_level_name(ev, s);
      for (uint32_t r = 0; r < p->requirement_count; r++) {
        (void)ipsf_eval_method(ev, r);
        (void)ipsf_eval_status(ev, r);
      }
    } else {
      cr_assert(err.kind != IPSF_ERR_NONE && err.message[0]);
    }
  }
  ipsf_eval_free(ev);
  ipsf_disasm(p, sink);
}

Test(ipsb, corruption_never_crashes, .timeout = 120) {
  enum { RUNS = 5000 };
  uint8_t *orig;
  size_t olen;
  sample_bytes(&orig, &olen);
  rng_state = 0x9E3779B97F4A7C15ull;
  FILE *sink = fopen("/dev/null", "w");
  cr_assert(sink);
  int accepted = 0, digest = 0, structural = 0;
  for (int run = 0; run < RUNS; run++) {
    size_t cap = olen + 64, len = olen;
    uint8_t *b = malloc(cap);
    memcpy(b, orig, olen);
    int edits = 1 + (int)(rnd() % 4);
    for (int e = 0; e < edits && len > 0; e++) {
      size_t at = (size_t)(rnd() % len);
      switch (rnd() % 6) {
      case 0: /* bit flip */
      case 1:
        b[at] ^= (uint8_t)(1u << (rnd() % 8));
        break;
      case 2: /* byte set, often to an interesting value */
      {
        static const uint8_t vals[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20};
        b[at] = rnd() % 2 ? vals[rnd() % sizeof vals] : (uint8_t)rnd();
        break;
      }
      case 3: /* truncation */
        len = at;
        break;
      case 4: /* insertion */
        if (len < cap) {
          memmove(b + at + 1, b + at, len - at);
          b[at] = (uint8_t)rnd();
          len++;
        }
        break;
      case 5: /* deletion */
        memmove(b + at, b + at + 1, len - at - 1);
        len--;
        break;
      }
    }
    /* Half the time, make the digest right again so the corruption reaches
     * the structural checks and the verifier. */
    if (run % 2 == 0 && len >= 32) pb_redigest(b, len);
    IpsfError err = {0};
    IpsfPack *p = ipsb_read(b, len, &err);
    if (p) {
      accepted++;
      exercise(p, sink);
      ipsf_pack_free(p);
    } else {
      cr_assert(err.kind == IPSF_ERR_BYTECODE || err.kind == IPSF_ERR_NOMEM, "%s", err.message);
      cr_assert(err.message[0]);
      if (strstr(err.message, "digest mismatch"))
        digest++;
      else
        structural++;
    }
    free(b);
  }
  fclose(sink);
  free(orig);
  cr_log_info("corruption: %d accepted, %d digest mismatches, %d other rejections", accepted,
              digest, structural);
  /* Make sure the run was meaningful: most redigested files got past the
   * digest, and some mutated packs were accepted and evaluated. */
  cr_assert_gt(structural, RUNS / 4, "only %d structural rejections", structural);
  cr_assert_gt(accepted, 0);
}
