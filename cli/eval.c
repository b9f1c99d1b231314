/*
 * eval.c -- `ipsfc eval PACK SHEET...`: place devices, list requirements.
 *
 * Each sheet is read whole (JSON, YAML) or line by line (JSON Lines, and
 * `-` for standard input); each (sheet, profile) gives one record, in input
 * order.  A sheet that cannot be read or evaluated gives an error record and
 * the run goes on; the exit code then says that errors happened.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "sheet.h"

static const char help[] =
    "usage: ipsfc eval PACK SHEET... [options]\n\n"
    "Evaluate device fact sheets (JSON, JSON Lines, YAML; '-' reads JSON Lines\n"
    "from standard input) against a rule pack (.ipsf source or .ipsb bytecode)\n"
    "and print one record per sheet and profile.\n\n"
    "options:\n"
    "      --format FMT       text (default), json (one array) or jsonl (one\n"
    "                         record per line); csv, sarif, junit are not built yet\n"
    "      --explain          list the rules behind every level (reasons)\n"
    "      --profile NAME     evaluate only this profile of each sheet\n"
    "      --fail-on WHAT     error (default): exit 3 if any record is an error;\n"
    "                         unmet: also exit 1 if a requirement is unmet or\n"
    "                         has no evidence (unknown);\n"
    "                         never: exit 0 whatever the records say\n"
    "      --allow-unknown-facts  ignore facts the pack does not declare\n"
    "  -I, --import DIR       look for imported modules in DIR (source packs)\n"
    "      --jobs N           only 1 is built yet\n"
    "      --allow-native LIB, --require-signature KEY   not built yet\n"
    "  -h, --help             this text\n\n"
    "exit: 0 success; 1 unmet requirements under --fail-on unmet; 2 usage;\n"
    "      3 the pack cannot be loaded, or a record is an error.\n\n"
    "example:\n"
    "  ipsfc eval examples/smart-home/pack.ipsf examples/smart-home/devices/*.json\n"
    "  cat devices.jsonl | ipsfc eval pack.ipsb - --format jsonl\n";

typedef enum { FAIL_ON_ERROR, FAIL_ON_UNMET, FAIL_ON_NEVER } FailOn;

typedef struct {
  IpsfReporter reporter;
  const char *profile;    /* --profile, or NULL */
  IpsfBindOptions bind;
  FailOn fail_on;
  StrList import_dirs;
  /* run state */
  const IpsfPack *pack;
  IpsfEval *ev;
  IpsfBuf out;
  size_t errors, unmet;
  bool write_failed;
} Run;

static void flush_record(Run *r) {
  /* Records go out as they are made, so eval works as a filter. */
  if (r->out.failed) {
    fprintf(stderr, "ipsfc eval: out of memory while writing a record\n");
    r->write_failed = true;
  }
  if (!ipsf_buf_flush(&r->out, stdout) || fflush(stdout) != 0) r->write_failed = true;
}

static void emit_error(Run *r, const IpsfRecordHead *h, const IpsfError *err) {
  ipsf_report_error(&r->out, &r->reporter, h, r->pack, err);
  r->errors++;
  flush_record(r);
}

/* Under --fail-on unmet, a requirement without evidence (unknown) is not
 * shown to be met either: it counts. */
static void count_unmet(Run *r) {
  for (uint32_t q = 0; q < r->pack->requirement_count; q++)
    if (ipsf_eval_applies(r->ev, q) && ipsf_eval_status(r->ev, q) != IPSF_MET) r->unmet++;
}

static void eval_profile(Run *r, IpsfRecordHead *h, json_t *doc, const char *profile) {
  IpsfError err = {0};
  h->profile = profile;
  ipsf_eval_begin(r->ev);
  if (!ipsf_sheet_bind(r->ev, doc, profile, &r->bind, &err) || !ipsf_eval_run(r->ev, &err)) {
    emit_error(r, h, &err);
    return;
  }
  count_unmet(r);
  ipsf_report_record(&r->out, &r->reporter, h, r->ev);
  flush_record(r);
}

static void eval_document(Run *r, IpsfRecordHead *h, json_t *doc) {
  h->device = json_is_object(doc) ? ipsf_sheet_device(doc) : NULL;
  size_t n = json_is_object(doc) ? ipsf_sheet_profile_count(doc) : 0;
  if (r->profile) {
    eval_profile(r, h, doc, r->profile);
    return;
  }
  if (n == 0) {
    eval_profile(r, h, doc, NULL);
    return;
  }
  for (size_t i = 0; i < n; i++) eval_profile(r, h, doc, ipsf_sheet_profile_name(doc, i));
}

static void eval_jsonl(Run *r, const char *path) {
  IpsfJsonlReader reader;
  IpsfError err = {0};
  IpsfRecordHead h = {path, 0, NULL, r->profile};
  if (!ipsf_jsonl_open(&reader, path, &err)) {
    emit_error(r, &h, &err);
    return;
  }
  for (;;) {
    json_t *doc = NULL;
    int got = ipsf_jsonl_next(&reader, &doc, &err);
    if (got == 0) break;
    h = (IpsfRecordHead){path, reader.line_no, NULL, r->profile};
    if (got < 0) {
      h.line = 0;
      emit_error(r, &h, &err);
      break;
    }
    if (!doc) emit_error(r, &h, &err);
    else eval_document(r, &h, doc);
    json_decref(doc);
    if (r->write_failed) break;
  }
  ipsf_jsonl_close(&reader);
}

