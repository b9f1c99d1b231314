/*
 * test_sign.c -- signed packs: the trailer, checking against a key, and
 * tampering.  Every byte of a signed file (header, section table, each of
 * the 13 sections, the digest, the trailer's magic, key and signature),
 * flipped, must make the file fail to load or fail the signature check;
 * so must appending or removing bytes.  Also: key files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "pack_builder.h"

/* Fixed test keys (never used for anything but these tests). */
static void test_keys(uint8_t seed_byte, uint8_t pk[32], uint8_t sk[64]) {
  uint8_t seed[32];
  memset(seed, seed_byte, sizeof seed);
  cr_assert(sodium_init() >= 0);
  crypto_sign_seed_keypair(pk, sk, seed);
}

static void signed_sample(uint8_t **out, size_t *len, uint8_t pk[32]) {
  uint8_t sk[64], *b;
  size_t bl;
  IpsfPack *p = pb_sample();
  pb_bytes(p, &b, &bl);
  ipsf_pack_free(p);
  test_keys(7, pk, sk);
  IpsfError err = {0};
  cr_assert(ipsb_sign(b, bl, sk, out, len, &err), "%s", err.message);
  cr_assert_eq(*len, bl + 100);
  cr_assert(memcmp(*out, b, bl) == 0, "signing keeps every byte through the digest");
  free(b);
}

/* Loads and passes the check against pk. */
static bool accepted(const uint8_t *b, size_t len, const uint8_t pk[32], char *why, size_t cap) {
  IpsfError err = {0};
  IpsfPack *p = ipsb_read(b, len, &err);
  bool ok = p && ipsf_pack_check_signature(p, pk, &err);
  if (why) snprintf(why, cap, "%s", err.message);
  ipsf_pack_free(p);
  return ok;
}

Test(sign, signed_pack_loads_and_checks) {
  uint8_t *b, pk[32], other_pk[32], other_sk[64];
  size_t len;
  signed_sample(&b, &len, pk);
  IpsfError err = {0};
  IpsfPack *p = ipsb_read(b, len, &err);
  cr_assert(p, "%s", err.message);
  cr_assert(ipsf_pack_is_signed(p));
  cr_assert(ipsf_pack_signature_valid(p));
  cr_assert(memcmp(ipsf_pack_signer(p), pk, 32) == 0);
  cr_assert(ipsf_pack_check_signature(p, pk, &err), "%s", err.message);
  test_keys(9, other_pk, other_sk);
  cr_assert(!ipsf_pack_check_signature(p, other_pk, &err));
  cr_assert(strstr(err.message, "signed by key id"), "%s", err.message);
  /* the digest is that of the unsigned content */
  cr_assert(memcmp(ipsf_pack_digest(p), b + len - 132, 32) == 0);
  ipsf_pack_free(p);
  free(b);
}

Test(sign, unsigned_pack_is_refused) {
  uint8_t *b, pk[32], sk[64];
  size_t len;
  IpsfPack *p = pb_sample();
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  test_keys(7, pk, sk);
  IpsfError err = {0};
  p = ipsb_read(b, len, &err);
  cr_assert(p, "%s", err.message);
  cr_assert(!ipsf_pack_is_signed(p));
  cr_assert_null(ipsf_pack_signer(p));
  cr_assert(!ipsf_pack_check_signature(p, pk, &err));
  cr_assert_str_eq(err.message, "the pack is not signed");
  ipsf_pack_free(p);
  free(b);
}

Test(sign, resigning_replaces_the_signature) {
  uint8_t *b, *b2, pk[32], pk2[32], sk2[64];
  size_t len, len2;
  signed_sample(&b, &len, pk);
  test_keys(9, pk2, sk2);
  IpsfError err = {0};
  cr_assert(ipsb_sign(b, len, sk2, &b2, &len2, &err), "%s", err.message);
  cr_assert_eq(len2, len);
  cr_assert(memcmp(b, b2, len - 100) == 0);
  cr_assert(accepted(b2, len2, pk2, NULL, 0));
  cr_assert(!accepted(b2, len2, pk, NULL, 0));
  free(b);
  free(b2);
}

