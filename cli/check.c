/*
 * check.c -- `ipsfc check PACK.ipsf...`: every diagnostic, as text or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compile.h"
#include "report.h"

static const char help[] =
    "usage: ipsfc check PACK.ipsf... [--format text|json] [--Werror] [-I DIR]...\n\n"
    "Parse, resolve and type-check rule packs (and modules: files without a\n"
    "pack header) and report every diagnostic of every file, gcc style.\n\n"
    "options:\n"
    "      --format FMT    text (default) or json (an array of diagnostics);\n"
    "                      sarif is not built yet\n"
    "      --Werror        warnings count as errors\n"
    "  -I, --import DIR    also look for imported modules in DIR (repeatable)\n"
    "  -h, --help          this text\n\n"
    "exit: 0 clean; 1 errors were found; 2 usage; 3 a file cannot be read.\n\n"
    "example:\n"
    "  ipsfc check examples/smart-home/pack.ipsf\n";

static const char *level_name(DiagLevel l) {
  return l == DIAG_ERROR ? "error" : l == DIAG_WARNING ? "warning" : "note";
}

static void diags_json(IpsfBuf *b, const Diags *d, size_t *written) {
  for (size_t i = 0; i < d->count; i++) {
    const Diag *g = &d->items[i];
    ipsf_buf_puts(b, *written ? ",\n  {" : "[\n  {");
    (*written)++;
    if (g->span.file == SPAN_NO_FILE) {
      ipsf_buf_puts(b, "\"file\": null, \"line\": null, \"col\": null");
    } else {
      uint32_t line, col;
      sources_line_col(d->sources, g->span.file, g->span.start, &line, &col);
      ipsf_buf_puts(b, "\"file\": ");
      ipsf_buf_json_string(b, d->sources->items[g->span.file]->path);
      ipsf_buf_printf(b, ", \"line\": %u, \"col\": %u", line, col);
    }
    ipsf_buf_printf(b, ", \"severity\": \"%s\", \"message\": ", level_name(g->level));
    ipsf_buf_json_string(b, g->message);
    ipsf_buf_puts(b, "}");
  }
}

int cmd_check(int argc, char **argv) {
  static const struct option opts[] = {{"format", required_argument, 0, 'f'},
                                       {"Werror", no_argument, 0, 'W'},
                                       {"import", required_argument, 0, 'I'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  StrList dirs = {0};
  bool json = false, werror = false;
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'f':
      if (strcmp(optarg, "json") == 0) json = true;
      else if (strcmp(optarg, "sarif") == 0) {
        strlist_free(&dirs);
        return cli_usage("check", "--format sarif is not built yet in this version");
      } else if (strcmp(optarg, "text") != 0) {
        strlist_free(&dirs);
        return cli_usage("check", "unknown format '%s' (text, json)", optarg);
      }
      break;
    case 'W': werror = true; break;
    case 'I': strlist_push(&dirs, optarg); break;
    case 'h': strlist_free(&dirs); return cli_help(help);
    case ':': strlist_free(&dirs); return cli_usage("check", "%s needs an argument", argv[optind - 1]);
    default: strlist_free(&dirs); return cli_usage("check", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc) {
    strlist_free(&dirs);
    return cli_usage("check", "expected at least one PACK.ipsf");
  }
  CompileOptions opt = {dirs.items, dirs.count};
  IpsfBuf out;
  ipsf_buf_init(&out);
  size_t written = 0, errors = 0, warnings = 0;
  bool unreadable = false;

  for (int i = optind; i < argc; i++) {
    Compilation *comp = compilation_new(&opt);
    check_source(comp, argv[i]);
    Diags *d = compilation_diags(comp);
    diags_sort(d);
    errors += d->errors;
    warnings += d->warnings;
    for (size_t k = 0; k < d->count; k++)
      unreadable |= d->items[k].span.file == SPAN_NO_FILE && d->items[k].level == DIAG_ERROR;
    if (json) diags_json(&out, d, &written);
    else diags_print(d, stderr, cli_color(stderr));
    compilation_free(comp);
  }
  if (json) {
    ipsf_buf_puts(&out, written ? "\n]\n" : "[]\n");
    ipsf_buf_flush(&out, stdout);
  }
  ipsf_buf_free(&out);
  strlist_free(&dirs);
  if (unreadable) return EXIT_INPUT;
  if (errors || (werror && warnings)) return EXIT_FINDING;
  return EXIT_OK;
}
