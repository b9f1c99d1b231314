/*
 * diff.c -- `ipsfc diff OLD NEW [SHEET...]`: what changes between two
 * versions of a pack, for whom and why (docs/cli.md, "ipsfc diff").
 *
 * Thin: load both packs (a source pack keeps its compilation, which the
 * symbolic diff and the method orders need), run the parts of
 * compiler/diff*.c into one report, print it, and map --fail-on to the
 * exit code: 0 nothing forbidden changed, 1 a forbidden change, 2 usage,
 * 3 a pack or sheet that cannot be read, 4 a write error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compile.h"
#include "diff.h"

static const char help[] =
    "usage: ipsfc diff OLD NEW [SHEET...] [options]\n\n"
    "Compare two versions of a rule pack (.ipsf source or .ipsb bytecode):\n"
    "what they declare (facts, values, defaults, scales, levels, viewpoints,\n"
    "methods, requirements, catalog refs, rules) and sheets valid for OLD\n"
    "that NEW rejects, each with an example.  Without SHEETs, every region of\n"
    "fact space where the outcomes differ (category, a scale's level, the\n"
    "requirements that apply, a method or period), each with a counterexample\n"
    "checked under both packs and the rules that decided it (source packs;\n"
    "the cells of 'ipsfc check').  With SHEETs (JSON, YAML, JSON Lines, '-'),\n"
    "the records that change.  Changes are classed stricter, looser, mixed\n"
    "or neutral by the orders the packs declare.\n\n"
    "options:\n"
    "      --format FMT       text (default), json, markdown\n"
    "      --fail-on WHAT     never (default): exit 0 whatever changed;\n"
    "                         any: exit 1 on any change; looser: exit 1 on a\n"
    "                         looser or mixed change; stricter: exit 1 on a\n"
    "                         stricter or mixed change (a sheet NEW rejects is\n"
    "                         mixed; a symbolic diff not proved fails all three)\n"
    "      --jobs N           evaluate JSON Lines sheets on N threads (default:\n"
    "                         the number of cores); the output is the same\n"
    "      --max-cells N      bound of the symbolic enumeration (default\n"
    "                         1000000 cells; K, M, G suffixes); a larger pack\n"
    "                         is compared one output at a time (the category,\n"
    "                         each scale, each requirement), each over the\n"
    "                         facts it reads\n"
    "      --by-component     compare one output at a time even below the bound\n"
    "  -I, --import DIR       look for imported modules in DIR (source packs)\n"
    "      --allow-native LIB allow the packs' extern functions of library LIB\n"
    "                         (as for eval; natives run with your privileges)\n"
    CLI_MAX_COST_HELP
    "  -h, --help             this help\n\n"
    "example:\n"
    "  ipsfc diff old/pack.ipsf pack.ipsf --fail-on looser\n";

enum { OPT_FORMAT = 256, OPT_FAIL_ON, OPT_JOBS, OPT_MAX_CELLS, OPT_MAX_COST, OPT_BY_COMPONENT, OPT_NATIVE };
enum { FAIL_NEVER, FAIL_ANY, FAIL_LOOSER, FAIL_STRICTER };

typedef struct {
  int format, fail_on;
  uint64_t max_cells;
  bool by_component;
  unsigned jobs;
  StrList import_dirs;
  StrList allow_native;
} Opts;

/* The default --jobs: the cores this process may run on (as eval). */
static unsigned default_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

static int parse_count(const char *opt, const char *arg, uint64_t *out) {
  char *end;
  unsigned long long v = strtoull(arg, &end, 10);
  uint64_t mul = 1;
  if (*end == 'K') mul = 1000, end++;
  else if (*end == 'M') mul = 1000000, end++;
  else if (*end == 'G') mul = 1000000000, end++;
  if (end == arg || *end || arg[0] == '-' || v == 0 || v > UINT64_MAX / mul)
    return cli_usage("diff", "%s: expected a positive number, got '%s'", opt, arg);
  *out = v * mul;
  return EXIT_OK;
}

