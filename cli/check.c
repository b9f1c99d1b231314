/*
 * check.c -- `ipsfc check PACK.ipsf...`: every diagnostic, as text, JSON or
 * SARIF 2.1.0 (for code scanning in CI), with the static analysis findings'
 * codes and counterexample sheets (compiler/analyze.c, docs/diagnostics.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "escape.h"
#include "compile.h"
#include "report.h"

static const char help[] =
    "usage: ipsfc check PACK.ipsf... [--format text|json|sarif] [--Werror]\n"
    "                   [--explain CODE] [-I DIR]...\n\n"
    "Parse, resolve and type-check rule packs (and modules: files without a\n"
    "pack header) and report every diagnostic of every file, gcc style; then\n"
    "analyse each pack: gaps, overlaps, dead rules, monotonicity, unused\n"
    "declarations (warnings with codes, see docs/diagnostics.md).\n\n"
    "options:\n"
    "      --format FMT    text (default), json (an array of diagnostics, with\n"
    "                      codes and counterexamples) or sarif (SARIF 2.1.0)\n"
    "      --explain CODE  print the counterexample fact sheets of the findings\n"
    "                      with this code (IPSF-W102, W102 or 102) on stdout\n"
    "      --Werror        warnings count as errors\n"
    "  -I, --import DIR    also look for imported modules in DIR (repeatable)\n"
    "  -h, --help          this text\n\n"
    "exit: 0 clean; 1 errors were found; 2 usage; 3 a file cannot be read.\n\n"
    "example:\n"
    "  ipsfc check examples/smart-home/pack.ipsf\n";

static const char *level_name(DiagLevel l) {
  return l == DIAG_ERROR ? "error" : l == DIAG_WARNING ? "warning" : "note";
}

/* A code as the user may write it: IPSF-W102, W102, w102 or 102. */
static bool code_matches(const char *code, const char *want) {
  if (!code) return false;
  if (strcasecmp(code, want) == 0) return true;
  if (strncasecmp(want, "IPSF-", 5) == 0) want += 5;
  if (strcasecmp(code + 5, want) == 0) return true;
  return strcmp(code + 6, want) == 0;
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
    if (g->code) {
      ipsf_buf_puts(b, ", \"code\": ");
      ipsf_buf_json_string(b, g->code);
    }
    if (g->sheet_json) ipsf_buf_printf(b, ", \"counterexample\": %s", g->sheet_json);
    ipsf_buf_puts(b, "}");
  }
}

/* ---- SARIF 2.1.0 ------------------------------------------------------------ */

static const struct {
  const char *id, *name, *text;
} sarif_rules[] = {
    {"IPSF-E000", "error", "A compile error: the pack cannot be compiled."},
    {"IPSF-W000", "warning", "A warning of the compiler."},
    {"IPSF-W100", "not-analysed", "A check could not be decided exactly (bound hit, non-linear use)."},
    {"IPSF-W101", "unused-fact", "A fact no rule, let, fn or requirement reads."},
    {"IPSF-W102", "gap", "Inputs for which no rule of a block without otherwise matches."},
    {"IPSF-W103", "overlap", "Two rules of a unique block with different levels can both match."},
    {"IPSF-W104", "dead-rule", "A rule whose condition is false for every input."},
    {"IPSF-W105", "shadowed-rule", "Under policy first, an earlier rule always wins."},
    {"IPSF-W106", "redundant-rule", "Under policy worst, the rule never changes the level."},
    {"IPSF-W107", "nonmonotone", "A worse ordered fact can lower the level of a worst scale."},
    {"IPSF-W108", "never-applies", "A requirement whose applies condition never holds."},
    {"IPSF-W109", "confirm-never-strongest", "A confirm line that is never the required method."},
    {"IPSF-W110", "confirm-gap", "A requirement applies but none of its confirm lines matches."},
    {"IPSF-W111", "unused-let", "A let that is never used."},
    {"IPSF-W112", "unused-fn", "A fn that is never called."},
    {"IPSF-W113", "unused-scale", "A scale (not an axis) that nothing uses."},
    {"IPSF-W114", "unused-import", "An import of which nothing is used."},
    {"IPSF-W115", "conditional-cited-always", "A requirement that applies always cites a conditional provision."},
    {"IPSF-W116", "compensation-cycle", "Requirements that compensate for each other in a cycle."},
    {"IPSF-W117", "compensation-never-applies", "A compensating requirement never applies where the compensated one does."},
    {"IPSF-W120", "profile-never-holds", "A usage profile no sheet can satisfy (a set value its own `in` excludes)."},
    {"IPSF-W121", "profile-constrains-nothing", "A usage profile's `in` allows every value of the fact."},
};


