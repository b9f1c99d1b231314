/*
 * sign.c -- `ipsfc sign PACK.ipsb --key SECRET [-o OUT]`: add (or replace)
 * the Ed25519 signature trailer of a compiled pack.
 *
 * The pack is loaded and verified first: only a pack that any loader would
 * accept gets signed.  The output is written to a temporary file beside it
 * and renamed into place, so a failure never leaves half a pack.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "cli.h"
#include "pack.h"

static const char help[] =
    "usage: ipsfc sign PACK.ipsb --key SECRET.key [-o OUT.ipsb]\n\n"
    "Sign a compiled pack with an Ed25519 secret key (see 'ipsfc keygen').\n"
    "The pack must load and verify.  The signature covers the pack's SHA-256\n"
    "content digest; an existing signature is replaced.  The pack is\n"
    "rewritten in place unless -o names another file.\n\n"
    "options:\n"
    "      --key FILE      the secret key file (ipsfc-ed25519-secret)\n"
    "  -o, --output FILE   write the signed pack here instead\n"
    "  -h, --help          this text\n\n"
    "exit: 0 signed; 2 usage; 3 the pack or key cannot be read or verified,\n"
    "      or the output cannot be written.\n\n"
    "example:\n"
    "  ipsfc compile pack.ipsf -o pack.ipsb\n"
    "  ipsfc sign pack.ipsb --key release.key\n"
    "  ipsfc verify pack.ipsb --pubkey release.pub\n";

int cmd_sign(int argc, char **argv) {
  static const struct option opts[] = {{"key", required_argument, 0, 'k'},
                                       {"output", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *key = NULL, *output = NULL;
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    switch (c) {
    case 'k': key = optarg; break;
    case 'o': output = optarg; break;
    case 'h': return cli_help(help);
    case ':': return cli_usage("sign", "%s needs an argument", argv[optind - 1]);
    default: return cli_usage("sign", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) return cli_usage("sign", "expected one PACK.ipsb");
  if (!key) return cli_usage("sign", "--key SECRET.key is required");
  const char *path = argv[optind];
  if (!cli_is_bytecode(path)) return cli_usage("sign", "%s is not a .ipsb file", path);

  IpsfError err = {0};
  uint8_t sk[64];
  if (!ipsf_secret_key_load_file(key, sk, &err)) {
    cli_error("sign", "%s", err.message);
    return err.kind == IPSF_ERR_NOMEM || err.kind == IPSF_ERR_INTERNAL ? EXIT_INTERNAL
                                                                       : EXIT_INPUT;
  }
  /* Only a file that is a secret key is worth a warning about who can
   * read it: a public key given by mistake was refused just above. */
  struct stat st;
  if (stat(key, &st) == 0 && (st.st_mode & 077))
    cli_error("sign", "warning: %s is readable by others (chmod 600 it)", key);
  uint8_t *bytes = NULL, *out = NULL;
  size_t len = 0, out_len = 0;
  bool ok = ipsb_read_file(path, &bytes, &len, &err) &&
            ipsb_sign(bytes, len, sk, &out, &out_len, &err);
  sodium_memzero(sk, sizeof sk);
  free(bytes);
  if (!ok) {
    cli_error("sign", "%s: %s", path, err.message);
    return err.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
  }
  const char *dest = output ? output : path;
  int status = EXIT_OK;
  if (!cli_write_file("sign", dest, out, out_len, 0666, false)) {
    status = EXIT_INPUT;
  } else {
    char id[IPSF_KEY_ID_SIZE];
    /* The public key is the trailer's: bytes [len-96, len-64) of out. */
    ipsf_key_id(out + out_len - IPSF_SIGNATURE_SIZE - IPSF_SIGN_KEY_SIZE, id);
    printf("signed %s with key id %s\n", dest, id);
  }
  free(out);
  return status;
}
