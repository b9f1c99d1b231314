/*
 * compile.c -- `ipsfc compile PACK.ipsf [-o OUT.ipsb] [--with-tests]`:
 * compile, verify, write.  With --with-tests the pack's test blocks and
 * the rows of its table of cases go into the .ipsb as data (codegen.c,
 * "the tests as data"; runtime/tests.c runs them for `ipsfc test`).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "compile.h"

static const char help[] =
    "usage: ipsfc compile PACK.ipsf [-o OUT.ipsb] [-I DIR]... [--with-tests]\n\n"
    "Compile a rule pack and its imports to bytecode, verify the result as any\n"
    "loader would, and write it (default: PACK.ipsb beside the source).\n\n"
    "options:\n"
    "  -o, --output FILE   where to write the bytecode\n"
    "  -I, --import DIR    also look for imported modules in DIR (repeatable)\n"
    "      --with-tests    also store the pack's tests in the bytecode: its test\n"
    "                      blocks and the rows of its table of cases, for\n"
    "                      'ipsfc test PACK.ipsb' (evaluation ignores them)\n"
    "      --cases FILE    with --with-tests: the table of cases (CSV)\n"
    "                      (default: PACK.cases.csv beside PACK.ipsf, if it exists)\n"
    "      --max-cost N    refuse (exit 3) a pack whose proved cost bound for\n"
    "                      one evaluation exceeds N (default 32000000)\n"
    "  -h, --help          this text\n\n"
    "The file is written whole or not at all: a write that fails leaves the\n"
    "old file (or none) in place.\n\n"
    "exit: 0 compiled; 2 usage; 3 the pack has errors or cannot be read, or the\n"
    "      output cannot be written; 4 internal error.\n\n"
    "example:\n"
    "  ipsfc compile examples/smart-home/pack.ipsf -o smart-home.ipsb\n"
    "  ipsfc compile --with-tests examples/smart-home/pack.ipsf -o tested.ipsb\n";

/* src without its .ipsf, then `ext` (malloc'd). */
static char *beside(const char *src, const char *ext) {
  size_t n = strlen(src), e = strlen(ext);
  if (n > 5 && strcmp(src + n - 5, ".ipsf") == 0) n -= 5;
  char *out = xmalloc(n + e + 1);
  memcpy(out, src, n);
  memcpy(out + n, ext, e + 1);
  return out;
}

static char *default_output(const char *src) { return beside(src, ".ipsb"); }

int cmd_compile(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"import", required_argument, 0, 'I'},
                                       {"with-tests", no_argument, 0, 'T'},
                                       {"cases", required_argument, 0, 'K'},
                                       {"max-cost", required_argument, 0, 'C'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  StrList dirs = {0};
  const char *output = NULL, *cases = NULL;
  bool with_tests = false;
  int c, status = EXIT_OK;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 'I': strlist_push(&dirs, optarg); break;
    case 'C':
      if (cli_parse_max_cost("compile", optarg) != EXIT_OK) {
        strlist_free(&dirs);
        return EXIT_USAGE;
      }
      break;
    case 'T': with_tests = true; break;
    case 'K': cases = optarg; break;
    case 'h': strlist_free(&dirs); return cli_help(help);
    case ':': strlist_free(&dirs); return cli_usage("compile", "%s needs an argument", argv[optind - 1]);
    default: strlist_free(&dirs); return cli_usage("compile", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1) {
    strlist_free(&dirs);
    return cli_usage("compile", "expected one PACK.ipsf");
  }
  if (cases && !with_tests) {
    strlist_free(&dirs);
    return cli_usage("compile", "--cases goes with --with-tests");
  }
  if (cases && access(cases, R_OK) != 0) {
    strlist_free(&dirs);
    return cli_usage("compile", "--cases %s: %s", cases, strerror(errno));
  }
  const char *src = argv[optind];
  /* the table of cases: --cases, or PACK.cases.csv beside the pack (as `test` runs it) */
  char *default_cases = with_tests && !cases ? beside(src, ".cases.csv") : NULL;
  CompileOptions opt = {.import_dirs = dirs.items,
                        .import_dir_count = dirs.count,
                        .with_tests = with_tests,
                        .keep_tests = with_tests,
                        .cases = cases ? cases : default_cases};
  Compilation *comp = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(comp, src, &bytes, &len);
  diags_sort(compilation_diags(comp));
  diags_print(compilation_diags(comp), stderr, cli_color(stderr));
  compilation_free(comp);
  strlist_free(&dirs);
  free(default_cases);
  if (!ok) return EXIT_INPUT;

  /* Verify what we are about to ship, exactly as a pipeline will load it. */
  IpsfError err = {0};
  IpsfPack *pack = ipsf_pack_load_limited(bytes, len, cli_max_cost, &err);
  if (!pack && err.kind == IPSF_ERR_LIMIT) { /* a pack pipelines would refuse */
    fprintf(stderr, "ipsfc compile: %s: %s\n", src, err.message);
    free(bytes);
    return EXIT_INPUT;
  }
  if (!pack) {
    cli_error("compile", "internal error: the compiled pack fails verification: %s",
              err.message);
    free(bytes);
    return EXIT_INTERNAL;
  }
  ipsf_pack_free(pack);
  char *owned = output ? NULL : default_output(src);
  const char *dest = output ? output : owned;
  /* Whole or not at all: a failed write leaves the old file (or none). */
  if (!cli_write_file("compile", dest, bytes, len, 0666, false)) status = EXIT_INPUT;
  free(owned);
  free(bytes);
  return status;
}
