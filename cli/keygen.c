/*
 * keygen.c -- `ipsfc keygen PREFIX`: a new Ed25519 key pair for signing
 * packs, written to PREFIX.key (secret, mode 0600) and PREFIX.pub.
 *
 * The key file format is in runtime/sign.c and docs/security.md.  Existing
 * files are never overwritten (O_EXCL): losing a signing key by a typo is
 * worse than having to pick another name.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "cli.h"
#include "pack.h"

static const char help[] =
    "usage: ipsfc keygen PREFIX\n\n"
    "Make a new Ed25519 key pair for signing compiled packs: the secret key\n"
    "goes to PREFIX.key (readable by you only), the public key to PREFIX.pub.\n"
    "Existing files are not overwritten.  Prints the key id (the first 8 bytes\n"
    "of SHA-256 of the public key, in hex).  Keep PREFIX.key offline or in a\n"
    "secret store; hand out PREFIX.pub (docs/security.md).\n\n"
    "options:\n"
    "  -h, --help          this text\n\n"
    "exit: 0 written; 2 usage; 3 a file exists or cannot be written (a failed\n"
    "      write leaves no file behind).\n\n"
    "example:\n"
    "  ipsfc keygen release          # release.key, release.pub\n"
    "  ipsfc sign pack.ipsb --key release.key\n";

/* Whole or not at all, and never over an existing file. */
static bool write_new(const char *path, const char *text, mode_t mode) {
  return cli_write_file("keygen", path, text, strlen(text), mode, true);
}

static char *with_suffix(const char *prefix, const char *suffix) {
  size_t n = strlen(prefix), m = strlen(suffix);
  char *s = xmalloc(n + m + 1);
  memcpy(s, prefix, n);
  memcpy(s + n, suffix, m + 1);
  return s;
}

int cmd_keygen(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': return cli_help(help);
    default: return cli_usage("keygen", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) return cli_usage("keygen", "expected one PREFIX");
  if (sodium_init() < 0) {
    fprintf(stderr, "ipsfc keygen: libsodium failed to initialise\n");
    return EXIT_INTERNAL;
  }
  const char *prefix = argv[optind];
  char *sec_path = with_suffix(prefix, ".key"), *pub_path = with_suffix(prefix, ".pub");
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  char sec_text[256], pub_text[256], id[IPSF_KEY_ID_SIZE];
  crypto_sign_keypair(pk, sk);
  /* sk is seed || public key: the file keeps the seed. */
  bool ok = ipsf_key_encode(IPSF_KEY_LABEL_SECRET, sk, crypto_sign_SEEDBYTES, sec_text,
                            sizeof sec_text) &&
            ipsf_key_encode(IPSF_KEY_LABEL_PUBLIC, pk, sizeof pk, pub_text, sizeof pub_text);
  int status = ok ? EXIT_OK : EXIT_INTERNAL;
  if (ok && !write_new(sec_path, sec_text, 0600)) status = EXIT_INPUT;
  if (status == EXIT_OK && !write_new(pub_path, pub_text, 0644)) {
    unlink(sec_path);
    status = EXIT_INPUT;
  }
  sodium_memzero(sk, sizeof sk);
  sodium_memzero(sec_text, sizeof sec_text);
  if (status == EXIT_OK) {
    ipsf_key_id(pk, id);
    printf("key id %s\nsecret key: %s (keep it secret)\npublic key: %s\n", id, sec_path,
           pub_path);
  }
  free(sec_path);
  free(pub_path);
  return status;
}
