/*
 * unbuilt.c -- verbs of the contract that this version does not have yet.
 *
 * They exist so that `ipsfc fmt` says plainly that it is not built (exit 2)
 * instead of "unknown verb"; each will get its own file when it is built.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int not_built(const char *verb, int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    printf("ipsfc %s: not built yet in ipsfc %s.\n", verb, IPSF_VERSION);
    return EXIT_OK;
  }
  fprintf(stderr, "ipsfc %s: not built yet in ipsfc %s\n", verb, IPSF_VERSION);
  return EXIT_USAGE;
}

int cmd_fmt(int argc, char **argv) { return not_built("fmt", argc, argv); }
