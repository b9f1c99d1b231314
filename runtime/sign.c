/*
 * sign.c -- signed packs: the public signature accessors, checking a pack
 * against a trusted key, key ids and key files.
 *
 * The signature trailer itself (its bytes, the signed message) belongs to
 * the file format, in ipsb.c.  docs/security.md says what a signature
 * protects and what it does not.
 *
 * Key files are one text line, exactly (parse_key):
 *
 *   ipsfc-ed25519-public <base64 of the 32-byte Ed25519 public key>
 *   ipsfc-ed25519-secret <base64 of the 32-byte Ed25519 seed>
 *
 * (standard base64 with padding, sodium_bin2base64's ORIGINAL variant),
 * then at most one line ending, "\n" or "\r\n".  The file is read by its
 * byte length: a NUL byte, a second line, spaces or any other trailing
 * byte make it no key file.
 * The secret file keeps the seed only: the key pair is derived from it.
 * Buffers that held secret material are wiped with sodium_memzero.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pack.h"

bool ipsf_pack_is_signed(const IpsfPack *pack) { return pack && pack->is_signed; }

const uint8_t *ipsf_pack_signer(const IpsfPack *pack) {
  return pack && pack->is_signed ? pack->signer_key : NULL;
}

bool ipsf_pack_signature_valid(const IpsfPack *pack) {
  return pack && pack->is_signed && pack->signature_ok;
}

void ipsf_key_id(const uint8_t public_key[32], char out[IPSF_KEY_ID_SIZE]) {
  uint8_t h[32];
  crypto_hash_sha256(h, public_key, IPSF_SIGN_KEY_SIZE);
  for (int i = 0; i < 8; i++) snprintf(out + 2 * i, 3, "%02x", h[i]);
}

bool ipsf_pack_check_signature(const IpsfPack *pack, const uint8_t public_key[32],
                               IpsfError *err) {
  if (!pack || !pack->is_signed)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "the pack is not signed");
  char want[IPSF_KEY_ID_SIZE], got[IPSF_KEY_ID_SIZE];
  ipsf_key_id(public_key, want);
  ipsf_key_id(pack->signer_key, got);
  if (sodium_memcmp(pack->signer_key, public_key, IPSF_SIGN_KEY_SIZE) != 0)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "the pack is signed by key id %s, not by the required key id %s", got,
                     want);
  /* Re-verified here rather than trusting the loader's flag alone: the
   * check is the point of this function and costs microseconds. */
  if (!pack->signature_ok || !ipsf_signature_verify(pack->digest, pack->signature, public_key))
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "invalid signature by key id %s: the signature does not match the "
                     "pack's digest",
                     got);
  return true;
}

/* ---- key files -------------------------------------------------------------- */

#define KEY_FILE_MAX 1024u

/* Read a small file into buf: *len bytes, any bytes (NULs included: the
 * length, not a terminator, says where the file ends). */
static bool read_small(const char *path, char *buf, size_t cap, size_t *len, IpsfError *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return ipsf_fail(err, IPSF_ERR_IO, "cannot open key file '%s': %s", path, strerror(errno));
  size_t n = fread(buf, 1, cap, f);
  bool bad = ferror(f) != 0, more = !bad && fgetc(f) != EOF;
  fclose(f);
  if (bad) return ipsf_fail(err, IPSF_ERR_IO, "cannot read key file '%s'", path);
  if (more)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "key file '%s' is too large for a key file", path);
  *len = n;
  return true;
}

/* The n bytes of a key file are exactly "LABEL BASE64", then at most one
 * line ending ("\n" or "\r\n"), nothing else: no NUL, no second line, no
 * spaces, no padding variants (base64 with '=' padding and zero spare
 * bits, sodium's ORIGINAL variant, decoding to exactly `size` bytes).
 * One canonical spelling per key, so what a tool shows (or hashes) of the
 * file is what is used. */
