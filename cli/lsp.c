/*
 * lsp.c -- `ipsfc lsp`: the language server on standard input and output
 * (compiler/lsp*.c, docs/editors.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lsp.h"

static const char help[] =
    "usage: ipsfc lsp [-I DIR]... [--stdio]\n\n"
    "Run the Language Server Protocol 3.17 server on standard input and\n"
    "output, for editors (docs/editors.md): diagnostics of the compiler and\n"
    "of check's analysis (after a pause in typing, or on save), hover, go to\n"
    "definition, references, document and workspace symbols, completion,\n"
    "formatting (fmt), rename, and a code lens that runs the pack's tests.\n"
    "Messages are at most 64 MiB, documents at most 16 MiB.  The built-in\n"
    "stdlib is written read-only to $XDG_CACHE_HOME/ipsfc/stdlib-VERSION\n"
    "(~/.cache/... by default) so that definitions in it can be opened.\n\n"
    "options:\n"
    "  -I, --import DIR    also look for imported modules in DIR (repeatable)\n"
    "      --stdio         accepted for editors that pass it (the default)\n"
    "  -h, --help          this text\n\n"
    "exit: 0 after shutdown and exit; 1 if the client left without them;\n"
    "2 usage; 4 standard output cannot be written.\n\n"
    "example (what an editor runs; docs/editors.md sets up Neovim and VS Code):\n"
    "  ipsfc lsp -I vendor/modules\n";

int cmd_lsp(int argc, char **argv) {
  static const struct option longs[] = {{"import", required_argument, NULL, 'I'},
                                        {"stdio", no_argument, NULL, 's'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};
  StrList dirs = {0};
  int o;
  optind = 1;
  while ((o = getopt_long(argc, argv, "I:h", longs, NULL)) != -1) {
    if (o == 'I') strlist_push(&dirs, optarg);
    else if (o == 'h') {
      strlist_free(&dirs);
      return cli_help(help);
    } else if (o != 's') {
      strlist_free(&dirs);
      return cli_usage("lsp", "unknown option");
    }
  }
  if (optind < argc) {
    strlist_free(&dirs);
    return cli_usage("lsp", "unexpected argument '%s'", argv[optind]);
  }
  char cache[4096];
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  bool have_cache = true;
  if (xdg && *xdg)
    snprintf(cache, sizeof cache, "%s/ipsfc/stdlib-%s", xdg, IPSF_VERSION);
  else if (home && *home)
    snprintf(cache, sizeof cache, "%s/.cache/ipsfc/stdlib-%s", home, IPSF_VERSION);
  else
    have_cache = false;
  LspOptions opt = {dirs.items, dirs.count, have_cache ? cache : NULL};
  int werr = 0;
  int code = lsp_serve(STDIN_FILENO, STDOUT_FILENO, &opt, &werr);
  strlist_free(&dirs);
  if (werr) { /* the editor can no longer hear us: say so, as every verb does */
    cli_write_error(werr);
    return EXIT_INTERNAL;
  }
  return code;
}
