/*
 * fmt_comments.c -- the formatter's comments: found in the source, the
 * file cut into chunks, each comment assigned to its chunk as a leading,
 * trailing or inside comment.  The design: fmt.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt_internal.h"

/* ---- comments --------------------------------------------------------------------- */


/* Scan text for comments as the scanner sees them: strings (which stop at
 * a newline) are skipped, and so are the insides of comments. */
void scan_comments(const char *t, size_t n, Comments *out) {
  size_t i = 0;
  while (i < n) {
    char c = t[i];
    if (c == '"') {
      i++;
      while (i < n && t[i] != '"' && t[i] != '\n')
        i += (t[i] == '\\' && i + 1 < n && t[i + 1] != '\n') ? 2 : 1;
      if (i < n && t[i] == '"') i++;
    } else if (c == '/' && i + 1 < n && (t[i + 1] == '/' || t[i + 1] == '*')) {
      bool block = t[i + 1] == '*';
      size_t start = i;
      if (block) {
        i += 2;
        while (i < n && !(t[i] == '*' && i + 1 < n && t[i + 1] == '/')) i++;
        i = i < n ? i + 2 : n;
      } else {
        while (i < n && t[i] != '\n') i++;
      }
      if (out) {
        if (out->count == out->cap) {
          out->cap = out->cap ? out->cap * 2 : 16;
          out->items = xrealloc_array(out->items, out->cap, sizeof *out->items);
        }
        out->items[out->count++] =
            (Comment){.start = (uint32_t)start, .end = (uint32_t)i, .block = block};
      }
    } else {
      i++;
    }
  }
}

size_t fmt_count_comments(const char *text, size_t len) {
  Comments c = {0};
  scan_comments(text, len, &c);
  free(c.items);
  return c.count;
}


/* ---- chunks ------------------------------------------------------------------------ */


void push_line(Fmt *F, char *code, bool blank) {
  if (F->nout == F->capout) {
    F->capout = F->capout ? F->capout * 2 : 64;
    F->out = xrealloc_array(F->out, F->capout, sizeof *F->out);
  }
  /* no trailing spaces */
  size_t n = strlen(code);
  while (n > 0 && (code[n - 1] == ' ' || code[n - 1] == '\t')) code[--n] = '\0';
  F->out[F->nout++] = (OutLine){code, NULL, blank && !F->suppress_blank && F->nout > 0};
  F->suppress_blank = false;
}

/* A comment's text as printed: line comments without trailing blanks (and
 * a carriage return); block comments verbatim but for trailing blanks on
 * each of their lines. */
static char *comment_text(const Fmt *F, const Comment *c) {
  IpsfBuf b = {0};
  const char *s = F->src + c->start;
  size_t n = c->end - c->start;
  size_t line_start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '\n') {
      size_t e = i;
      while (e > line_start && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) e--;
      ipsf_buf_put(&b, s + line_start, e - line_start);
      if (i < n) fmt_putc(&b, '\n');
      line_start = i + 1;
    }
  }
  return fmt_take(&b);
}

/* A comment on its own line(s); the lines after the first of a block
 * comment are kept as they are (they are the author's drawing). */
static void comment_line(Fmt *F, const Comment *c, int indent, bool blank) {
  char *text = comment_text(F, c);
  IpsfBuf b = {0};
  fmt_spaces(&b, indent);
  ipsf_buf_puts(&b, text);
  free(text);
  /* A multi-line block comment is one OutLine holding newlines: the
   * serialiser writes it as it is. */
  push_line(F, fmt_take(&b), blank);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

Chunk *find_chunk(Fmt *F, uint32_t off) {
  size_t lo = 0, hi = F->nchunks;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (F->chunks[mid].off < off) lo = mid + 1;
    else hi = mid;
  }
  return lo < F->nchunks && F->chunks[lo].off == off ? &F->chunks[lo] : NULL;
}

/* Start printing the chunk whose first token is at off: its leading
 * comments (at indent cindent), then the comments from inside it. */
