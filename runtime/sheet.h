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

/* Format by file name: .jsonl/.ndjson -> JSONL, .yaml/.yml -> YAML,
 * "-" -> JSONL, anything else -> JSON. */
IpsfSheetFormat ipsf_sheet_format_of(const char *path);

/* Read one whole JSON or YAML document from a file (path "-" = stdin).
 * Returns a new reference, or NULL with err (IO or SYNTAX, with line:col). */
json_t *ipsf_sheet_read_json_file(const char *path, IpsfError *err);
json_t *ipsf_sheet_read_yaml_file(const char *path, IpsfError *err);
json_t *ipsf_sheet_parse_yaml(const char *text, size_t len, IpsfError *err);

/* JSON Lines: a reader that yields one document per non-blank line. */
typedef struct {
  FILE *in;
  bool owns_in;
  char *line;       /* getline buffer */
  size_t line_cap;
  uint64_t line_no; /* 1-based number of the line just read */
} IpsfJsonlReader;

bool ipsf_jsonl_open(IpsfJsonlReader *r, const char *path, IpsfError *err);
/* 1: *doc is a new reference (or NULL with err set: a bad line, kind SYNTAX);
 * 0: end of input; -1: read error (err set). */
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
