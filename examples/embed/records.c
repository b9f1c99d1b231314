/*
 * records.c -- records in any of the CLI's formats, through the installed
 * library's record writer (docs/embedding.md, "Records as documents"):
 *
 *   cc records.c $(pkg-config --cflags --libs ipsf) -o records
 *   ./records FORMAT PACK.ipsb SHEET...
 *
 * FORMAT is text, json, jsonl, csv, sarif or junit.  Each sheet file (JSON,
 * YAML by extension, or JSON Lines for *.jsonl, one sheet per line) is
 * parsed, bound profile by profile and evaluated; its records, or error
 * records, go to one document on standard output, named by the path as
 * given: what `ipsfc eval --format FORMAT PACK SHEET...` writes.  Exit 0;
 * 2 usage; 3 the pack or a file cannot be read; 4 a write error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ipsf.h>

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *text = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (cap - *len < 4096) {
      char *t = realloc(text, cap = cap ? 2 * cap : 8192);
      if (!t) break;
      text = t;
    }
    size_t n = fread(text + *len, 1, cap - *len, f);
    *len += n;
    if (n == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(text);
    return NULL;
  }
  return text;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* One sheet (a document, or one JSON Lines line): a record per profile
 * (or one without), or an error record. */
static void sheet(IpsfRecordWriter *w, IpsfEval *ev, const char *text, size_t len,
                  IpsfSheetSyntax syntax, const char *name, uint64_t line) {
  IpsfError err;
  IpsfSheet *s = ipsf_sheet_load(text, len, syntax, &err);
  if (!s) {
    ipsf_record_writer_error(w, &err, name, line, NULL, NULL);
    return;
  }
  const char *device = ipsf_sheet_get_device(s);
  size_t profiles = ipsf_sheet_get_profile_count(s);
  for (size_t i = 0; i < (profiles ? profiles : 1); i++) {
    const char *profile = profiles ? ipsf_sheet_get_profile_name(s, i) : NULL;
    if (ipsf_eval_bind(ev, s, profile, 0, &err) && ipsf_eval_run(ev, &err))
      ipsf_record_writer_eval(w, ev, name, line, device, profile);
    else
      ipsf_record_writer_error(w, &err, name, line, device, profile);
  }
  ipsf_sheet_free(s);
}

int main(int argc, char **argv) {
  static const char *const names[] = {"text", "json", "jsonl", "csv", "sarif", "junit"};
  int format = -1;
  for (int f = 0; argc > 1 && f < 6; f++)
    if (strcmp(argv[1], names[f]) == 0) format = f;
  if (argc < 4 || format < 0) {
    fprintf(stderr, "usage: records text|json|jsonl|csv|sarif|junit PACK.ipsb SHEET...\n");
    return 2;
  }
  IpsfError err;
  IpsfPack *pack = ipsf_pack_load_file(argv[2], &err);
  if (!pack) {
    fprintf(stderr, "records: %s: %s\n", argv[2], err.message);
    return 3;
  }
  IpsfEval *ev = ipsf_eval_new(pack);
  IpsfRecordWriter *w = ipsf_record_writer_new(pack, (IpsfRecordFormat)format, 0);
  int status = ev && w ? 0 : 3;
  for (int i = 3; i < argc && !status; i++) {
    size_t len;
    char *text = slurp(argv[i], &len);
    if (!text) {
      fprintf(stderr, "records: cannot read %s\n", argv[i]);
      status = 3;
      break;
    }
    if (ends_with(argv[i], ".jsonl")) {
      uint64_t no = 0;
      for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        no++;
        size_t k = at;
        while (k < end && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r')) k++;
        if (k < end) /* blank lines count, but give no record */
          sheet(w, ev, text + at, end - at, IPSF_SYNTAX_JSONL, argv[i], no);
        at = end + 1;
      }
    } else {
      int yaml = ends_with(argv[i], ".yaml") || ends_with(argv[i], ".yml");
      sheet(w, ev, text, len, yaml ? IPSF_SYNTAX_YAML : IPSF_SYNTAX_JSON, argv[i], 0);
    }
    free(text);
    if (!ipsf_record_writer_flush(w, stdout, &err)) status = err.kind == IPSF_ERR_IO ? 4 : 3;
  }
  if (!status && !(ipsf_record_writer_end(w) && ipsf_record_writer_flush(w, stdout, &err)))
    status = 4;
  ipsf_record_writer_free(w);
  ipsf_eval_free(ev);
  ipsf_pack_free(pack);
  return fflush(stdout) == 0 ? status : 4;
}
