/*
 * test_csv.c -- the CSV reader of table-driven tests (compiler/csv.c):
 * quoting, line ends of every kind, the line each record starts on,
 * skipped lines, and the errors with their place.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "csv.h"

static CsvTable parse(Arena *a, const char *text, bool ok) {
  CsvTable t;
  cr_assert_eq(csv_parse(a, text, strlen(text), &t), ok, "%s", t.error ? t.error : "");
  return t;
}

Test(csv, fields_quotes_and_lines) {
  Arena a;
  arena_init(&a);
  CsvTable t = parse(&a,
                     "\xEF\xBB\xBFname, power_kw ,note\r\n"
                     "# a comment line\n"
                     "\n"
                     "\"a, b\",22,\"say \"\"hi\"\"\"\r"
                     "two,\"multi\nline\",\n"
                     "last,1,x",
                     true);
  cr_assert_eq(t.count, 4);
  cr_assert_str_eq(t.rows[0].fields[0], "name");
  cr_assert_str_eq(t.rows[0].fields[1], "power_kw");
  cr_assert_eq(t.rows[0].line, 1);
  /* where each field starts (bytes, from 1; the BOM is not counted) */
  cr_assert_eq(t.rows[0].columns[0], 1);
  cr_assert_eq(t.rows[0].columns[1], 6);
  cr_assert_eq(t.rows[0].columns[2], 17);
  cr_assert_eq(t.rows[1].columns[1], 8);
  cr_assert_eq(t.rows[1].columns[2], 11);
  cr_assert_str_eq(t.rows[1].fields[0], "a, b");
  cr_assert_str_eq(t.rows[1].fields[2], "say \"hi\"");
  cr_assert_eq(t.rows[1].line, 4);
  cr_assert_str_eq(t.rows[2].fields[1], "multi\nline");
  cr_assert_eq(t.rows[2].count, 3);
  cr_assert_str_eq(t.rows[2].fields[2], "");
  cr_assert_eq(t.rows[2].line, 5);
  cr_assert_eq(t.rows[3].line, 7);
  cr_assert_str_eq(t.rows[3].fields[2], "x");
  arena_free(&a);
}

Test(csv, errors_name_their_place) {
  Arena a;
  arena_init(&a);
  CsvTable t = parse(&a, "a,b\nx,y\"z\n", false);
  cr_assert_str_eq(t.error, "line 2, column 4: a quote inside an unquoted field (quote the whole field)");
  t = parse(&a, "a\n\"open,\nstill open", false);
  cr_assert_str_eq(t.error, "line 2, column 1: a quoted field is not closed");
  t = parse(&a, "\"a\"b\n", false);
  cr_assert(strstr(t.error, "line 1, column 4: text after a closing quote") != NULL);
  arena_free(&a);
}
