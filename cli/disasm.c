/*
 * disasm.c -- `ipsfc disasm PACK`: a readable listing of the bytecode.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "disasm.h"
#include "escape.h"

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
  /* The listing names what the pack chose (names, libraries): shown
   * through the one escaping helper, line by line (tabs kept). */
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  if (!m) {
    cli_error("disasm", "out of memory");
    ipsf_pack_free(pack);
    return EXIT_INTERNAL;
  }
  ipsf_disasm(pack, m);
  bool ok = fclose(m) == 0;
  ipsf_pack_free(pack);
  if (!ok) {
    free(text);
    cli_error("disasm", "out of memory");
    return EXIT_INTERNAL;
  }
  for (size_t i = 0; i < len;) {
    const char *nl = memchr(text + i, '\n', len - i);
    size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
    ipsf_escape_file(stdout, text + i, n, IPSF_ESC_KEEP_TAB);
    if (nl) fputc('\n', stdout);
    i += n + (nl != NULL);
  }
  free(text);
  return EXIT_OK;
}