static void eval_file(Run *r, const char *path) {
  IpsfSheetFormat format = ipsf_sheet_format_of(path);
  if (format == IPSF_SHEET_JSONL) {
    eval_jsonl(r, path);
    return;
  }
  IpsfError err = {0};
  IpsfRecordHead h = {path, 0, NULL, r->profile};
  json_t *doc = format == IPSF_SHEET_YAML ? ipsf_sheet_read_yaml_file(path, &err)
                                          : ipsf_sheet_read_json_file(path, &err);
  if (!doc) {
    emit_error(r, &h, &err);
    return;
  }
  eval_document(r, &h, doc);
  json_decref(doc);
}

static int parse_format(Run *r, const char *f) {
  if (strcmp(f, "text") == 0) r->reporter.format = IPSF_OUT_TEXT;
  else if (strcmp(f, "json") == 0) r->reporter.format = IPSF_OUT_JSON;
  else if (strcmp(f, "jsonl") == 0) r->reporter.format = IPSF_OUT_JSONL;
  else if (strcmp(f, "csv") == 0 || strcmp(f, "sarif") == 0 || strcmp(f, "junit") == 0)
    return cli_usage("eval", "--format %s is not built yet in this version", f);
  else return cli_usage("eval", "unknown format '%s' (text, json, jsonl)", f);
  return EXIT_OK;
}

static int parse_fail_on(Run *r, const char *f) {
  if (strcmp(f, "error") == 0) r->fail_on = FAIL_ON_ERROR;
  else if (strcmp(f, "unmet") == 0) r->fail_on = FAIL_ON_UNMET;
  else if (strcmp(f, "never") == 0) r->fail_on = FAIL_ON_NEVER;
  else return cli_usage("eval", "--fail-on takes unmet, error or never, not '%s'", f);
  return EXIT_OK;
}

enum { OPT_FORMAT = 256, OPT_EXPLAIN, OPT_PROFILE, OPT_FAIL_ON, OPT_UNKNOWN, OPT_JOBS,
       OPT_NATIVE, OPT_SIGNATURE };

static int parse_options(Run *r, int argc, char **argv) {
  static const struct option opts[] = {
      {"format", required_argument, 0, OPT_FORMAT},
      {"explain", no_argument, 0, OPT_EXPLAIN},
      {"profile", required_argument, 0, OPT_PROFILE},
      {"fail-on", required_argument, 0, OPT_FAIL_ON},
      {"allow-unknown-facts", no_argument, 0, OPT_UNKNOWN},
      {"jobs", required_argument, 0, OPT_JOBS},
      {"allow-native", required_argument, 0, OPT_NATIVE},
      {"require-signature", required_argument, 0, OPT_SIGNATURE},
      {"import", required_argument, 0, 'I'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int c, status = EXIT_OK;
  optind = 0;
  opterr = 0;
  while (status == EXIT_OK && (c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_FORMAT: status = parse_format(r, optarg); break;
    case OPT_EXPLAIN: r->reporter.explain = true; break;
    case OPT_PROFILE: r->profile = optarg; break;
    case OPT_FAIL_ON: status = parse_fail_on(r, optarg); break;
    case OPT_UNKNOWN: r->bind.allow_unknown_facts = true; break;
    case OPT_JOBS:
      if (strcmp(optarg, "1") != 0)
        status = cli_usage("eval", "--jobs %s: only --jobs 1 is built yet in this version", optarg);
      break;
    case OPT_NATIVE:
      status = cli_usage("eval", "--allow-native is not built yet in this version");
      break;
    case OPT_SIGNATURE:
      status = cli_usage("eval", "--require-signature is not built yet in this version; "
                                 "refusing to run unchecked");
      break;
    case 'I': strlist_push(&r->import_dirs, optarg); break;
    case 'h': cli_help(help); return -1;
    case ':': status = cli_usage("eval", "%s needs an argument", argv[optind - 1]); break;
    default: status = cli_usage("eval", "unknown option '%s'", argv[optind - 1]); break;
    }
  }
  if (status == EXIT_OK && argc - optind < 2)
    status = cli_usage("eval", "expected a PACK and at least one SHEET");
  return status;
}

static int exit_code(const Run *r) {
  if (r->write_failed) return EXIT_INTERNAL;
  if (r->fail_on == FAIL_ON_NEVER) return EXIT_OK;
  if (r->errors) return EXIT_INPUT;
  if (r->fail_on == FAIL_ON_UNMET && r->unmet) return EXIT_FINDING;
  return EXIT_OK;
}

int cmd_eval(int argc, char **argv) {
  Run r = {0};
  int status = parse_options(&r, argc, argv);
  if (status != EXIT_OK) {
    strlist_free(&r.import_dirs);
    return status < 0 ? EXIT_OK : status;
  }
  IpsfPack *pack = cli_load_pack(argv[optind], &r.import_dirs, &status);
  strlist_free(&r.import_dirs);
  if (!pack) return status;
  r.pack = pack;
  r.ev = ipsf_eval_new(pack);
  if (!r.ev) {
    fprintf(stderr, "ipsfc eval: out of memory\n");
    ipsf_pack_free(pack);
    return EXIT_INTERNAL;
  }
  r.reporter.color = r.reporter.format == IPSF_OUT_TEXT && cli_color(stdout);
  ipsf_buf_init(&r.out);
  ipsf_report_begin(&r.out, &r.reporter);
  for (int i = optind + 1; i < argc && !r.write_failed; i++) eval_file(&r, argv[i]);
  ipsf_report_end(&r.out, &r.reporter);
  flush_record(&r);
  ipsf_buf_free(&r.out);
  ipsf_eval_free(r.ev);
  ipsf_pack_free(pack);
  return exit_code(&r);
}
