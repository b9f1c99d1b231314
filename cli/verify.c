/*
 * verify.c -- `ipsfc verify PACK.ipsb --pubkey KEY`: is this pack, as it
 * is on disk, signed by that key?
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: ipsfc verify PACK.ipsb --pubkey KEY.pub\n\n"
    "Load and verify a compiled pack, then check that it is signed by the\n"
    "given Ed25519 public key and that the signature matches its content\n"
    "digest.  A pack altered after signing fails to load (its digest no\n"
    "longer matches) or fails the signature check.\n\n"
    "options:\n"
    "      --pubkey FILE   the public key file (ipsfc-ed25519-public)\n"
    "  -h, --help          this text\n\n"
    "exit: 0 good signature; 1 unsigned, signed by another key, or a bad\n"
    "      signature; 2 usage; 3 the pack or key cannot be read or verified.\n\n"
    "example:\n"
    "  ipsfc verify pack.ipsb --pubkey release.pub\n";

int cmd_verify(int argc, char **argv) {
  static const struct option opts[] = {{"pubkey", required_argument, 0, 'k'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *key = NULL;
  int c, status = EXIT_OK;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'k': key = optarg; break;
    case 'h': return cli_help(help);
    case ':': return cli_usage("verify", "%s needs an argument", argv[optind - 1]);
    default: return cli_usage("verify", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) return cli_usage("verify", "expected one PACK.ipsb");
  if (!key) return cli_usage("verify", "--pubkey KEY.pub is required");
  const char *path = argv[optind];
  if (!cli_is_bytecode(path)) return cli_usage("verify", "%s is not a .ipsb file", path);
  IpsfError err = {0};
  uint8_t pk[IPSF_SIGN_KEY_SIZE];
  if (!ipsf_public_key_load_file(key, pk, &err)) {
    cli_error("verify", "%s", err.message);
    return err.kind == IPSF_ERR_INTERNAL ? EXIT_INTERNAL : EXIT_INPUT;
  }
  StrList none = {0};
  IpsfPack *p = cli_load_pack(path, &none, &status);
  if (!p) return status;
  char id[IPSF_KEY_ID_SIZE];
  ipsf_key_id(pk, id);
  if (ipsf_pack_check_signature(p, pk, &err)) {
    printf("%s: good signature by key id %s\n", path, id);
  } else {
    cli_error("verify", "%s: %s", path, err.message);
    status = EXIT_FINDING;
  }
  ipsf_pack_free(p);
  return status;
}
