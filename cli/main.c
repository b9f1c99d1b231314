/*
 * main.c -- ipsfc: dispatch to a verb, --version, --help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sheet.h"
#include "pack.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} Verb;

static const Verb verbs[] = {
    {"compile", cmd_compile, "compile a rule pack to verified bytecode (.ipsb)"},
    {"check", cmd_check, "report every diagnostic of rule packs"},
    {"eval", cmd_eval, "place devices and list their requirements"},
    {"test", cmd_test, "run a pack's test blocks"},
    {"diff", cmd_diff, "what changes between two versions of a pack, and for whom"},
    {"fmt", cmd_fmt, "lay packs out canonically (-w rewrites, --check diffs)"},
    {"lsp", cmd_lsp, "run the language server for editors (LSP over stdio)"},
    {"disasm", cmd_disasm, "print a readable listing of a pack's bytecode"},
    {"inspect", cmd_inspect, "print a compiled pack's metadata, digest and sizes"},
    {"schema", cmd_schema, "print the JSON Schema of a pack's fact sheets"},
    {"report", cmd_report, "summarise a fleet on the category matrix (HTML, JSON)"},
    {"doc", cmd_doc, "write a pack's guideline (HTML or Markdown)"},
    {"keygen", cmd_keygen, "make an Ed25519 key pair for signing packs"},
    {"sign", cmd_sign, "sign a compiled pack (.ipsb) with a secret key"},
    {"verify", cmd_verify, "check a compiled pack's signature against a public key"},
};

static int usage(FILE *out) {
  fprintf(out,
          "usage: ipsfc VERB [OPTIONS] ARGS...\n"
          "       ipsfc --version | --help\n\n"
          "ipsfc compiles IoT-SSF rule packs to verified bytecode and evaluates\n"
          "device fact sheets against them.\n\nverbs:\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    fprintf(out, "  %-9s %s\n", verbs[i].name, verbs[i].summary);
  fprintf(out, "\nexample:\n  ipsfc eval examples/smart-home/pack.ipsf "
               "examples/smart-home/devices/*.json\n\n"
               "'ipsfc VERB --help' describes a verb; 'man ipsfc' all of them.\n");
  return out == stdout ? EXIT_OK : EXIT_USAGE;
}

static int run(int argc, char **argv) {
  if (argc < 2) return usage(stderr);
  const char *verb = argv[1];
  if (strcmp(verb, "--version") == 0 || strcmp(verb, "-V") == 0) {
    printf("ipsfc %s (bytecode format %u)\n", IPSF_VERSION, IPSB_FORMAT_VERSION);
    return EXIT_OK;
  }
  if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0)
    return usage(stdout);
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp(verbs[i].name, verb) == 0) return verbs[i].run(argc - 1, argv + 1);
  cli_error(NULL, "unknown verb '%s'", verb);
  fputc('\n', stderr);
  return usage(stderr);
}

int main(int argc, char **argv) {
  /* so that out of memory inside jansson is an error, not altered text */
  json_set_alloc_funcs(ipsf_json_malloc, free);
  cli_guard_std_fds();
  /* Whatever the verb printed: output that could not be written is an
   * error (exit 4), never a success. */
  return cli_finish_stdout(run(argc, argv));
}
