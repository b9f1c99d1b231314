/*
 * sheet_io.c -- reading sheet files whole: JSON and YAML files, stdin.
 *
 * The readers of the formats (sheet_json.c, sheet_yaml.c) parse text in
 * memory; this file owns getting that text, with the size limit that keeps
 * one huge file from exhausting memory, and dispatches to the parser of the
 * format.  It sits above both, so neither format depends on the other.
 * JSON Lines is read line by line instead (sheet_json.c, sheet_stream.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sheet.h"
#include "util.h"

const char *ipsf_size_text(size_t bytes, char *buf, size_t size) {
  if (bytes % (1024u * 1024u) == 0) snprintf(buf, size, "%zu MiB", bytes / (1024u * 1024u));
  else snprintf(buf, size, "%zu bytes", bytes);
  return buf;
}

bool ipsf_sheet_slurp(const char *path, char **text, size_t *len, IpsfError *err) {
  return ipsf_sheet_slurp_max(path, IPSF_SHEET_MAX_FILE, text, len, err);
}

bool ipsf_sheet_slurp_max(const char *path, size_t max, char **text, size_t *len,
                          IpsfError *err) {
  char limit[48];
  *text = NULL;
  *len = 0;
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) return ipsf_fail(err, IPSF_ERR_IO, "cannot open: %s", strerror(errno));
  size_t cap = 0, n = 0;
  char *buf = NULL;
  bool ok = true;
  for (;;) {
    if (n + 1 >= cap) { /* full: grow, up to one byte past the limit */
      if (cap >= max + 2) {
        ok = ipsf_fail(err, IPSF_ERR_LIMIT, "file larger than %s",
                       ipsf_size_text(max, limit, sizeof limit));
        break;
      }
      char *p = ipsf_grow(buf, &cap, n + 2, 1, 65536, max + 2);
      if (!p) {
        ok = ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading the file");
        break;
      }
      buf = p;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (n > max) {
      ok = ipsf_fail(err, IPSF_ERR_LIMIT, "file larger than %s",
                     ipsf_size_text(max, limit, sizeof limit));
      break;
    }
    if (got == 0) {
      if (ferror(f)) ok = ipsf_fail(err, IPSF_ERR_IO, "cannot read: %s", strerror(errno));
      break;
    }
  }
  if (!is_stdin) fclose(f);
  if (!ok) {
    free(buf);
    return false;
  }
  if (!buf && !(buf = malloc(1)))
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading the file");
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return true;
}

json_t *ipsf_sheet_read_file(const char *path, IpsfSheetFormat format, size_t max,
                             IpsfError *err) {
  char *text;
  size_t len;
  if (!ipsf_sheet_slurp_max(path, max ? max : IPSF_SHEET_MAX_FILE, &text, &len, err)) return NULL;
  json_t *doc = format == IPSF_SHEET_YAML ? ipsf_sheet_parse_yaml(text, len, err)
                                          : ipsf_sheet_parse_json(text, len, err);
  free(text);
  return doc;
}

json_t *ipsf_sheet_read_json_file(const char *path, IpsfError *err) {
  return ipsf_sheet_read_file(path, IPSF_SHEET_JSON, 0, err);
}

json_t *ipsf_sheet_read_yaml_file(const char *path, IpsfError *err) {
  return ipsf_sheet_read_file(path, IPSF_SHEET_YAML, 0, err);
}
