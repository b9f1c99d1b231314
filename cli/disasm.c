/*
 * disasm.c -- `ipsfc disasm PACK`: a readable listing of the bytecode.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "disasm.h"

static const char help[] =
    "usage: ipsfc disasm PACK [-I DIR]...\n\n"
    "Print a compiled pack as text: metadata, tables, and every instruction\n"
    "with its operands decoded.  PACK may be source (.ipsf, compiled in\n"
    "memory) or bytecode (.ipsb, verified on load).\n\n"
    "exit: 0 printed; 2 usage; 3 the pack cannot be read, compiled or verified.\n\n"
    "example:\n"
    "  ipsfc disasm smart-home.ipsb\n";

int cmd_disasm(int argc, char **argv) {
  static const struct option opts[] = {{"import", required_argument, 0, 'I'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  StrList dirs = {0};
  int c, status = EXIT_OK;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'I': strlist_push(&dirs, optarg); break;
    case 'h': strlist_free(&dirs); return cli_help(help);
    case ':': strlist_free(&dirs); return cli_usage("disasm", "%s needs an argument", argv[optind - 1]);
    default: strlist_free(&dirs); return cli_usage("disasm", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) {
    strlist_free(&dirs);
    return cli_usage("disasm", "expected one PACK");
  }
  IpsfPack *pack = cli_load_pack(argv[optind], &dirs, &status);
  strlist_free(&dirs);
  if (!pack) return status;
  ipsf_disasm(pack, stdout);
  ipsf_pack_free(pack);
  return EXIT_OK;
}
