/*
 * sheet.h -- device fact sheets (private header).
 *
 * A sheet is one JSON object (see LANGUAGE.md §8): "device", "facts",
 * "profiles", "evidence".  Readers turn JSON, JSON Lines and YAML input
 * into jansson documents; sheet.c binds a document (and one profile of it)
 * to an evaluation context.
 */
#ifndef IPSF_SHEET_H
#define IPSF_SHEET_H

#include <stdio.h>
#include <jansson.h>

#include "eval.h"

typedef enum { IPSF_SHEET_JSON, IPSF_SHEET_JSONL, IPSF_SHEET_YAML } IpsfSheetFormat;

/* Limits on input (docs/sheets.md): a whole JSON or YAML file, one JSON
 * Lines line (without its newline), the nesting of YAML collections. */
#define IPSF_SHEET_MAX_FILE (64u * 1024u * 1024u)
#define IPSF_SHEET_MAX_LINE (16u * 1024u * 1024u)
#define IPSF_YAML_MAX_DEPTH 64u

/* Format by file name: .jsonl/.ndjson -> JSONL, .yaml/.yml -> YAML,
 * "-" -> JSONL, anything else -> JSON. */
IpsfSheetFormat ipsf_sheet_format_of(const char *path);

/* An allocator for jansson that lets the readers notice out of memory
 * inside a parse (jansson itself may drop a byte of a string and go on):
 * json_set_alloc_funcs(ipsf_json_malloc, free) once, in the program. */
void *ipsf_json_malloc(size_t size);

/* ---- sheet_io.c: whole files (sheet_json.c and sheet_yaml.c parse text) ---- */

/* Read one whole JSON or YAML document from a file (path "-" = stdin).
 * Returns a new reference, or NULL with err (IO or SYNTAX, with line:col). */
json_t *ipsf_sheet_read_json_file(const char *path, IpsfError *err);
json_t *ipsf_sheet_read_yaml_file(const char *path, IpsfError *err);
/* sheet_yaml.c, sheet_json.c: one YAML or JSON document from memory (for
 * JSON, a leading UTF-8 BOM is skipped). */
json_t *ipsf_sheet_parse_yaml(const char *text, size_t len, IpsfError *err);
json_t *ipsf_sheet_parse_json(const char *text, size_t len, IpsfError *err);

/* Read a whole file (path "-" = stdin) into a malloc'd, NUL-terminated
 * buffer; at most IPSF_SHEET_MAX_FILE bytes (else IPSF_ERR_LIMIT).
 * false with err (IO, LIMIT or NOMEM). */
bool ipsf_sheet_slurp(const char *path, char **text, size_t *len, IpsfError *err);
/* The same with another size limit (eval --max-sheet-bytes). */
bool ipsf_sheet_slurp_max(const char *path, size_t max, char **text, size_t *len,
                          IpsfError *err);

/* A JSON or YAML sheet file of at most max bytes (0: IPSF_SHEET_MAX_FILE). */
json_t *ipsf_sheet_read_file(const char *path, IpsfSheetFormat format, size_t max,
                             IpsfError *err);

/* "64 MiB", or "1000 bytes" when not whole MiB: a limit in a message. */
const char *ipsf_size_text(size_t bytes, char *buf, size_t size);

/* ---- sheet_json.c: JSON Lines, line by line ---- */

/* JSON Lines: a reader that yields one document per non-blank line. */
typedef struct {
  FILE *in;
  bool owns_in;
  char *line;       /* the current line (grows to at most max_line + 1) */
  size_t line_cap;
  size_t max_line;  /* longest line kept: IPSF_SHEET_MAX_LINE unless changed */
  uint64_t line_no; /* 1-based number of the line just read */
} IpsfJsonlReader;

bool ipsf_jsonl_open(IpsfJsonlReader *r, const char *path, IpsfError *err);
/* Read from a stream the caller keeps (and closes): stdin, a pipe, a
 * memory stream in tests. */
void ipsf_jsonl_open_stream(IpsfJsonlReader *r, FILE *in);
/* 1: *doc is a new reference, or NULL with err set for a bad line (kind
 * SYNTAX, or LIMIT for a line over IPSF_SHEET_MAX_LINE bytes); r->line_no
 * is that line's number and the next call goes on with the next line.
 * 0: end of input; -1: read error or out of memory (err set: IO, NOMEM). */
int ipsf_jsonl_next(IpsfJsonlReader *r, json_t **doc, IpsfError *err);
void ipsf_jsonl_close(IpsfJsonlReader *r);

/* A name or text from a sheet, made fit for a one-line message: at most 64
 * bytes (then "..."), control characters shown as '?'. */
typedef struct {
  char s[72];
} IpsfShownName;

