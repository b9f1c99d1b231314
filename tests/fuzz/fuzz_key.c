/*
 * fuzz_key.c -- libFuzzer target: key-file bytes -> ipsf_public_key_load_file
 * and ipsf_secret_key_load_file (runtime/sign.c).
 *
 * Two oracles: the sanitizers, and canonical form: a key file is exactly
 * one line "LABEL BASE64" and at most one "\n" or "\r\n" (docs/security.md),
 * so whatever loads must be byte for byte what ipsf_key_encode writes for
 * the key it loaded, but for that line ending.  Anything else that loads
 * (a NUL and garbage after it, a second line, spaces, another spelling of
 * the base64) is a bug and aborts.
 *
 * The loaders read files, so each input goes to one temporary file per
 * process.
 */
#include <unistd.h>

#include <sodium.h>

#include "fuzz_common.h"

static const char *path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  path = fuzz_tmp_file("k");
  if (sodium_init() < 0) abort();
  return 0;
}

/* The loaded key, encoded, must be the input but for one final line end. */
static void check_canonical(const char *label, const uint8_t *key, const uint8_t *data,
                            size_t size) {
  char line[256];
  if (!ipsf_key_encode(label, key, 32, line, sizeof line)) abort();
  size_t n = strlen(line) - 1; /* without its "\n" */
  bool same = (size == n || (size == n + 1 && data[n] == '\n') ||
               (size == n + 2 && data[n] == '\r' && data[n + 1] == '\n')) &&
              memcmp(line, data, n) == 0;
  if (!same) {
    fprintf(stderr, "fuzz_key: a %s key file that is not canonical was accepted\n", label);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  if (fclose(f) != 0) abort();
  IpsfError err;
  uint8_t pk[32], sk[64];
  if (ipsf_public_key_load_file(path, pk, &err)) check_canonical(IPSF_KEY_LABEL_PUBLIC, pk, data, size);
  if (ipsf_secret_key_load_file(path, sk, &err)) {
    /* sk is seed || public key: the file holds the seed */
    check_canonical(IPSF_KEY_LABEL_SECRET, sk, data, size);
    uint8_t pk2[32], sk2[64];
    if (crypto_sign_seed_keypair(pk2, sk2, sk) != 0 || memcmp(sk2, sk, 64) != 0) abort();
    sodium_memzero(sk2, sizeof sk2);
  }
  sodium_memzero(sk, sizeof sk);
  return 0;
}
