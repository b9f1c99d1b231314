/*
 * fmt_internal.h -- private to the formatter (compiler/fmt*.c).
 *
 *   fmt.c           the printer: one function per construct, the entry
 *                   points and the self-check (fmt.c's header comment
 *                   explains the whole design)
 *   fmt_comments.c  comments: found in the source, cut into chunks, each
 *                   comment assigned to the chunk it belongs to
 *   fmt_lines.c     line layout: display width, lines of pieces filled
 *                   greedily to FMT_WIDTH, output lines
 *
 * Text is built in the runtime's IpsfBuf (report.h); the compiler's rule
 * for exhaustion (exit 4, arena.h) is applied when a buffer is taken
 * (xbuf.h).
 */
#ifndef IPSF_FMT_INTERNAL_H
#define IPSF_FMT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "fmt.h"
#include "ipsfc_func.h"
#include "report.h"
#include "xbuf.h"

/* The formatter's own extern names, prefixed as ipsfc_func.h explains. */
#define assign_comments     ipsfc_assign_comments
#define chunk_begin         ipsfc_chunk_begin
#define chunk_end           ipsfc_chunk_end
#define chunk_has_blank     ipsfc_chunk_has_blank
#define comment_starting_at ipsfc_comment_starting_at
#define comment_within      ipsfc_comment_within
#define dwidth              ipsfc_dwidth
#define emit_line           ipsfc_emit_line
#define emit_text           ipsfc_emit_text
#define find_chunk          ipsfc_find_chunk
#define lbreak              ipsfc_lbreak
#define lhard               ipsfc_lhard
#define line_fits_flat      ipsfc_line_fits_flat
#define line_free           ipsfc_line_free
#define lspaces             ipsfc_lspaces
#define lt                  ipsfc_lt
#define lt_take             ipsfc_lt_take
#define punct_before        ipsfc_punct_before
#define push_line           ipsfc_push_line
#define scan_comments       ipsfc_scan_comments
#define skip_fwd            ipsfc_skip_fwd
#define utf8_decode         ipsfc_utf8_decode
#define word_before         ipsfc_word_before

/* ---- text buffers ------------------------------------------------------------ */

static inline void fmt_putc(IpsfBuf *b, char c) { ipsf_buf_put(b, &c, 1); }

static inline void fmt_spaces(IpsfBuf *b, int n) {
  for (int i = 0; i < n; i++) fmt_putc(b, ' ');
}

/* The text (malloc'd, never NULL); the buffer is left empty (xbuf.h). */
static inline char *fmt_take(IpsfBuf *b) { return xbuf_take(b); }

/* ---- comments and chunks ----------------------------------------------------- */

enum { ROLE_LEAD, ROLE_TRAIL, ROLE_INSIDE };

typedef struct {
  uint32_t start, end; /* bytes: "//..." up to (not including) the newline, or "/ *...* /" */
  bool block;
  bool blank;          /* a blank line before it in the source */
  bool same_line;      /* on the line of the code before it (only comments between) */
  int role;            /* ROLE_* in its chunk */
  size_t chunk;
} Comment;

typedef struct {
  Comment *items;
  size_t count, cap;
} Comments;

static inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

typedef struct {
  char *code;   /* the line, indentation included, no newline */
  char *trail;  /* trailing comment(s), or NULL */
  bool blank;   /* a blank line before it */
} OutLine;

typedef struct {
  uint32_t off;        /* first byte of its first token (the length of the file: the end) */
  bool blank;          /* a blank line before it in the source */
  size_t first, count; /* its comments: items[first .. first+count) */
} Chunk;

typedef struct {
  const char *src;
  uint32_t len;
  const Module *m;
  Comments cm;
  bool collect;        /* first pass: record chunk offsets only */
  uint32_t *offs;      /* first pass: chunk offsets */
  size_t noffs, capoffs;
  Chunk *chunks;       /* second pass */
  size_t nchunks;

  OutLine *out;
  size_t nout, capout;
  bool suppress_blank; /* at the start of the file or of a block */
  bool pending_blank;  /* the next code line has a blank line before it */
  Chunk *cur;          /* the chunk being printed */
  size_t cur_first_line;
  bool lost;           /* a chunk was not found (a bug: reported by the self-check) */
} Fmt;

/* ---- lines ------------------------------------------------------------------- */

typedef enum { PK_TEXT, PK_BREAK, PK_HARD } PieceKind;

typedef struct {
  PieceKind kind;
  char *text; /* PK_TEXT */
  int cont;   /* PK_BREAK, PK_HARD: column of the continuation line */
} Piece;

typedef struct {
  Piece *items;
  size_t count, cap;
  int col; /* the column after everything so far, if nothing breaks before */
} Line;

/* fmt_comments.c */
IPSFC_FUNC void scan_comments(const char *t, size_t n, Comments *out);
IPSFC_FUNC void push_line(Fmt *F, char *code, bool blank);
IPSFC_FUNC Chunk *find_chunk(Fmt *F, uint32_t off);
IPSFC_FUNC void chunk_begin(Fmt *F, uint32_t off, int cindent);
IPSFC_FUNC void chunk_end(Fmt *F);
IPSFC_FUNC bool chunk_has_blank(Fmt *F, uint32_t off);
IPSFC_FUNC bool comment_within(const Fmt *F, uint32_t from, uint32_t to);
IPSFC_FUNC long comment_starting_at(const Fmt *F, uint32_t off);
IPSFC_FUNC uint32_t word_before(const Fmt *F, uint32_t off);
IPSFC_FUNC uint32_t punct_before(const Fmt *F, uint32_t off);
IPSFC_FUNC uint32_t skip_fwd(const Fmt *F, uint32_t off);
IPSFC_FUNC void assign_comments(Fmt *F);

/* fmt_lines.c */
IPSFC_FUNC uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *len);
IPSFC_FUNC int dwidth(const char *s);
IPSFC_FUNC void lt(Line *l, const char *s);
IPSFC_FUNC void lt_take(Line *l, char *s);
IPSFC_FUNC void lspaces(Line *l, int n);
IPSFC_FUNC void lbreak(Line *l, int cont);
IPSFC_FUNC void lhard(Line *l, int cont);
IPSFC_FUNC void line_free(Line *l);
IPSFC_FUNC bool line_fits_flat(const Line *l);
IPSFC_FUNC void emit_line(Fmt *F, Line *l);
IPSFC_FUNC void emit_text(Fmt *F, int indent, const char *s);

#endif