static bool parse_key(const char *path, const char *text, size_t n, const char *label,
                      uint8_t *out, size_t size, IpsfError *err) {
  if (memchr(text, '\0', n))
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "'%s' is not a key file: it contains a NUL byte",
                     path);
  if (n > 0 && text[n - 1] == '\n') {
    n--;
    if (n > 0 && text[n - 1] == '\r') n--;
  }
  size_t ll = strlen(label);
  if (n < ll + 1 || memcmp(text, label, ll) != 0 || text[ll] != ' ')
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "'%s' is not a key file: expected a line '%s BASE64'",
                     path, label);
  const char *b64 = text + ll + 1;
  size_t b64_len = n - ll - 1;
  for (size_t i = 0; i < b64_len; i++)
    if (b64[i] == '\n' || b64[i] == '\r')
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "'%s' is not a key file: expected one line '%s BASE64', it has more",
                       path, label);
  /* Decode, then encode again and compare: libsodium's decoder accepts
   * bytes outside the alphabet (0xFF decodes as a digit), so only the
   * round trip proves the text is the one spelling of the key. */
  size_t got = 0;
  const char *end = NULL;
  char again[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
  bool ok = size <= 64 &&
            sodium_base642bin(out, size, b64, b64_len, NULL, &got, &end,
                              sodium_base64_VARIANT_ORIGINAL) == 0 &&
            got == size && end == b64 + b64_len;
  if (ok) {
    sodium_bin2base64(again, sizeof again, out, size, sodium_base64_VARIANT_ORIGINAL);
    ok = strlen(again) == b64_len && memcmp(again, b64, b64_len) == 0;
    sodium_memzero(again, sizeof again);
  }
  if (!ok) {
    sodium_memzero(out, size);
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "key file '%s': the key is not %zu bytes of base64", path, size);
  }
  return true;
}

bool ipsf_public_key_load_file(const char *path, uint8_t public_key[32], IpsfError *err) {
  char buf[KEY_FILE_MAX];
  size_t n = 0;
  if (sodium_init() < 0) return ipsf_fail(err, IPSF_ERR_INTERNAL, "libsodium failed to initialise");
  if (!read_small(path, buf, sizeof buf, &n, err)) return false;
  size_t sl = strlen(IPSF_KEY_LABEL_SECRET);
  if (n >= sl && memcmp(buf, IPSF_KEY_LABEL_SECRET, sl) == 0) {
    sodium_memzero(buf, sizeof buf);
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "'%s' is a secret key: give the public key (.pub) here", path);
  }
  return parse_key(path, buf, n, IPSF_KEY_LABEL_PUBLIC, public_key, IPSF_SIGN_KEY_SIZE, err);
}

bool ipsf_secret_key_load_file(const char *path, uint8_t secret_key[64], IpsfError *err) {
  char buf[KEY_FILE_MAX];
  size_t n = 0;
  uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
  if (sodium_init() < 0) return ipsf_fail(err, IPSF_ERR_INTERNAL, "libsodium failed to initialise");
  bool ok = read_small(path, buf, sizeof buf, &n, err) &&
            parse_key(path, buf, n, IPSF_KEY_LABEL_SECRET, seed, sizeof seed, err);
  if (ok && crypto_sign_seed_keypair(pk, secret_key, seed) != 0)
    ok = ipsf_fail(err, IPSF_ERR_INTERNAL, "cannot derive a key pair from '%s'", path);
  sodium_memzero(buf, sizeof buf);
  sodium_memzero(seed, sizeof seed);
  return ok;
}

bool ipsf_key_encode(const char *label, const uint8_t *key, size_t size, char *out,
                     size_t cap) {
  size_t need = strlen(label) + 1 + sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL) + 1;
  if (cap < need) return false;
  size_t ll = strlen(label);
  memcpy(out, label, ll);
  out[ll] = ' ';
  sodium_bin2base64(out + ll + 1, cap - ll - 1, key, size, sodium_base64_VARIANT_ORIGINAL);
  size_t n = strlen(out);
  out[n] = '\n';
  out[n + 1] = '\0';
  return true;
}