/* Which part of the file a byte is in, for failure messages. */
static const char *part_of(const uint8_t *b, size_t len, size_t at) {
  static const char *const names[] = {"meta", "strings", "enums", "consts", "slots",
                                      "facts", "scales", "rules", "viewpoints",
                                      "requirements", "confirms", "code", "lines"};
  if (at < 16) return "header";
  if (at < 16 + 13 * 12) return "section table";
  for (int i = 0; i < 13; i++) {
    const uint8_t *e = b + 16 + i * 12;
    uint32_t off = e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24;
    uint32_t sl = e[8] | e[9] << 8 | e[10] << 16 | (uint32_t)e[11] << 24;
    if (at >= off && at < (size_t)off + sl) return names[i];
  }
  if (at < len - 100) return "digest";
  if (at < len - 96) return "signature magic";
  if (at < len - 64) return "signer key";
  return "signature";
}

Test(sign, flipping_any_byte_is_detected) {
  uint8_t *b, pk[32];
  size_t len;
  signed_sample(&b, &len, pk);
  cr_assert(accepted(b, len, pk, NULL, 0));
  bool seen[13] = {0};
  for (size_t at = 0; at < len; at++) {
    for (int bit = 0; bit < 8; bit += 7) { /* the lowest and the highest bit */
      b[at] ^= (uint8_t)(1u << bit);
      cr_assert(!accepted(b, len, pk, NULL, 0), "flipping bit %d of byte %zu (%s) went unnoticed",
                bit, at, part_of(b, len, at));
      b[at] ^= (uint8_t)(1u << bit);
    }
    const char *part = part_of(b, len, at);
    static const char *const names[] = {"meta", "strings", "enums", "consts", "slots",
                                        "facts", "scales", "rules", "viewpoints",
                                        "requirements", "confirms", "code", "lines"};
    for (int i = 0; i < 13; i++)
      if (strcmp(part, names[i]) == 0) seen[i] = true;
  }
  for (int i = 0; i < 13; i++) cr_assert(seen[i], "section %d is empty in the sample", i + 1);
  free(b);
}

Test(sign, tampering_with_content_and_redigesting_is_detected) {
  /* An attacker who edits a section can recompute the digest, but not the
   * signature over it. */
  uint8_t *b, pk[32];
  size_t len;
  signed_sample(&b, &len, pk);
  size_t body = len - 100; /* through the digest */
  const uint8_t *e = b + 16 + 11 * 12; /* the code section */
  uint32_t off = e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24;
  /* max_stack 16 -> 17: still verifies, so only the signature can tell */
  b[off] ^= 0x01;
  pb_redigest(b, body);
  char why[512];
  IpsfError err = {0};
  IpsfPack *p = ipsb_read(b, len, &err);
  cr_assert(p, "the re-digested pack itself is valid: %s", err.message);
  cr_assert(!ipsf_pack_signature_valid(p));
  ipsf_pack_free(p);
  cr_assert(!accepted(b, len, pk, why, sizeof why));
  cr_assert(strstr(why, "invalid signature"), "%s", why);
  free(b);
}

Test(sign, appending_or_removing_bytes_is_detected) {
  uint8_t *b, pk[32];
  size_t len;
  signed_sample(&b, &len, pk);
  uint8_t *big = malloc(len + 200);
  memcpy(big, b, len);
  memset(big + len, 0, 200);
  char why[512];
  for (size_t extra = 1; extra <= 200; extra++)
    cr_assert(!accepted(big, len + extra, pk, NULL, 0), "%zu appended bytes", extra);
  cr_assert(!accepted(big, len + 1, pk, why, sizeof why));
  cr_assert(strstr(why, "malformed signature trailer"), "%s", why);
  for (size_t cut = 1; cut <= len; cut++)
    cr_assert(!accepted(b, len - cut, pk, NULL, 0), "%zu bytes removed from the end", cut);
  /* the whole trailer removed: a valid, unsigned pack, refused */
  cr_assert(!accepted(b, len - 100, pk, why, sizeof why));
  cr_assert_str_eq(why, "the pack is not signed");
  /* one byte removed from the middle of every part */
  for (size_t at = 0; at < len; at += 7) {
    memcpy(big, b, at);
    memcpy(big + at, b + at + 1, len - at - 1);
    cr_assert(!accepted(big, len - 1, pk, NULL, 0), "byte %zu removed", at);
  }
  free(big);
  free(b);
}

