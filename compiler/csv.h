/*
 * csv.h -- a small reader of CSV text (RFC 4180) for table-driven tests.
 *
 * Why our own: the one Debian library (libcsv) hands over fields and
 * records through callbacks without saying on which line a record began,
 * and the test runner's messages must name the line of the table a case
 * comes from.  This reader is 100-odd lines and is tested on its own
 * (tests/unit/test_csv.c).
 *
 * What it reads: records separated by "\n", "\r\n" or a lone "\r"; fields
 * separated by ','; a field in double quotes may hold ',', line ends and
 * "" (one quote).  A leading UTF-8 byte order mark is skipped (spreadsheets
 * write one).  Blank lines, and lines whose first character is '#', are
 * skipped.  Every field is kept as text (no type guessing), with the
 * spaces around an unquoted field trimmed.  Errors: a quote inside an
 * unquoted field, text after a closing quote, a quote never closed; each
 * names its line and column.
 *
 * Memory: everything (rows, fields, the error) is allocated in the arena.
 */
#ifndef IPSF_CSV_H
#define IPSF_CSV_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct {
  const char **fields;
  uint32_t *columns; /* 1-based byte column at which each field starts */
  size_t count;
  uint32_t line; /* 1-based line on which the record starts */
} CsvRow;

typedef struct {
  CsvRow *rows;
  size_t count;
  const char *error; /* NULL, or "line L, column C: ..." (arena) */
} CsvTable;

#define csv_parse ipsfc_csv_parse
/* Parse text[0..len): false with t->error set on a malformed table. */
IPSFC_FUNC bool csv_parse(Arena *a, const char *text, size_t len, CsvTable *t);

#endif
