/*
 * embed.c -- the runtime in a program of your own, through the installed
 * library (docs/embedding.md):
 *
 *   cc embed.c $(pkg-config --cflags --libs ipsf) -o embed
 *   ./embed PACK.ipsb SHEET.json...
 *
 * Loads and verifies a compiled pack, lists its scales, then evaluates each
 * sheet and prints its records as JSON Lines (what `ipsfc eval --format
 * jsonl` prints, with "sheet" and "line" null).  Exit 0; 1 if a record is
 * an error; 2 usage; 3 the pack or a file cannot be read.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: embed PACK.ipsb SHEET.json...\n");
    return 2;
  }
  json_set_alloc_funcs(ipsf_json_malloc, free); /* ipsf.h: before any thread */
  IpsfError err;
  IpsfPack *pack = ipsf_pack_load_file(argv[1], &err);
  if (!pack) {
    fprintf(stderr, "embed: %s: %s\n", argv[1], err.message);
    return 3;
  }
  fprintf(stderr, "embed: ipsf %s, pack %s %s:", ipsf_version(), ipsf_pack_name(pack),
          ipsf_pack_version(pack));
  for (uint32_t s = 0; s < ipsf_pack_scale_count(pack); s++)
    fprintf(stderr, " %s(%u levels)", ipsf_pack_scale_name(pack, s),
            ipsf_pack_level_count(pack, s));
  fprintf(stderr, "\n");
  IpsfEval *ev = ipsf_eval_new(pack);
  int status = ev ? 0 : 3;
  for (int i = 2; i < argc && ev; i++) {
    size_t len, n, errors;
    char *text = slurp(argv[i], &len);
    if (!text) {
      fprintf(stderr, "embed: cannot read %s\n", argv[i]);
      status = 3;
      continue;
    }
    char *records = ipsf_evaluate_text(ev, text, len, IPSF_SYNTAX_JSON, NULL,
                                       IPSF_RECORDS_JSONL, 0, NULL, &n, &errors);
    free(text);
    if (!records) {
      fprintf(stderr, "embed: out of memory\n");
      status = 3;
      break;
    }
    fputs(records, stdout);
    ipsf_free(records);
    if (errors && !status) status = 1;
  }
  ipsf_eval_free(ev);
  ipsf_pack_free(pack);
  return fflush(stdout) == 0 ? status : 3;
}