static void sarif_location(IpsfBuf *b, const Diags *d, const Diag *g, const char *message) {
  uint32_t l1, c1, l2, c2;
  sources_line_col(d->sources, g->span.file, g->span.start, &l1, &c1);
  sources_line_col(d->sources, g->span.file, g->span.end > g->span.start ? g->span.end : g->span.start + 1, &l2, &c2);
  ipsf_buf_puts(b, "{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
  ipsf_buf_sarif_uri(b, d->sources->items[g->span.file]->path);
  ipsf_buf_printf(b, "}, \"region\": {\"startLine\": %u, \"startColumn\": %u, \"endLine\": %u, "
                     "\"endColumn\": %u}}",
                  l1, c1, l2, c2 > 0 ? c2 : 1);
  if (message) {
    ipsf_buf_puts(b, ", \"message\": {\"text\": ");
    ipsf_buf_json_string(b, message);
    ipsf_buf_puts(b, "}");
  }
  ipsf_buf_puts(b, "}");
}

static void diags_sarif(IpsfBuf *b, const Diags *d, size_t *written) {
  for (size_t i = 0; i < d->count; i++) {
    const Diag *g = &d->items[i];
    if (g->level == DIAG_NOTE) continue; /* notes go with their finding */
    const char *rule = g->code ? g->code : g->level == DIAG_ERROR ? "IPSF-E000" : "IPSF-W000";
    ipsf_buf_puts(b, (*written)++ ? ",\n        {" : "\n        {");
    ipsf_buf_puts(b, "\"ruleId\": ");
    ipsf_buf_json_string(b, rule);
    ipsf_buf_printf(b, ", \"level\": \"%s\", \"message\": {\"text\": ",
                    g->level == DIAG_ERROR ? "error" : "warning");
    ipsf_buf_json_string(b, g->message);
    ipsf_buf_puts(b, "}, \"locations\": [");
    if (g->span.file != SPAN_NO_FILE) sarif_location(b, d, g, NULL);
    ipsf_buf_puts(b, "]");
    size_t related = 0;
    for (size_t k = i + 1; k < d->count && d->items[k].level == DIAG_NOTE; k++) {
      if (d->items[k].span.file == SPAN_NO_FILE) continue;
      ipsf_buf_puts(b, related++ ? ", " : ", \"relatedLocations\": [");
      sarif_location(b, d, &d->items[k], d->items[k].message);
    }
    if (related) ipsf_buf_puts(b, "]");
    if (g->sheet_json) ipsf_buf_printf(b, ", \"properties\": {\"counterexample\": %s}", g->sheet_json);
    ipsf_buf_puts(b, "}");
  }
}

static void sarif_head(IpsfBuf *b) {
  ipsf_buf_puts(b, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                   "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
                   "      \"tool\": {\"driver\": {\"name\": \"ipsfc\", \"version\": \"" IPSF_VERSION
                   "\", \"rules\": [");
  for (size_t i = 0; i < sizeof sarif_rules / sizeof sarif_rules[0]; i++) {
    ipsf_buf_puts(b, i ? ",\n        " : "\n        ");
    ipsf_buf_printf(b, "{\"id\": \"%s\", \"name\": \"%s\", \"shortDescription\": {\"text\": ",
                    sarif_rules[i].id, sarif_rules[i].name);
    ipsf_buf_json_string(b, sarif_rules[i].text);
    ipsf_buf_printf(b, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
                    sarif_rules[i].id[5] == 'E' ? "error" : "warning");
  }
  ipsf_buf_puts(b, "]}},\n      \"results\": [");
}

/* Text of the pack's source (paths, messages quoting it), escaped. */
static void put_text(IpsfBuf *b, const char *s) { ipsf_escape_buf(b, s, strlen(s), 0); }

/* --explain: the findings with the code, each with its sheet and notes. */
static void explain(IpsfBuf *b, const Diags *d, const char *code, size_t *written) {
  for (size_t i = 0; i < d->count; i++) {
    const Diag *g = &d->items[i];
    if (g->level == DIAG_NOTE || !code_matches(g->code, code)) continue;
    (*written)++;
    if (g->span.file != SPAN_NO_FILE) {
      uint32_t line, col;
      sources_line_col(d->sources, g->span.file, g->span.start, &line, &col);
      ipsf_buf_puts(b, "// ");
      put_text(b, d->sources->items[g->span.file]->path);
      ipsf_buf_printf(b, ":%u:%u: ", line, col);
    } else {
      ipsf_buf_puts(b, "// ");
    }
    /* escaped: a newline in a message would end the comment */
    put_text(b, g->message);
    ipsf_buf_printf(b, " [%s]\n", g->code);
    for (size_t k = i + 1; k < d->count && d->items[k].level == DIAG_NOTE; k++)
      if (strncmp(d->items[k].message, "for example: ", 13) != 0) {
        ipsf_buf_puts(b, "//   ");
        put_text(b, d->items[k].message);
        ipsf_buf_puts(b, "\n");
      }
    ipsf_buf_printf(b, "%s\n", g->sheet_json ? g->sheet_json : "// (no counterexample: the finding holds for every input)");
  }
}

int cmd_check(int argc, char **argv) {
  static const struct option opts[] = {{"format", required_argument, 0, 'f'},
                                       {"explain", required_argument, 0, 'E'},
                                       {"Werror", no_argument, 0, 'W'},
                                       {"import", required_argument, 0, 'I'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  StrList dirs = {0};
  bool json = false, werror = false, sarif = false;
  const char *explain_code = NULL;
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'f':
      json = sarif = false;
      if (strcmp(optarg, "json") == 0) json = true;
      else if (strcmp(optarg, "sarif") == 0) sarif = true;
      else if (strcmp(optarg, "text") != 0) {
        strlist_free(&dirs);
        return cli_usage("check", "unknown format '%s' (text, json, sarif)", optarg);
      }
      break;
    case 'E': explain_code = optarg; break;
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
  CompileOptions opt = {.import_dirs = dirs.items, .import_dir_count = dirs.count};
  IpsfBuf out;
  ipsf_buf_init(&out);
  if (sarif && !explain_code) sarif_head(&out);
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
    if (explain_code) explain(&out, d, explain_code, &written);
    else if (json) diags_json(&out, d, &written);
    else if (sarif) diags_sarif(&out, d, &written);
    else diags_print(d, stderr, cli_color(stderr));
    compilation_free(comp);
  }
  if (explain_code) {
    if (!written) {
      ipsf_buf_puts(&out, "// no finding with code ");
      put_text(&out, explain_code);
      ipsf_buf_puts(&out, "\n");
    }
    ipsf_buf_flush(&out, stdout);
  } else if (json) {
    ipsf_buf_puts(&out, written ? "\n]\n" : "[]\n");
    ipsf_buf_flush(&out, stdout);
  } else if (sarif) {
    ipsf_buf_puts(&out, written ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n");
    ipsf_buf_flush(&out, stdout);
  }
  /* A lost write is reported by main (cli_finish_stdout); a lost buffer here. */
  bool lost = out.failed;
  if (lost) cli_error("check", "out of memory while writing the report");
  ipsf_buf_free(&out);
  strlist_free(&dirs);
  if (lost) return EXIT_INTERNAL;
  if (unreadable) return EXIT_INPUT;
  if (errors || (werror && warnings)) return EXIT_FINDING;
  return EXIT_OK;
}