Test(sign, bad_trailer_magic_is_rejected) {
  uint8_t *b, pk[32];
  size_t len;
  signed_sample(&b, &len, pk);
  b[len - 100] = 'X';
  IpsfError err = {0};
  cr_assert_null(ipsb_read(b, len, &err));
  cr_assert_str_eq(err.message, "malformed signature trailer: bad magic (expected \"SIG1\")");
  free(b);
}

Test(sign, signing_an_invalid_pack_fails) {
  uint8_t *b, *out, pk[32], sk[64];
  size_t len, out_len;
  IpsfPack *p = pb_sample();
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  test_keys(7, pk, sk);
  b[20] ^= 1;
  IpsfError err = {0};
  cr_assert(!ipsb_sign(b, len, sk, &out, &out_len, &err));
  cr_assert_null(out);
  free(b);
}

/* ---- key files ---------------------------------------------------------------- */

static char *temp_file(const char *text) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/ipsf-key-XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  return path;
}

/* A temporary file with exactly these n bytes (NULs included). */
static char *temp_file_n(const char *bytes, size_t n) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/ipsf-key-XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert(write(fd, bytes, n) == (ssize_t)n);
  close(fd);
  return path;
}

/* issue 10, finding 6: a key file is read by its length, and exactly one
 * line: nothing after the key but one "\n" or "\r\n". */
Test(sign, key_file_is_exactly_one_line) {
#define PUB "ipsfc-ed25519-public lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4="
#define SEC "ipsfc-ed25519-secret lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4="
  static const struct {
    const char *bytes;
    size_t n;
  } bad[] = {
      {PUB "\0anything", sizeof PUB "\0anything" - 1},
      {PUB "\0", sizeof PUB "\0" - 1},
      {PUB "\n\0", sizeof PUB "\n\0" - 1},
      {PUB "\n\n", sizeof PUB "\n\n" - 1},
      {PUB "\nx", sizeof PUB "\nx" - 1},
      {PUB "\n" PUB "\n", 2 * sizeof PUB},
      {PUB " ", sizeof PUB " " - 1},
      {PUB " \n", sizeof PUB " \n" - 1},
      {PUB "\t\n", sizeof PUB "\t\n" - 1},
      {PUB "\r", sizeof PUB "\r" - 1},
      {PUB "\r\r\n", sizeof PUB "\r\r\n" - 1},
      {PUB "\n\r\n", sizeof PUB "\n\r\n" - 1},
      {" " PUB "\n", sizeof " " PUB "\n" - 1},
      {"ipsfc-ed25519-public  lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4=\n", 66},
      {"ipsfc-ed25519-public lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4\n", 64}, /* unpadded */
      {"ipsfc-ed25519-public lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz5=\n", 66}, /* spare bits */
      /* found by fuzz_key: libsodium decodes 0xFF as a base64 digit */
      {"ipsfc-ed25519-public YR4f\xff\xff\xff\xff\xff\xff\xff+0j2fi+9AghB/8I6tvnxMo7Z51zRSWBA=\n",
       66},
  };
  uint8_t pk[32], sk[64];
  IpsfError err;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *path = temp_file_n(bad[i].bytes, bad[i].n);
    memset(&err, 0, sizeof err);
    cr_assert_not(ipsf_public_key_load_file(path, pk, &err), "bad key file %zu accepted", i);
    cr_assert_eq(err.kind, IPSF_ERR_BYTECODE, "%zu: %s", i, err.message);
    unlink(path);
    /* the same shapes as a secret key */
    char sec[256];
    cr_assert_leq(bad[i].n, sizeof sec);
    memcpy(sec, bad[i].bytes, bad[i].n);
    for (size_t k = 0; k + 20 <= bad[i].n; k++)
      if (memcmp(sec + k, "ipsfc-ed25519-public", 20) == 0) memcpy(sec + k, SEC, 20);
    path = temp_file_n(sec, bad[i].n);
    cr_assert_not(ipsf_secret_key_load_file(path, sk, &err), "bad secret key file %zu accepted",
                  i);
    cr_assert_eq(err.kind, IPSF_ERR_BYTECODE, "%zu: %s", i, err.message);
    unlink(path);
  }
  char *path = temp_file_n(PUB "\0anything", sizeof PUB "\0anything" - 1);
  cr_assert_not(ipsf_public_key_load_file(path, pk, &err));
  cr_assert(strstr(err.message, "contains a NUL byte"), "%s", err.message);
  unlink(path);
  /* the good spellings: LF, CRLF, none */
  static const char *const good[] = {PUB "\n", PUB "\r\n", PUB};
  for (size_t i = 0; i < 3; i++) {
    path = temp_file_n(good[i], strlen(good[i]));
    cr_assert(ipsf_public_key_load_file(path, pk, &err), "%zu: %s", i, err.message);
    unlink(path);
  }
