/*
 * csv.c -- the CSV reader of csv.h (table-driven tests).
 *
 * One pass over the text with a cursor; a field is copied to the arena
 * when it ends.  The line count advances at every line end, inside quotes
 * too, so that a record's line is where it starts.
 */
#include <string.h>

#include "csv.h"

typedef struct {
  Arena *a;
  const char *p, *end;
  uint32_t line;
  const char *line_start;
  CsvTable *t;
} Cur;

static bool fail(Cur *c, const char *at, const char *what) {
  c->t->error = arena_printf(c->a, "line %u, column %u: %s", (unsigned)c->line,
                             (unsigned)(at - c->line_start + 1), what);
  return false;
}

/* At a line end: step over it ("\r\n" is one). */
static bool line_end(Cur *c) {
  if (c->p >= c->end || (*c->p != '\n' && *c->p != '\r')) return false;
  if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n') c->p++;
  c->p++;
  c->line++;
  c->line_start = c->p;
  return true;
}

typedef struct {
  char *s;
  size_t len, cap;
} Text;

static void text_add(Arena *a, Text *t, char ch) {
  if (t->len + 1 >= t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 32;
    char *s = arena_alloc(a, cap);
    if (t->len) memcpy(s, t->s, t->len);
    t->s = s;
    t->cap = cap;
  }
  t->s[t->len++] = ch;
  t->s[t->len] = '\0';
}

/* One field, the cursor on its first character; it stops on the ',' or
 * line end after it (or the end of the text). */
static bool field(Cur *c, const char **out) {
  Text t = {0};
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
  if (c->p < c->end && *c->p == '"') {
    const char *open = c->p++;
    uint32_t open_line = c->line;
    const char *open_line_start = c->line_start;
    for (;;) {
      if (c->p >= c->end) {
        c->line = open_line; /* the error is at the opening quote */
        c->line_start = open_line_start;
        return fail(c, open, "a quoted field is not closed");
      }
      if (*c->p == '"') {
        if (c->p + 1 < c->end && c->p[1] == '"') {
          text_add(c->a, &t, '"');
          c->p += 2;
          continue;
        }
        c->p++;
        break;
      }
      if (*c->p == '\n' || *c->p == '\r') {
        bool crlf = *c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n';
        text_add(c->a, &t, '\n');
        c->p += crlf ? 2 : 1;
        c->line++;
        c->line_start = c->p;
        continue;
      }
      text_add(c->a, &t, *c->p++);
    }
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
    if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
      return fail(c, c->p, "text after a closing quote (a quote in a field is written \"\")");
  } else {
    const char *start = c->p;
    while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
      if (*c->p == '"')
        return fail(c, c->p, "a quote inside an unquoted field (quote the whole field)");
      c->p++;
    }
    const char *stop = c->p;
    while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t')) stop--;
    for (const char *q = start; q < stop; q++) text_add(c->a, &t, *q);
  }
  *out = t.s ? t.s : "";
  return true;
}

static void row_add(Arena *a, CsvRow *r, const char *f, uint32_t column, size_t *cap) {
  if (r->count == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    const char **fields = arena_array(a, *cap, sizeof *fields);
    uint32_t *columns = arena_array(a, *cap, sizeof *columns);
    if (r->count) {
      memcpy(fields, r->fields, r->count * sizeof *fields);
      memcpy(columns, r->columns, r->count * sizeof *columns);
    }
    r->fields = fields;
    r->columns = columns;
  }
  r->columns[r->count] = column;
  r->fields[r->count++] = f;
}

bool csv_parse(Arena *a, const char *text, size_t len, CsvTable *t) {
  *t = (CsvTable){0};
  Cur c = {a, text, text + len, 1, text, t};
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) c.p += 3, c.line_start = c.p;
  size_t rows_cap = 0;
  while (c.p < c.end) {
    /* blank lines and comment lines */
    const char *q = c.p;
    while (q < c.end && (*q == ' ' || *q == '\t')) q++;
    if (q >= c.end) break;
    if (*q == '\n' || *q == '\r' || *q == '#') {
      c.p = q;
      while (c.p < c.end && *c.p != '\n' && *c.p != '\r') c.p++;
      line_end(&c);
      continue;
    }
    CsvRow row = {NULL, NULL, 0, c.line};
    size_t cap = 0;
    for (;;) {
      const char *f;
      uint32_t column = (uint32_t)(c.p - c.line_start + 1);
      if (!field(&c, &f)) return false;
      row_add(a, &row, f, column, &cap);
      if (c.p < c.end && *c.p == ',') {
        c.p++;
        continue;
      }
      line_end(&c);
      break;
    }
    if (t->count == rows_cap) {
      rows_cap = rows_cap ? rows_cap * 2 : 16;
      CsvRow *rows = arena_array(a, rows_cap, sizeof *rows);
      if (t->count) memcpy(rows, t->rows, t->count * sizeof *rows);
      t->rows = rows;
    }
    t->rows[t->count++] = row;
  }
  return true;
}