IpsfShownName ipsf_shown_name(const char *text);

/* The profiles of a sheet, in document order. */
size_t ipsf_sheet_profile_count(json_t *doc);
const char *ipsf_sheet_profile_name(json_t *doc, size_t i);
/* The "device" string, or NULL. */
const char *ipsf_sheet_device(json_t *doc);

/* Check the document's shape and bind base facts, then the facts of
 * `profile` (NULL: none) and the evidence, to ev (ipsf_eval_begin first).
 * Strings in ev point into doc: keep doc alive until the evaluation ends. */
typedef struct {
  bool allow_unknown_facts;
} IpsfBindOptions;

bool ipsf_sheet_bind(IpsfEval *ev, json_t *doc, const char *profile,
                     const IpsfBindOptions *opt, IpsfError *err);

/* sheet_fast.c: bind one JSON Lines sheet without a jansson tree (after
 * ipsf_eval_begin).  line[len] must be a NUL; scratch must hold len + 1
 * bytes, and keeps the device name and string facts until the record is
 * written.  true: bound exactly as ipsf_sheet_bind would bind the parsed
 * line with no profile; *device is the "device" string or NULL.  false:
 * "fall back": parse the line with jansson and bind that (the error, if
 * any, comes from there).  Never fails for any other reason. */
bool ipsf_sheet_fast_bind(IpsfEval *ev, const char *line, size_t len, char *scratch,
                          const char **device);

/* One JSON Lines line parsed with jansson, with its error as
 * ipsf_jsonl_next reports it ("column N: ..."). */
json_t *ipsf_sheet_parse_jsonl_line(const char *text, size_t len, IpsfError *err);

/* ---- sheet_stream.c: JSON Lines in batches (eval at registry scale) ---- */

typedef struct {
  int fd;                /* -1 when reading through `read` */
  bool owns_fd;
  /* Instead of fd (ipsf_stream_open_read): the caller's reader, as
   * read(2): bytes read, 0 at the end, -1 on an error (with errno). */
  long (*read)(void *user, char *buf, size_t cap);
  void *read_user;
  char *buf;             /* read buffer: [start, end) not yet cut into lines */
  size_t start, end, cap;
  uint64_t line_no;      /* lines read so far */
  size_t max_line;       /* longest line: IPSF_SHEET_MAX_LINE unless changed after open */
  bool skipping;         /* inside a line over the limit, up to its newline */
  bool eof, done;
} IpsfStream;

typedef struct {
  uint64_t line_no;      /* 1-based */
  size_t off, len;       /* the line's text in the batch (NUL after it) */
  bool too_long;         /* over the stream's max_line: a LIMIT error, no text */
} IpsfBatchItem;

typedef struct {
  char *text;            /* the lines, each followed by a NUL (from ipsf_stream_fill: the
                            read buffer they were cut from, in place) */
  size_t text_len, text_cap;
  IpsfBatchItem *items;  /* the non-blank lines, in order */
  size_t count, items_cap;
  bool fatal;            /* the stream ended with err (IO, NOMEM) after the items */
  IpsfError err;
} IpsfBatch;

/* path "-" = standard input.  false with err (IO: "cannot open: ..."). */
bool ipsf_stream_open(IpsfStream *s, const char *path, IpsfError *err);
/* A stream over an open descriptor the caller keeps (and closes), or
 * over the caller's reader. */
void ipsf_stream_open_fd(IpsfStream *s, int fd);
void ipsf_stream_open_read(IpsfStream *s, long (*read)(void *, char *, size_t), void *user);
void ipsf_stream_close(IpsfStream *s);
void ipsf_batch_init(IpsfBatch *b);
/* Add line `line_no`, [text, text + len) without its newline, as the
 * stream reader does: a BOM on line 1 skipped, a blank line left out (it
 * still counts).  false: out of memory. */
bool ipsf_batch_add_line(IpsfBatch *b, uint64_t line_no, const char *text, size_t len);
/* Add line `line_no` as one over the line limit: a `limit` error for it,
 * no text.  false: out of memory. */
bool ipsf_batch_add_too_long(IpsfBatch *b, uint64_t line_no);
void ipsf_batch_free(IpsfBatch *b);
/* Fill b with the next lines: up to about max_bytes of text or max_lines
 * lines, fewer if input would have to be waited for.  1: b has items or is
 * fatal; 0: end of input. */
int ipsf_stream_fill(IpsfStream *s, IpsfBatch *b, size_t max_bytes, size_t max_lines);
/* True if the next fill would have to wait for input (a pipe with nothing
 * buffered): --jobs writes what it has first, so slow pipes stay live. */
bool ipsf_stream_would_wait(const IpsfStream *s);

#endif