#undef PUB
#undef SEC
}

Test(sign, key_files) {
  uint8_t pk[32], sk[64], pk2[32], sk2[64];
  char line[256], id[IPSF_KEY_ID_SIZE];
  test_keys(7, pk, sk);
  IpsfError err = {0};

  cr_assert(ipsf_key_encode(IPSF_KEY_LABEL_PUBLIC, pk, 32, line, sizeof line));
  char *path = temp_file(line);
  cr_assert(ipsf_public_key_load_file(path, pk2, &err), "%s", err.message);
  cr_assert(memcmp(pk, pk2, 32) == 0);
  cr_assert(!ipsf_secret_key_load_file(path, sk2, &err), "a public key is no secret key");
  unlink(path);

  cr_assert(ipsf_key_encode(IPSF_KEY_LABEL_SECRET, sk, 32, line, sizeof line));
  path = temp_file(line);
  cr_assert(ipsf_secret_key_load_file(path, sk2, &err), "%s", err.message);
  cr_assert(memcmp(sk, sk2, 64) == 0, "the key pair is derived from the seed");
  cr_assert(!ipsf_public_key_load_file(path, pk2, &err));
  cr_assert(strstr(err.message, "is a secret key"), "%s", err.message);
  unlink(path);

  static const char *const bad[] = {
      "",
      "ipsfc-ed25519-public",
      "ipsfc-ed25519-public \n",
      "ipsfc-ed25519-public AAAA\n",                                           /* 3 bytes */
      "ipsfc-ed25519-public lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4=AAAA\n", /* 35 bytes */
      "ipsfc-ed25519-public lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4= x\n",
      "ipsfc-ed25519-public !hqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4=\n",
      "ssh-ed25519 lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4=\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    path = temp_file(bad[i]);
    cr_assert(!ipsf_public_key_load_file(path, pk2, &err), "bad key file %zu accepted", i);
    cr_assert_eq(err.kind, IPSF_ERR_BYTECODE);
    unlink(path);
  }
  path = temp_file("ipsfc-ed25519-public lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4=\r\n");
  cr_assert(ipsf_public_key_load_file(path, pk2, &err), "%s", err.message);
  unlink(path);
  path = temp_file("ipsfc-ed25519-public lhqLfosmJWWmWkSI4N1alGh2hjtUL6hxkjxT39Peoz4=");
  cr_assert(ipsf_public_key_load_file(path, pk2, &err), "no final newline: %s", err.message);
  unlink(path);
  cr_assert(!ipsf_public_key_load_file("/nonexistent/key.pub", pk2, &err));
  cr_assert_eq(err.kind, IPSF_ERR_IO);

  ipsf_key_id(pk, id);
  cr_assert_eq(strlen(id), 16);
  uint8_t h[32];
  crypto_hash_sha256(h, pk, 32);
  char want[17];
  for (int i = 0; i < 8; i++) snprintf(want + 2 * i, 3, "%02x", h[i]);
  cr_assert_str_eq(id, want);
}
