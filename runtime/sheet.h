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

/* Read one whole JSON or YAML document from a file (path "-" = stdin).
 * Returns a new reference, or NULL with err (IO or SYNTAX, with line:col). */
json_t *ipsf_sheet_read_json_file(const char *path, IpsfError *err);
json_t *ipsf_sheet_read_yaml_file(const char *path, IpsfError *err);
json_t *ipsf_sheet_parse_yaml(const char *text, size_t len, IpsfError *err);
/* One JSON document from memory (a leading UTF-8 BOM is skipped). */
json_t *ipsf_sheet_parse_json(const char *text, size_t len, IpsfError *err);

/* Read a whole file (path "-" = stdin) into a malloc'd, NUL-terminated
 * buffer; at most IPSF_SHEET_MAX_FILE bytes (else IPSF_ERR_LIMIT).
 * false with err (IO, LIMIT or NOMEM). */
bool ipsf_sheet_slurp(const char *path, char **text, size_t *len, IpsfError *err);

/* JSON Lines: a reader that yields one document per non-blank line. */
typedef struct {
  FILE *in;
  bool owns_in;
  char *line;       /* the current line (grows to at most IPSF_SHEET_MAX_LINE + 1) */
  size_t line_cap;
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

#endif