void chunk_begin(Fmt *F, uint32_t off, int cindent) {
  if (F->collect) {
    if (F->noffs == F->capoffs) {
      F->capoffs = F->capoffs ? F->capoffs * 2 : 64;
      F->offs = xrealloc_array(F->offs, F->capoffs, sizeof *F->offs);
    }
    F->offs[F->noffs++] = off;
    return;
  }
  Chunk *c = find_chunk(F, off);
  F->cur = c;
  if (!c) {
    F->lost = true;
    F->cur_first_line = F->nout;
    return;
  }
  bool blank = c->blank;
  for (size_t i = c->first; i < c->first + c->count; i++)
    if (F->cm.items[i].role == ROLE_LEAD)
      comment_line(F, &F->cm.items[i], cindent, F->cm.items[i].blank);
  for (size_t i = c->first; i < c->first + c->count; i++)
    if (F->cm.items[i].role == ROLE_INSIDE) {
      comment_line(F, &F->cm.items[i], cindent, blank);
      blank = false;
    }
  F->pending_blank = blank;
  F->cur_first_line = F->nout;
}

/* The chunk's trailing comments, at the end of its last line. */
void chunk_end(Fmt *F) {
  if (F->collect || !F->cur) return;
  Chunk *c = F->cur;
  F->cur = NULL;
  for (size_t i = c->first; i < c->first + c->count; i++) {
    const Comment *cm = &F->cm.items[i];
    if (cm->role != ROLE_TRAIL) continue;
    if (F->nout == F->cur_first_line) { /* the chunk printed nothing */
      comment_line(F, cm, 0, false);
      continue;
    }
    OutLine *l = &F->out[F->nout - 1];
    char *text = comment_text(F, cm);
    if (l->trail) {
      IpsfBuf b = {0};
      ipsf_buf_puts(&b, l->trail);
      fmt_putc(&b, ' ');
      ipsf_buf_puts(&b, text);
      free(l->trail);
      free(text);
      l->trail = fmt_take(&b);
    } else {
      l->trail = text;
    }
  }
}

/* Whether a blank line comes before the chunk at off, or before one of its
 * leading comments: such a chunk starts a new alignment group. */
bool chunk_has_blank(Fmt *F, uint32_t off) {
  if (F->collect) return false;
  Chunk *c = find_chunk(F, off);
  if (!c) return false;
  if (c->blank) return true;
  for (size_t i = c->first; i < c->first + c->count; i++)
    if (F->cm.items[i].role == ROLE_LEAD && F->cm.items[i].blank) return true;
  return false;
}

/* True if a comment starts within [from, to). */
bool comment_within(const Fmt *F, uint32_t from, uint32_t to) {
  size_t lo = 0, hi = F->cm.count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (F->cm.items[mid].start < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < F->cm.count && F->cm.items[lo].start < to;
}

/* The comment that ends (by_end) or starts exactly at off, if any
 * (index), else -1.  Comments do not overlap, so they are sorted by both
 * ends and one binary search serves. */
static long comment_at(const Fmt *F, uint32_t off, bool by_end) {
  size_t lo = 0, hi = F->cm.count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint32_t at = by_end ? F->cm.items[mid].end : F->cm.items[mid].start;
    if (at < off) lo = mid + 1;
    else hi = mid;
  }
  if (lo == F->cm.count) return -1;
  return (by_end ? F->cm.items[lo].end : F->cm.items[lo].start) == off ? (long)lo : -1;
}

static long comment_ending_at(const Fmt *F, uint32_t off) { return comment_at(F, off, true); }
long comment_starting_at(const Fmt *F, uint32_t off) { return comment_at(F, off, false); }

/* Back from off over blanks and comments: the offset just after the
 * previous token. */
static uint32_t skip_back(const Fmt *F, uint32_t off) {
  for (;;) {
    while (off > 0 && is_space(F->src[off - 1])) off--;
    long c = comment_ending_at(F, off);
    if (c < 0 || off == 0) return off;
    off = F->cm.items[c].start;
  }
}

