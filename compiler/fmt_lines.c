/*
 * fmt_lines.c -- the formatter's line layout: display width, lines of
 * pieces (text, optional breaks with a continuation column, forced breaks)
 * filled greedily to FMT_WIDTH, and their output as the current chunk's
 * lines.  The design: fmt.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt_internal.h"

/* ---- display width ------------------------------------------------------------ */

/* East Asian wide characters take two columns in a terminal or editor. */
static int cp_width(uint32_t cp) {
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
      (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

/* Decode one UTF-8 sequence at s (n bytes left); *len gets its length.  The
 * scanner has validated strings and comments, so a bad byte is only
 * counted as one column. */
uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *len) {
  unsigned char c = s[0];
  if (c < 0x80 || n < 2) {
    *len = 1;
    return c;
  }
  if ((c & 0xE0) == 0xC0) {
    *len = 2;
    return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
  }
  if ((c & 0xF0) == 0xE0 && n >= 3) {
    *len = 3;
    return ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
  }
  if ((c & 0xF8) == 0xF0 && n >= 4) {
    *len = 4;
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
           ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
  }
  *len = 1;
  return c;
}

int dwidth(const char *s) {
  int w = 0;
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    size_t len;
    uint32_t cp = utf8_decode((const unsigned char *)s + i, n - i, &len);
    if (s[i] == '\n') return w; /* only the first line counts */
    w += cp_width(cp);
    i += len;
  }
  return w;
}

/* ---- lines of pieces, filled greedily --------------------------------------------- */


static Piece *line_push(Line *l) {
  if (l->count == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->items = xrealloc_array(l->items, l->cap, sizeof *l->items);
  }
  return &l->items[l->count++];
}

void lt(Line *l, const char *s) {
  if (!*s) return;
  Piece *p = line_push(l);
  *p = (Piece){PK_TEXT, xstrdup(s), 0};
  l->col += dwidth(s);
}

void lt_take(Line *l, char *s) {
  Piece *p = line_push(l);
  *p = (Piece){PK_TEXT, s, 0};
  l->col += dwidth(s);
}

void lspaces(Line *l, int n) {
  if (n <= 0) return;
  char *s = xmalloc((size_t)n + 1);
  memset(s, ' ', (size_t)n);
  s[n] = '\0';
  lt_take(l, s);
}

/* A space, or a new line starting at column cont if the next run of text
 * would not fit. */
void lbreak(Line *l, int cont) {
  Piece *p = line_push(l);
  *p = (Piece){PK_BREAK, NULL, cont};
  l->col += 1;
}

void lhard(Line *l, int cont) {
  Piece *p = line_push(l);
  *p = (Piece){PK_HARD, NULL, cont};
  l->col = cont;
}

void line_free(Line *l) {
  for (size_t i = 0; i < l->count; i++) free(l->items[i].text);
  free(l->items);
  memset(l, 0, sizeof *l);
}

/* The width of the text after piece i up to the next break. */
static int run_width(const Line *l, size_t i) {
  int w = 0;
  for (size_t j = i + 1; j < l->count && l->items[j].kind == PK_TEXT; j++)
    w += dwidth(l->items[j].text);
  return w;
}

/* True if the line fits on one line of FMT_WIDTH (no forced break). */
bool line_fits_flat(const Line *l) {
  for (size_t i = 0; i < l->count; i++)
    if (l->items[i].kind == PK_HARD) return false;
  return l->col <= FMT_WIDTH;
}

/* Greedy filling: break where the next run would pass the width, unless
 * the break would not move the text left. */
static char *line_render(const Line *l) {
  IpsfBuf b = {0};
  int col = 0;
  for (size_t i = 0; i < l->count; i++) {
    const Piece *p = &l->items[i];
    if (p->kind == PK_TEXT) {
      ipsf_buf_puts(&b, p->text);
      col += dwidth(p->text);
    } else if (p->kind == PK_HARD ||
               (col + 1 + run_width(l, i) > FMT_WIDTH && col > p->cont)) {
      fmt_putc(&b, '\n');
      fmt_spaces(&b, p->cont);
      col = p->cont;
    } else {
      fmt_putc(&b, ' ');
      col++;
    }
  }
  return fmt_take(&b);
}

/* Print a line as the code of the current chunk. */
void emit_line(Fmt *F, Line *l) {
  char *text = line_render(l);
  line_free(l);
  char *p = text;
  for (;;) {
    char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    char *one = xmalloc(n + 1);
    memcpy(one, p, n);
    one[n] = '\0';
    push_line(F, one, F->pending_blank);
    F->pending_blank = false;
    if (!nl) break;
    p = nl + 1;
  }
  free(text);
}

void emit_text(Fmt *F, int indent, const char *s) {
  Line l = {0};
  lspaces(&l, indent);
  lt(&l, s);
  emit_line(F, &l);
}