static int parse_options(Opts *o, int argc, char **argv) {
  static const struct option opts[] = {
      {"format", required_argument, 0, OPT_FORMAT},
      {"fail-on", required_argument, 0, OPT_FAIL_ON},
      {"jobs", required_argument, 0, OPT_JOBS},
      {"max-cells", required_argument, 0, OPT_MAX_CELLS},
      {"by-component", no_argument, 0, OPT_BY_COMPONENT},
      {"allow-native", required_argument, 0, OPT_NATIVE},
      {"max-cost", required_argument, 0, OPT_MAX_COST},
      {"import", required_argument, 0, 'I'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int c, status = EXIT_OK;
  uint64_t jobs;
  optind = 0;
  opterr = 0;
  while (status == EXIT_OK && (c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_FORMAT:
      if (strcmp(optarg, "text") == 0) o->format = DIFF_TEXT;
      else if (strcmp(optarg, "json") == 0) o->format = DIFF_JSON;
      else if (strcmp(optarg, "markdown") == 0) o->format = DIFF_MARKDOWN;
      else status = cli_usage("diff", "--format: expected text, json or markdown, got '%s'", optarg);
      break;
    case OPT_FAIL_ON:
      if (strcmp(optarg, "never") == 0) o->fail_on = FAIL_NEVER;
      else if (strcmp(optarg, "any") == 0) o->fail_on = FAIL_ANY;
      else if (strcmp(optarg, "looser") == 0) o->fail_on = FAIL_LOOSER;
      else if (strcmp(optarg, "stricter") == 0) o->fail_on = FAIL_STRICTER;
      else status = cli_usage("diff", "--fail-on: expected any, looser, stricter or never, got '%s'", optarg);
      break;
    case OPT_JOBS:
      status = parse_count("--jobs", optarg, &jobs);
      if (status == EXIT_OK && jobs > 256) status = cli_usage("diff", "--jobs: at most 256, got '%s'", optarg);
      o->jobs = (unsigned)jobs;
      break;
    case OPT_MAX_CELLS: status = parse_count("--max-cells", optarg, &o->max_cells); break;
    case OPT_BY_COMPONENT: o->by_component = true; break;
    case OPT_NATIVE: strlist_push(&o->allow_native, optarg); break;
    case OPT_MAX_COST: status = cli_parse_max_cost("diff", optarg); break;
    case 'I': strlist_push(&o->import_dirs, optarg); break;
    case 'h': cli_help(help); return -1;
    case ':': status = cli_usage("diff", "%s needs an argument", argv[optind - 1]); break;
    default: status = cli_usage("diff", "unknown option '%s'", argv[optind - 1]); break;
    }
  }
  if (status == EXIT_OK && argc - optind < 2) status = cli_usage("diff", "expected OLD and NEW packs");
  return status;
}

/* Bind the pack's natives to the libraries --allow-native names (as eval
 * does); a pack with natives and none allowed is refused. */
static bool bind(DiffPack *p, const Opts *o, int *status) {
  IpsfError err = {0};
  if (!ipsf_pack_needs_natives(p->pack)) return true;
  if (ipsf_pack_bind_natives(p->pack, o->allow_native.items, o->allow_native.count, &err)) return true;
  cli_native_refused("diff", p->path, "refusing to compare", &err);
  *status = EXIT_INPUT;
  return false;
}

/* A pack and, for source, its compilation (errors printed: exit 3). */
static bool load(DiffPack *p, const char *path, const Opts *o, int *status) {
  p->path = path;
  if (cli_is_bytecode(path)) {
    p->pack = cli_load_pack(path, &o->import_dirs, status);
    if (p->pack) cli_warn_bad_signature("diff", path, p->pack);
    return p->pack != NULL && bind(p, o, status);
  }
  CompileOptions opt = {.import_dirs = o->import_dirs.items, .import_dir_count = o->import_dirs.count};
  p->c = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(p->c, path, &bytes, &len);
  if (!ok) {
    /* errors only: warnings are check's business */
    Diags *d = compilation_diags(p->c);
    diags_sort(d);
    diags_print(d, stderr, cli_color(stderr));
    *status = EXIT_INPUT;
    return false;
  }
  IpsfError err = {0};
  p->pack = ipsf_pack_load_limited(bytes, len, cli_max_cost, &err);
  free(bytes);
  if (!p->pack) {
    cli_error("diff", "%s: %s", path, err.message);
    *status = err.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
    return false;
  }
  return bind(p, o, status);
}

static json_t *pack_info(const DiffPack *p) {
  char digest[72] = "sha256:";
  const uint8_t *d = ipsf_pack_digest(p->pack);
  for (int i = 0; i < 32; i++) snprintf(digest + 7 + 2 * i, 3, "%02x", d[i]);
  return json_pack("{s:s, s:s, s:s?, s:s, s:b}", "path", p->path, "name", ipsf_pack_name(p->pack),
                   "version", ipsf_pack_version(p->pack), "digest", digest, "source", p->c != NULL);
}

static void unload(DiffPack *p) {
  ipsf_pack_free(p->pack);
  if (p->c) compilation_free(p->c);
}

int cmd_diff(int argc, char **argv) {
  Opts o = {.format = DIFF_TEXT, .fail_on = FAIL_NEVER, .max_cells = 1000000, .jobs = default_jobs()};
  int status = parse_options(&o, argc, argv);
  if (status < 0) return EXIT_OK;
  if (status != EXIT_OK) {
    strlist_free(&o.import_dirs);
    strlist_free(&o.allow_native);
    return status;
  }
  DiffCtx d = {.max_cells = o.max_cells, .by_component = o.by_component, .jobs = o.jobs};
  status = EXIT_OK;
  if (!load(&d.old, argv[optind], &o, &status) || !load(&d.new_, argv[optind + 1], &o, &status)) {
    unload(&d.old);
    unload(&d.new_);
    strlist_free(&o.import_dirs);
    strlist_free(&o.allow_native);
    return status;
  }
  json_t *report = json_pack("{s:o, s:o, s:s}", "old", pack_info(&d.old), "new", pack_info(&d.new_),
                             "class", "equivalent");
  diff_interface(&d, report);
  FILE *changes = NULL;
  size_t nsheets = (size_t)(argc - optind - 2);
  if (nsheets) {
    changes = tmpfile();
    if (!changes) {
      cli_error("diff", "cannot create a temporary file");
      status = EXIT_INTERNAL;
    } else if (!diff_corpus(&d, (const char *const *)argv + optind + 2, nsheets, changes, report)) {
      status = EXIT_INPUT;
    }
  } else {
    diff_symbolic(&d, report);
  }
  const char *cls = d.changes == 0 && d.unproved ? "unknown" : diff_class_name(d.classes);
  json_object_set_new(report, "class", json_string(cls));
  json_object_set_new(report, "proved", json_boolean(!d.unproved));
  if (status == EXIT_OK) {
    diff_print(stdout, o.format, report, changes);
    bool forbidden = false;
    unsigned c = d.classes;
    switch (o.fail_on) {
    case FAIL_ANY: forbidden = d.changes > 0 || d.unproved; break;
    case FAIL_LOOSER: forbidden = (c & (DC_LOOSER | DC_OTHER)) || d.unproved; break;
    case FAIL_STRICTER: forbidden = (c & (DC_STRICTER | DC_OTHER)) || d.unproved; break;
    default: break;
    }
    if (forbidden) status = EXIT_FINDING;
  }
  if (changes) fclose(changes);
  json_decref(report);
  unload(&d.old);
  unload(&d.new_);
  strlist_free(&o.import_dirs);
  strlist_free(&o.allow_native);
  return status;
}