/* The start of the word (keyword) just before off, e.g. `otherwise`
 * before the level name of an otherwise line. */
uint32_t word_before(const Fmt *F, uint32_t off) {
  off = skip_back(F, off);
  while (off > 0) {
    char c = F->src[off - 1];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      break;
    off--;
  }
  return off;
}

/* The offset of the punctuation byte just before off (e.g. the '{' of
 * `given {`). */
uint32_t punct_before(const Fmt *F, uint32_t off) {
  off = skip_back(F, off);
  return off > 0 ? off - 1 : 0;
}

/* Forward from off over blanks and comments: the next token (or len). */
uint32_t skip_fwd(const Fmt *F, uint32_t off) {
  for (;;) {
    while (off < F->len && is_space(F->src[off])) off++;
    long c = comment_starting_at(F, off);
    if (c < 0) return off;
    off = F->cm.items[c].end;
  }
}

/* Two newlines between the previous non-blank byte and off. */
static bool blank_before(const Fmt *F, uint32_t off) {
  int nl = 0;
  while (off > 0 && is_space(F->src[off - 1])) {
    if (F->src[off - 1] == '\n') nl++;
    off--;
  }
  return off > 0 && nl >= 2;
}

/* After the first pass: chunks from the offsets, comments to chunks. */
void assign_comments(Fmt *F) {
  qsort(F->offs, F->noffs, sizeof *F->offs, cmp_u32);
  size_t n = 0;
  for (size_t i = 0; i < F->noffs; i++)
    if (n == 0 || F->offs[n - 1] != F->offs[i]) F->offs[n++] = F->offs[i];
  F->chunks = xcalloc(n + 1, sizeof *F->chunks);
  for (size_t i = 0; i < n; i++)
    F->chunks[i] = (Chunk){.off = F->offs[i], .blank = blank_before(F, F->offs[i])};
  /* the end of the file: a chunk that prints nothing but the comments after
   * the last declaration */
  F->chunks[n] = (Chunk){.off = F->len};
  F->nchunks = n + 1;

  size_t k = 0; /* chunks[k] is the last chunk starting at or before the comment */
  for (size_t i = 0; i < F->cm.count; i++) {
    Comment *c = &F->cm.items[i];
    c->blank = blank_before(F, c->start);
    /* same line as the code (or trailing comments) before it? */
    uint32_t p = c->start;
    while (p > 0 && (F->src[p - 1] == ' ' || F->src[p - 1] == '\t')) p--;
    c->same_line = false;
    if (p > 0 && F->src[p - 1] != '\n' && F->src[p - 1] != '\r') {
      long prev = i > 0 && F->cm.items[i - 1].end == p ? (long)i - 1 : -1;
      if (prev < 0) c->same_line = true; /* code */
      else c->same_line = F->cm.items[prev].role == ROLE_TRAIL;
    }
    while (k + 1 < F->nchunks - 1 && F->chunks[k + 1].off <= c->start) k++;
    if (n == 0 || c->start < F->chunks[0].off) { /* before the first declaration */
      c->chunk = 0;
      c->role = ROLE_LEAD;
    } else {
      uint32_t next_code = skip_fwd(F, c->end);
      uint32_t next_chunk = k + 1 < F->nchunks ? F->chunks[k + 1].off : F->len;
      if (next_code < next_chunk) {
        c->chunk = k;
        c->role = ROLE_INSIDE;
      } else if (c->same_line) {
        c->chunk = k;
        c->role = ROLE_TRAIL;
      } else {
        c->chunk = k + 1;
        c->role = ROLE_LEAD;
      }
    }
  }
  /* comments are in source order, and so are their chunks */
  for (size_t i = 0; i < F->cm.count; i++) {
    Chunk *ch = &F->chunks[F->cm.items[i].chunk];
    if (ch->count == 0) ch->first = i;
    ch->count++;
  }
}
