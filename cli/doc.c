/*
 * doc.c -- `ipsfc doc PACK [--format html|markdown] [-o FILE]
 * [--devices FILE...]`: the guideline people read, generated from the pack
 * (compiler/doc.h builds and writes it; this file parses options, loads,
 * and writes the result whole).
 *
 * From source, the document has everything (the matrix analysis, the
 * conditions, catalogs, tests); from .ipsb, what the bytecode carries (of
 * the catalogs, those it cites), and
 * it says what is omitted (docs/cli.md).  A pack that does not compile:
 * its diagnostics on stderr, exit 3, nothing written.  A device sheet that
 * cannot be read or evaluated: its error, exit 3, nothing written.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compile.h"
#include "doc.h"
#include "sheet.h"

static const char help[] =
    "usage: ipsfc doc PACK [--format html|markdown] [-o FILE]\n"
    "                 [--devices SHEET...] [--allow-native LIB]... [-I DIR]...\n\n"
    "Write the guideline of a pack (.ipsf source or .ipsb bytecode): its\n"
    "header, the category matrix as a figure with the pack's test devices\n"
    "and the devices of the given sheets placed in their cells, what each\n"
    "cell requires from each viewpoint (the exact analysis of 'ipsfc check'),\n"
    "the requirements, the rules as decision tables, the facts and types,\n"
    "the usage profiles the pack declares, and which catalog provisions the\n"
    "requirements trace to.  HTML is one self-contained page (inline CSS\n"
    "and SVG, no script, no network).  From .ipsb, what only the source has\n"
    "(conditions, catalogs it does not cite, tests, the analysis) is\n"
    "omitted, and the document says so.\n\n"
    "options:\n"
    "      --format FMT      html (default) or markdown\n"
    "  -o, --output FILE     write to FILE (default: standard output)\n"
    "      --devices SHEET   place the devices of SHEET (JSON or YAML) on the\n"
    "                        matrix; repeatable, and every further argument\n"
    "                        after PACK is a sheet too\n"
    "      --allow-native LIB  allow the pack's extern functions of library LIB\n"
    "                        when placing devices (as 'ipsfc eval'); without\n"
    "                        it, a pack with externs gets no test devices\n"
    "  -I, --import DIR      look for imported modules in DIR (source packs)\n"
    "  -h, --help            this text\n\n"
    "exit: 0 written; 2 usage; 3 the pack does not compile or load, a sheet\n"
    "      cannot be evaluated, or FILE cannot be written; 4 standard output\n"
    "      cannot be written.\n\n"
    "example:\n"
    "  ipsfc doc examples/smart-home/pack.ipsf -o guideline.html \\\n"
    "      --devices examples/smart-home/devices/*.yaml\n";

typedef struct {
  const char *output, *format;
  StrList dirs, sheets, allow_native;
} Options;

enum { OPT_FORMAT = 256, OPT_DEVICES, OPT_NATIVE };

static int parse(int argc, char **argv, Options *o, const char **pack) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"format", required_argument, 0, OPT_FORMAT},
                                       {"devices", required_argument, 0, OPT_DEVICES},
                                       {"allow-native", required_argument, 0, OPT_NATIVE},
                                       {"import", required_argument, 0, 'I'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:I:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o': o->output = optarg; break;
    case OPT_FORMAT: o->format = optarg; break;
    case OPT_DEVICES: strlist_push(&o->sheets, optarg); break;
    case OPT_NATIVE: strlist_push(&o->allow_native, optarg); break;
    case 'I': strlist_push(&o->dirs, optarg); break;
    case 'h': return -1;
    case ':': return cli_usage("doc", "%s needs an argument", argv[optind - 1]);
    default: return cli_usage("doc", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (strcmp(o->format, "html") != 0 && strcmp(o->format, "markdown") != 0)
    return cli_usage("doc", "--format must be html or markdown, not '%s'", o->format);
  if (optind >= argc) return cli_usage("doc", "expected a PACK");
  if (optind < argc - 1 && !o->sheets.count)
    return cli_usage("doc", "expected one PACK (sheets go after --devices)");
  *pack = argv[optind];
  for (int i = optind + 1; i < argc; i++) strlist_push(&o->sheets, argv[i]);
  return EXIT_OK;
}

/* The model of path, or NULL with *status (diagnostics printed). */
static DocModel *load(const char *path, const Options *o, int *status) {
  DocModel *m = doc_new();
  if (cli_is_bytecode(path)) {
    IpsfPack *p = cli_load_pack(path, &o->dirs, status);
    if (!p) {
      doc_free(m);
      return NULL;
    }
    if (ipsf_pack_is_signed(p) && !ipsf_pack_signature_valid(p))
      cli_error("doc",
                "warning: %s: invalid signature (it does not match the pack's digest under "
                "the key it names): the guideline says so",
                path);
    doc_from_pack(m, p, path);
  } else {
    CompileOptions opt = {.import_dirs = o->dirs.items, .import_dir_count = o->dirs.count};
    Compilation *c = compilation_new(&opt);
    if (!doc_from_source(m, c, path)) {
      Diags *d = compilation_diags(c);
      diags_sort(d);
      diags_print(d, stderr, cli_color(stderr));
      doc_free(m); /* and c */
      *status = EXIT_INPUT;
      return NULL;
    }
  }
  /* Natives: only evaluating devices needs them.  Allowed and refused is
   * an error; not allowed, the document is made without the test devices
   * (and a sheet is refused as eval refuses it). */
  IpsfError err = {0};
  if (!ipsf_pack_bind_natives(m->pack, o->allow_native.items, o->allow_native.count, &err) &&
      o->allow_native.count) {
    cli_native_refused("doc", path, "refusing to place devices", &err);
    doc_free(m);
    *status = EXIT_INPUT;
    return NULL;
  }
  doc_place_tests(m);
  return m;
}

static int add_sheets(DocModel *m, const StrList *sheets) {
  for (size_t i = 0; i < sheets->count; i++) {
    char *text = NULL;
    size_t len = 0;
    IpsfError err = {0};
    bool ok = ipsf_sheet_slurp(sheets->items[i], &text, &len, &err) &&
              doc_add_sheet(m, sheets->items[i], text, len, &err);
    free(text);
    if (!ok) {
      cli_error("doc", "%s: %s", sheets->items[i], err.message);
      return err.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
    }
  }
  return EXIT_OK;
}

int cmd_doc(int argc, char **argv) {
  Options o = {.format = "html"};
  const char *path = NULL;
  int status = parse(argc, argv, &o, &path);
  if (status == EXIT_OK) {
    DocModel *m = load(path, &o, &status);
    if (m) status = add_sheets(m, &o.sheets);
    if (m && status == EXIT_OK) {
      IpsfBuf b;
      ipsf_buf_init(&b);
      if (strcmp(o.format, "html") == 0) doc_html(m, &b);
      else doc_markdown(m, &b);
      if (b.failed) {
        fprintf(stderr, "ipsfc doc: out of memory\n");
        status = EXIT_INTERNAL;
      } else if (!o.output) {
        fwrite(b.data, 1, b.len, stdout);
      } else if (!cli_write_file("doc", o.output, b.data, b.len, 0666, false)) {
        status = EXIT_INPUT;
      }
      ipsf_buf_free(&b);
    }
    doc_free(m);
  }
  strlist_free(&o.dirs);
  strlist_free(&o.sheets);
  strlist_free(&o.allow_native);
  return status == -1 ? cli_help(help) : status;
}
