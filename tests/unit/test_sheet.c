/*
 * test_sheet.c -- fact sheet readers (JSON, JSON Lines, YAML) and binding
 * a sheet to an evaluation context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "pack_builder.h"
#include "sheet.h"

/* ---- helpers ------------------------------------------------------------- */

static json_t *yaml(const char *text, IpsfError *err) {
  return ipsf_sheet_parse_yaml(text, strlen(text), err);
}

static json_t *json(const char *text, IpsfError *err) {
  return ipsf_sheet_parse_json(text, strlen(text), err);
}

/* Parsing must fail with this kind and exactly this message. */
static void yaml_fails(const char *text, IpsfErrorKind kind, const char *message) {
  IpsfError err = {0};
  json_t *doc = yaml(text, &err);
  cr_expect_null(doc, "YAML accepted: %s", text);
  json_decref(doc);
  cr_expect_eq(err.kind, kind, "kind %s for: %s", ipsf_error_kind_name(err.kind), text);
  cr_expect_str_eq(err.message, message, "for: %s", text);
}

static void json_fails(const char *text, const char *message) {
  IpsfError err = {0};
  json_t *doc = json(text, &err);
  cr_expect_null(doc, "JSON accepted: %s", text);
  json_decref(doc);
  cr_expect_eq(err.kind, IPSF_ERR_SYNTAX);
  cr_expect_str_eq(err.message, message, "for: %s", text);
}

/* The document as compact JSON, for comparisons. */
static char *dump(json_t *doc) {
  return json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void yaml_gives(const char *text, const char *want) {
  IpsfError err = {0};
  json_t *doc = yaml(text, &err);
  cr_assert_not_null(doc, "YAML rejected (%s): %s", err.message, text);
  char *got = dump(doc);
  cr_expect_str_eq(got, want, "for: %s", text);
  free(got);
  json_decref(doc);
}

/* A temporary file with these contents; the caller unlinks and frees. */
static char *temp_file(const char *suffix, const char *data, size_t len) {
  char tmpl[] = "/tmp/ipsf_sheet_XXXXXX";
  int fd = mkstemp(tmpl);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, data, len), (ssize_t)len);
  close(fd);
  size_t n = strlen(tmpl) + strlen(suffix) + 1;
  char *path = malloc(n);
  snprintf(path, n, "%s%s", tmpl, suffix);
  cr_assert_eq(rename(tmpl, path), 0);
  return path;
}

/* ---- format and shape accessors ------------------------------------------ */

Test(sheet, format_by_extension) {
  cr_expect_eq(ipsf_sheet_format_of("a/b.json"), IPSF_SHEET_JSON);
  cr_expect_eq(ipsf_sheet_format_of("b.JSON"), IPSF_SHEET_JSON);
  cr_expect_eq(ipsf_sheet_format_of("b"), IPSF_SHEET_JSON);
  cr_expect_eq(ipsf_sheet_format_of("b.jsonl"), IPSF_SHEET_JSONL);
  cr_expect_eq(ipsf_sheet_format_of("b.ndjson"), IPSF_SHEET_JSONL);
  cr_expect_eq(ipsf_sheet_format_of("-"), IPSF_SHEET_JSONL);
  cr_expect_eq(ipsf_sheet_format_of("b.yaml"), IPSF_SHEET_YAML);
  cr_expect_eq(ipsf_sheet_format_of("b.yml"), IPSF_SHEET_YAML);
  cr_expect_eq(ipsf_sheet_format_of(".yml"), IPSF_SHEET_YAML);
  cr_expect_eq(ipsf_sheet_format_of("yml"), IPSF_SHEET_JSON);
}

Test(sheet, profiles_in_document_order) {
  IpsfError err = {0};
  json_t *doc = json("{\"device\":\"Lock\",\"profiles\":{\"zeta\":{},\"alpha\":{},\"mid\":{}}}", &err);
  cr_assert_not_null(doc);
  cr_expect_eq(ipsf_sheet_profile_count(doc), 3);
  cr_expect_str_eq(ipsf_sheet_profile_name(doc, 0), "zeta");
  cr_expect_str_eq(ipsf_sheet_profile_name(doc, 1), "alpha");
  cr_expect_str_eq(ipsf_sheet_profile_name(doc, 2), "mid");
  cr_expect_null(ipsf_sheet_profile_name(doc, 3));
  cr_expect_str_eq(ipsf_sheet_device(doc), "Lock");
  json_decref(doc);

  doc = json("{\"profiles\":{}, \"device\": 3}", &err);
  cr_expect_eq(ipsf_sheet_profile_count(doc), 0);
  cr_expect_null(ipsf_sheet_device(doc));
  json_decref(doc);
  doc = json("{\"profiles\":[1]}", &err);
  cr_expect_eq(ipsf_sheet_profile_count(doc), 0);
  cr_expect_null(ipsf_sheet_profile_name(doc, 0));
  json_decref(doc);
  doc = json("[1]", &err);
  cr_expect_eq(ipsf_sheet_profile_count(doc), 0);
  cr_expect_null(ipsf_sheet_device(doc));
  json_decref(doc);
}

/* ---- JSON ---------------------------------------------------------------- */

Test(sheet_json, good_document) {
  IpsfError err = {0};
  json_t *doc = json("\xEF\xBB\xBF{\"facts\": {\"a\": 1, \"b\": [\"x\"], \"c\": 2.5}}", &err);
  cr_assert_not_null(doc, "%s", err.message);
  char *s = dump(doc);
  cr_expect_str_eq(s, "{\"facts\":{\"a\":1,\"b\":[\"x\"],\"c\":2.5}}");
  free(s);
  json_decref(doc);
}

Test(sheet_json, syntax_errors_with_line_col) {
  json_fails("{\"a\":1", "1:6: '}' expected near end of file");
  json_fails("{\n  \"a\": [1,\n   2,, 3]}", "3:6: unexpected token near ','");
  json_fails("", "1:1: unexpected token near end of file");
  json_fails("{\"a\":1} x", "1:9: end of file expected near 'x'");
  json_fails("{\"a\": nan}", "1:9: invalid token near 'nan'");
  json_fails("{\"a\": 1e400}", "1:11: real number overflow near '1e400'");
  json_fails("{\"a\": \"\\u0000\"}", "1:14: \\u0000 is not allowed in a fact sheet");
}

/* A NUL byte outside a string is a syntax error at its column, wherever it
 * stands (jansson alone skips one that follows a token); inside a string
 * jansson's own control-character error stays. */
static void json_nul_fails(const char *text, size_t len, const char *line_message,
                           const char *jsonl_message) {
  IpsfError err = {0};
  json_t *doc = ipsf_sheet_parse_json(text, len, &err);
  cr_expect_null(doc, "JSON accepted a NUL: %s", text);
  json_decref(doc);
  cr_expect_eq(err.kind, IPSF_ERR_SYNTAX, "kind %s: %s", ipsf_error_kind_name(err.kind), text);
  cr_expect_str_eq(err.message, line_message, "for: %s", text);
  memset(&err, 0, sizeof err);
  doc = ipsf_sheet_parse_jsonl_line(text, len, &err);
  cr_expect_null(doc, "JSON Lines accepted a NUL: %s", text);
  json_decref(doc);
  cr_expect_eq(err.kind, IPSF_ERR_SYNTAX);
  cr_expect_str_eq(err.message, jsonl_message, "for: %s", text);
}

Test(sheet_json, nul_byte_outside_a_string) {
  static const char after_number[] =
      "{\"device\":\"d\",\"facts\":{\"setting\":\"home\",\"records\":5\0,\"fleet\":2000}}";
  json_nul_fails(after_number, sizeof after_number - 1,
                 "1:52: a NUL byte is not valid JSON outside a string",
                 "column 52: a NUL byte is not valid JSON outside a string");
  json_nul_fails("123\0", 4, "1:4: a NUL byte is not valid JSON outside a string",
                 "column 4: a NUL byte is not valid JSON outside a string");
  json_nul_fails("{\"a\":true\0}", 11, "1:10: a NUL byte is not valid JSON outside a string",
                 "column 10: a NUL byte is not valid JSON outside a string");
  json_nul_fails("{\"a\":1}\0", 8, "1:8: a NUL byte is not valid JSON outside a string",
                 "column 8: a NUL byte is not valid JSON outside a string");
  json_nul_fails("\0", 1, "1:1: a NUL byte is not valid JSON outside a string",
                 "column 1: a NUL byte is not valid JSON outside a string");
  /* An earlier error is reported first; a NUL inside a string is jansson's. */
  json_nul_fails("{\"a\" 1\0}", 9, "1:6: ':' expected near '1'", "column 6: ':' expected near '1'");
  json_nul_fails("{\"a\":\"x\0\"}", 10, "1:7: control character 0x0 near '\"x'",
                 "column 7: control character 0x0 near '\"x'");
  json_nul_fails("{\"a\\\"\0\":1}", 10, "1:5: control character 0x0 near '\"a\\\"'",
                 "column 5: control character 0x0 near '\"a\\\"'");
}

Test(sheet_json, duplicate_key) {
  json_fails("{\"facts\": {\"a\": 1,\n \"a\": 2}}", "2:4: duplicate object key near '\"a\"'");
}

Test(sheet_json, file_read_and_errors) {
  const char text[] = "{\"device\": \"D\"}\n";
  char *path = temp_file(".json", text, sizeof text - 1);
  IpsfError err = {0};
  json_t *doc = ipsf_sheet_read_json_file(path, &err);
  cr_assert_not_null(doc, "%s", err.message);
  cr_expect_str_eq(ipsf_sheet_device(doc), "D");
  json_decref(doc);
  unlink(path);
  free(path);

  doc = ipsf_sheet_read_json_file("/nonexistent/ipsf/sheet.json", &err);
  cr_expect_null(doc);
  cr_expect_eq(err.kind, IPSF_ERR_IO);
  cr_expect_str_eq(err.message, "cannot open: No such file or directory");

  doc = ipsf_sheet_read_json_file("/tmp", &err);
  cr_expect_null(doc);
  cr_expect_eq(err.kind, IPSF_ERR_IO);
  cr_expect_str_eq(err.message, "cannot read: Is a directory");
}

/* ---- JSON Lines ---------------------------------------------------------- */

/* Read every record of `text`; check kinds and line numbers. */
Test(sheet_jsonl, lines_blank_lines_and_bad_lines) {
  const char text[] = "{\"device\":\"a\"}\n"
                      "\n"
                      "   \t\r\n"
                      "{\"device\":\"b\"}\r\n"
                      "{\"device\": oops}\n"
                      "{\"a\":1,\"a\":2}\n"
                      "[1]\n"
                      "{\"device\":\"last\"}"; /* no final newline */
  FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
  cr_assert_not_null(f);
  IpsfJsonlReader r;
  ipsf_jsonl_open_stream(&r, f);
  IpsfError err = {0};
  json_t *doc;

  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_eq(r.line_no, 1);
  cr_expect_str_eq(ipsf_sheet_device(doc), "a");
  json_decref(doc);

  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_eq(r.line_no, 4);
  cr_expect_str_eq(ipsf_sheet_device(doc), "b");
  json_decref(doc);

  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_null(doc);
  cr_expect_eq(r.line_no, 5);
  cr_expect_eq(err.kind, IPSF_ERR_SYNTAX);
  cr_expect_str_eq(err.message, "column 15: invalid token near 'oops'");

  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_null(doc);
  cr_expect_eq(r.line_no, 6);
  cr_expect_str_eq(err.message, "column 10: duplicate object key near '\"a\"'");

  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1); /* not an object: bind's job */
  cr_expect(json_is_array(doc));
  cr_expect_eq(r.line_no, 7);
  json_decref(doc);

  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_eq(r.line_no, 8);
  cr_expect_str_eq(ipsf_sheet_device(doc), "last");
  json_decref(doc);

  cr_expect_eq(ipsf_jsonl_next(&r, &doc, &err), 0);
  cr_expect_eq(ipsf_jsonl_next(&r, &doc, &err), 0);
  ipsf_jsonl_close(&r);
  fclose(f);
}

Test(sheet_jsonl, empty_input) {
  FILE *f = fmemopen((void *)"\n\n", 2, "r");
  IpsfJsonlReader r;
  ipsf_jsonl_open_stream(&r, f);
  IpsfError err = {0};
  json_t *doc = (json_t *)1;
  cr_expect_eq(ipsf_jsonl_next(&r, &doc, &err), 0);
  cr_expect_null(doc);
  ipsf_jsonl_close(&r);
  fclose(f);
}

Test(sheet_jsonl, long_line_is_an_error_for_that_line) {
  size_t big = (size_t)IPSF_SHEET_MAX_LINE + 10;
  const char head[] = "{\"device\":\"first\"}\n";
  const char tail[] = "\n{\"device\":\"after\"}\n";
  size_t n = sizeof head - 1 + big + sizeof tail - 1;
  char *text = malloc(n);
  memcpy(text, head, sizeof head - 1);
  memset(text + sizeof head - 1, ' ', big);
  memcpy(text + sizeof head - 1 + big, tail, sizeof tail - 1);
  char *path = temp_file(".jsonl", text, n);
  free(text);

  IpsfJsonlReader r;
  IpsfError err = {0};
  cr_assert(ipsf_jsonl_open(&r, path, &err));
  json_t *doc;
  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_str_eq(ipsf_sheet_device(doc), "first");
  json_decref(doc);
  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_null(doc);
  cr_expect_eq(r.line_no, 2);
  cr_expect_eq(err.kind, IPSF_ERR_LIMIT);
  cr_expect_str_eq(err.message, "line longer than 16 MiB");
  cr_expect_leq(r.line_cap, (size_t)IPSF_SHEET_MAX_LINE + 1);
  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_expect_eq(r.line_no, 3);
  cr_expect_str_eq(ipsf_sheet_device(doc), "after");
  json_decref(doc);
  cr_expect_eq(ipsf_jsonl_next(&r, &doc, &err), 0);
  ipsf_jsonl_close(&r);
  unlink(path);
  free(path);
}

Test(sheet_jsonl, line_of_exactly_the_limit_is_read) {
  size_t n = (size_t)IPSF_SHEET_MAX_LINE;
  char *text = malloc(n + 1);
  memset(text, ' ', n);
  memcpy(text, "{\"device\":\"x\"}", 14);
  text[n] = '\n';
  FILE *f = fmemopen(text, n + 1, "r");
  IpsfJsonlReader r;
  ipsf_jsonl_open_stream(&r, f);
  IpsfError err = {0};
  json_t *doc;
  cr_assert_eq(ipsf_jsonl_next(&r, &doc, &err), 1);
  cr_assert_not_null(doc, "%s", err.message);
  cr_expect_str_eq(ipsf_sheet_device(doc), "x");
  json_decref(doc);
  ipsf_jsonl_close(&r);
  fclose(f);
  free(text);
}

Test(sheet_jsonl, open_missing_file) {
  IpsfJsonlReader r;
  IpsfError err = {0};
  cr_expect(!ipsf_jsonl_open(&r, "/nonexistent/x.jsonl", &err));
  cr_expect_eq(err.kind, IPSF_ERR_IO);
  ipsf_jsonl_close(&r); /* safe after a failed open */
}

/* ---- YAML ---------------------------------------------------------------- */

Test(sheet_yaml, scalars_resolve) {
  yaml_gives("a: [x, \"y\", 'z', 2.5, 1e9, -3, +4, .5, 1., true, False, TRUE, yes, no, "
             "0x1F, 1_000, 007, -0, 1.5e-3, \"true\", '12']",
             "{\"a\":[\"x\",\"y\",\"z\",2.5,1000000000.0,-3,4,0.5,1.0,true,false,true,"
             "\"yes\",\"no\",\"0x1F\",\"1_000\",7,0,0.0015,\"true\",\"12\"]}");
  yaml_gives("a: 9223372036854775807\nb: -9223372036854775808",
             "{\"a\":9223372036854775807,\"b\":-9223372036854775808}");
  yaml_gives("t: |\n  two\n  lines\n", "{\"t\":\"two\\nlines\\n\"}");
  yaml_gives("\xEF\xBB\xBF{a: 1}", "{\"a\":1}");
  yaml_gives("- 1\n- b", "[1,\"b\"]");
}

Test(sheet_yaml, a_fact_sheet) {
  yaml_gives("device: Acme SmartLock X1\n"
             "facts:\n"
             "  harm_life: none\n"
             "  loss_jpy: 20000000\n"
             "  remote_control: true\n"
             "  radios: [wifi, ble]\n"
             "profiles:\n"
             "  home: {}\n"
             "  care-facility:\n"
             "    usage: hospital\n"
             "evidence:\n"
             "  SH-01: self_declaration\n",
             "{\"device\":\"Acme SmartLock X1\",\"facts\":{\"harm_life\":\"none\","
             "\"loss_jpy\":20000000,\"remote_control\":true,\"radios\":[\"wifi\",\"ble\"]},"
             "\"profiles\":{\"home\":{},\"care-facility\":{\"usage\":\"hospital\"}},"
             "\"evidence\":{\"SH-01\":\"self_declaration\"}}");
}

Test(sheet_yaml, tags) {
  yaml_gives("a: !!str 1\nb: !!int 12\nc: !!float 1\nd: !!bool false\ne: ! 3\n"
             "f: !!map {x: 1}\ng: !!seq [1]",
             "{\"a\":\"1\",\"b\":12,\"c\":1.0,\"d\":false,\"e\":\"3\",\"f\":{\"x\":1},\"g\":[1]}");
  yaml_fails("a: !!int x", IPSF_ERR_SYNTAX, "1:4: 'x' is not an integer");
  yaml_fails("a: !!float x", IPSF_ERR_SYNTAX, "1:4: 'x' is not a number");
  yaml_fails("a: !!bool yes", IPSF_ERR_SYNTAX, "1:4: 'yes' is not true or false");
  yaml_fails("a: !!null ''", IPSF_ERR_SYNTAX, "1:4: null is not a value in a fact sheet");
  yaml_fails("a: !foo x", IPSF_ERR_SYNTAX, "1:4: unsupported YAML tag '!foo'");
  yaml_fails("a: !!binary aGk=", IPSF_ERR_SYNTAX, "1:4: unsupported YAML tag '!!binary'");
  yaml_fails("a: !!seq {b: 1}", IPSF_ERR_SYNTAX, "1:4: unsupported YAML tag '!!seq'");
}

Test(sheet_yaml, null_is_not_a_value) {
  yaml_fails("a: ~", IPSF_ERR_SYNTAX, "1:4: null is not a value in a fact sheet");
  yaml_fails("a: null", IPSF_ERR_SYNTAX, "1:4: null is not a value in a fact sheet");
  yaml_fails("a: NULL", IPSF_ERR_SYNTAX, "1:4: null is not a value in a fact sheet");
  yaml_fails("x: 1\na:\n", IPSF_ERR_SYNTAX, "2:3: null is not a value in a fact sheet");
  yaml_fails("a: [1, ~]", IPSF_ERR_SYNTAX, "1:8: null is not a value in a fact sheet");
  yaml_fails("", IPSF_ERR_SYNTAX, "1:1: the YAML input has no document");
  yaml_fails("# only a comment\n", IPSF_ERR_SYNTAX, "2:1: the YAML input has no document");
  yaml_fails("---\n", IPSF_ERR_SYNTAX, "2:1: null is not a value in a fact sheet");
  yaml_gives("a: 'null'\nb: \"~\"", "{\"a\":\"null\",\"b\":\"~\"}");
}

Test(sheet_yaml, numbers) {
  yaml_fails("a: .nan", IPSF_ERR_SYNTAX, "1:4: non-finite number '.nan'");
  yaml_fails("a: .NaN", IPSF_ERR_SYNTAX, "1:4: non-finite number '.NaN'");
  yaml_fails("a: .inf", IPSF_ERR_SYNTAX, "1:4: non-finite number '.inf'");
  yaml_fails("b: 1\na: -.Inf", IPSF_ERR_SYNTAX, "2:4: non-finite number '-.Inf'");
  yaml_fails("a: 1e999", IPSF_ERR_SYNTAX, "1:4: non-finite number '1e999'");
  yaml_fails("a: !!float .inf", IPSF_ERR_SYNTAX, "1:4: non-finite number '.inf'");
  yaml_fails("a: 9223372036854775808", IPSF_ERR_SYNTAX,
             "1:4: integer '9223372036854775808' is out of the 64-bit range");
  yaml_fails("a: -9223372036854775809", IPSF_ERR_SYNTAX,
             "1:4: integer '-9223372036854775809' is out of the 64-bit range");
}

Test(sheet_yaml, duplicate_keys) {
  yaml_fails("a: 1\nb: 2\na: 3", IPSF_ERR_SYNTAX, "3:1: duplicate key 'a'");
  yaml_fails("f:\n  x: 1\n  x: 1", IPSF_ERR_SYNTAX, "3:3: duplicate key 'x'");
  yaml_fails("{a: 1, \"a\": 2}", IPSF_ERR_SYNTAX, "1:8: duplicate key 'a'");
}

Test(sheet_yaml, aliases_and_anchors) {
  yaml_fails("a: &x 1\nb: *x", IPSF_ERR_SYNTAX, "1:4: YAML aliases are not supported");
  yaml_fails("a: [1]\nb: *x", IPSF_ERR_SYNTAX, "2:4: YAML aliases are not supported");
  yaml_fails("&k a: 1", IPSF_ERR_SYNTAX, "1:1: YAML aliases are not supported");
  yaml_fails("a: &l [1, 2]", IPSF_ERR_SYNTAX, "1:4: YAML aliases are not supported");
  /* billion laughs: refused at the first anchor, nothing expanded */
  yaml_fails("a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n", IPSF_ERR_SYNTAX,
             "1:4: YAML aliases are not supported");
}

Test(sheet_yaml, documents) {
  yaml_fails("a: 1\n---\nb: 2", IPSF_ERR_SYNTAX, "2:1: more than one YAML document");
  yaml_fails("a: 1\n...\n---\nb: 2\n", IPSF_ERR_SYNTAX, "3:1: more than one YAML document");
  yaml_gives("---\na: 1\n...\n", "{\"a\":1}");
}

Test(sheet_yaml, syntax_errors) {
  yaml_fails("a: [1, 2", IPSF_ERR_SYNTAX,
             "2:1: did not find expected ',' or ']' while parsing a flow sequence");
  yaml_fails("a: b: c", IPSF_ERR_SYNTAX, "1:5: mapping values are not allowed in this context");
  yaml_fails("? [a]\n: 1", IPSF_ERR_SYNTAX, "1:3: a mapping key must be a scalar");
  yaml_fails("a: 1\nb: x\xff", IPSF_ERR_SYNTAX, "2:5: invalid leading UTF-8 octet");
  yaml_fails("\"x\\0y\": 1", IPSF_ERR_SYNTAX, "1:1: a key must not contain a NUL character");
}

static char *nested(unsigned depth) {
  char *s = malloc(2 * depth + 1);
  memset(s, '[', depth);
  memset(s + depth, ']', depth);
  s[2 * depth] = '\0';
  return s;
}

Test(sheet_yaml, depth_limit) {
  char *ok = nested(IPSF_YAML_MAX_DEPTH);
  IpsfError err = {0};
  json_t *doc = yaml(ok, &err);
  cr_expect_not_null(doc, "%s", err.message);
  json_decref(doc);
  free(ok);
  char *deep = nested(IPSF_YAML_MAX_DEPTH + 1);
  yaml_fails(deep, IPSF_ERR_LIMIT, "1:65: nesting deeper than 64");
  free(deep);
  /* Far deeper: still the same error, no stack growth. */
  deep = nested(100000);
  yaml_fails(deep, IPSF_ERR_LIMIT, "1:65: nesting deeper than 64");
  free(deep);
}

Test(sheet_yaml, file) {
  const char text[] = "device: Y\nfacts: {}\n";
  char *path = temp_file(".yaml", text, sizeof text - 1);
  IpsfError err = {0};
  json_t *doc = ipsf_sheet_read_yaml_file(path, &err);
  cr_assert_not_null(doc, "%s", err.message);
  cr_expect_str_eq(ipsf_sheet_device(doc), "Y");
  json_decref(doc);
  unlink(path);
  free(path);
  cr_expect_null(ipsf_sheet_read_yaml_file("/nonexistent/y.yaml", &err));
  cr_expect_eq(err.kind, IPSF_ERR_IO);
}

/* ---- binding --------------------------------------------------------------- */

/* A pack with one fact of each type and one requirement, no rules: enough
 * to bind sheets to (its code is a lone RET). */
enum { F_FLAG, F_COUNT, F_RATIO, F_MODEL, F_USAGE, F_RADIOS };

static IpsfPack *facts_pack(void) {
  IpsfError err = {0};
  IpsfPack *q = pb_facts_pack("test.sheet", &err);
  cr_assert_not_null(q, "pack rejected: %s", err.message);
  return q;
}

static IpsfPack *pack;
static IpsfEval *ev;

static void bind_setup(void) {
  pack = facts_pack();
  ev = ipsf_eval_new(pack);
  cr_assert_not_null(ev);
  ipsf_eval_begin(ev);
}

static void bind_teardown(void) {
  ipsf_eval_free(ev);
  ipsf_pack_free(pack);
}

static bool fact_is_set(uint32_t f) { return (ev->fact_set[f / 64] >> (f % 64)) & 1u; }
static IpsfValue fact_value(uint32_t f) { return ev->slots[pack->facts[f].slot]; }

/* Bind a JSON text (the document must outlive the checks: returned). */
static json_t *bind_json(const char *text, const char *profile, bool allow, bool *ok,
                         IpsfError *err) {
  IpsfError perr = {0};
  json_t *doc = json(text, &perr);
  cr_assert_not_null(doc, "%s", perr.message);
  IpsfBindOptions opt = {.allow_unknown_facts = allow};
  *ok = ipsf_sheet_bind(ev, doc, profile, &opt, err);
  return doc;
}

static void bind_fails(const char *text, const char *profile, IpsfErrorKind kind,
                       const char *message) {
  IpsfError err = {0};
  bool ok;
  ipsf_eval_begin(ev);
  json_t *doc = bind_json(text, profile, false, &ok, &err);
  cr_expect(!ok, "bound: %s", text);
  cr_expect_eq(err.kind, kind, "kind %s for %s", ipsf_error_kind_name(err.kind), text);
  cr_expect_str_eq(err.message, message, "for %s", text);
  json_decref(doc);
}

TestSuite(sheet_bind, .init = bind_setup, .fini = bind_teardown);

Test(sheet_bind, every_type) {
  IpsfError err = {0};
  bool ok;
  json_t *doc = bind_json("{\"device\":\"D\",\"facts\":{\"flag\":true,\"count\":-42,\"ratio\":0.25,"
                          "\"model\":\"X1\",\"usage\":\"office\",\"radios\":[\"zigbee\",\"wifi\"]}}",
                          NULL, false, &ok, &err);
  cr_assert(ok, "%s", err.message);
  for (uint32_t f = F_FLAG; f <= F_RADIOS; f++) cr_expect(fact_is_set(f), "fact %u", f);
  cr_expect_eq(fact_value(F_FLAG).i, 1);
  cr_expect_eq(fact_value(F_COUNT).i, -42);
  cr_expect_eq(fact_value(F_RATIO).n, 0.25);
  cr_expect_str_eq(fact_value(F_MODEL).s, "X1");
  /* no copy: the string is the document's */
  cr_expect_eq(fact_value(F_MODEL).s,
               json_string_value(json_object_get(json_object_get(doc, "facts"), "model")));
  cr_expect_eq(fact_value(F_USAGE).i, 1);
  cr_expect_eq(fact_value(F_RADIOS).m, (uint64_t)0x5); /* wifi, zigbee */
  cr_expect(!ev->evidence_present);
  json_decref(doc);
}

Test(sheet_bind, numbers_convert) {
  IpsfError err = {0};
  bool ok;
  json_t *doc = bind_json("{\"facts\":{\"count\":1e9,\"ratio\":3}}", NULL, false, &ok, &err);
  cr_assert(ok, "%s", err.message);
  cr_expect_eq(fact_value(F_COUNT).i, 1000000000);
  cr_expect_eq(fact_value(F_RATIO).n, 3.0);
  json_decref(doc);
  ipsf_eval_begin(ev);
  doc = bind_json("{\"facts\":{\"count\":-9.2233720368547758e18}}", NULL, false, &ok, &err);
  cr_assert(ok, "%s", err.message);
  cr_expect_eq(fact_value(F_COUNT).i, INT64_MIN);
  json_decref(doc);
  /* integers from YAML too */
  ipsf_eval_begin(ev);
  doc = yaml("facts: {count: 7, ratio: 1e3, flag: false}", &err);
  cr_assert_not_null(doc);
  cr_assert(ipsf_sheet_bind(ev, doc, NULL, NULL, &err), "%s", err.message);
  cr_expect_eq(fact_value(F_COUNT).i, 7);
  cr_expect_eq(fact_value(F_RATIO).n, 1000.0);
  cr_expect_eq(fact_value(F_FLAG).i, 0);
  json_decref(doc);
}

Test(sheet_bind, wrong_types) {
  bind_fails("{\"facts\":{\"count\":\"12\"}}", NULL, IPSF_ERR_TYPE,
             "fact 'count' must be an integer, got a string");
  bind_fails("{\"facts\":{\"count\":2.5}}", NULL, IPSF_ERR_TYPE,
             "fact 'count' must be an integer, got a number with a fraction");
  bind_fails("{\"facts\":{\"count\":1e19}}", NULL, IPSF_ERR_TYPE,
             "fact 'count' must be an integer, got a number out of the 64-bit range");
  bind_fails("{\"facts\":{\"count\":true}}", NULL, IPSF_ERR_TYPE,
             "fact 'count' must be an integer, got a boolean");
  bind_fails("{\"facts\":{\"flag\":1}}", NULL, IPSF_ERR_TYPE,
             "fact 'flag' must be a boolean, got an integer");
  bind_fails("{\"facts\":{\"flag\":\"true\"}}", NULL, IPSF_ERR_TYPE,
             "fact 'flag' must be a boolean, got a string");
  bind_fails("{\"facts\":{\"ratio\":[1]}}", NULL, IPSF_ERR_TYPE,
             "fact 'ratio' must be a number, got an array");
  bind_fails("{\"facts\":{\"model\":null}}", NULL, IPSF_ERR_TYPE,
             "fact 'model' must be a string, got null");
  bind_fails("{\"facts\":{\"usage\":2}}", NULL, IPSF_ERR_TYPE,
             "fact 'usage' must be a string (one of its enum values), got an integer");
  bind_fails("{\"facts\":{\"radios\":\"wifi\"}}", NULL, IPSF_ERR_TYPE,
             "fact 'radios' must be an array of strings, got a string");
  bind_fails("{\"facts\":{\"radios\":[\"wifi\", {}]}}", NULL, IPSF_ERR_TYPE,
             "fact 'radios' must be an array of strings, got an object at index 1");
}

Test(sheet_bind, string_with_nul) {
  IpsfError err = {0};
  json_t *doc = yaml("facts: {model: \"a\\0b\"}", &err);
  cr_assert_not_null(doc, "%s", err.message);
  cr_expect(!ipsf_sheet_bind(ev, doc, NULL, NULL, &err));
  cr_expect_eq(err.kind, IPSF_ERR_TYPE);
  cr_expect_str_eq(err.message, "fact 'model' must not contain a NUL character");
  json_decref(doc);
  ipsf_eval_begin(ev);
  doc = yaml("facts: {radios: [\"a\\0b\"]}", &err);
  cr_expect(!ipsf_sheet_bind(ev, doc, NULL, NULL, &err));
  cr_expect_str_eq(err.message, "fact 'radios' must not contain a NUL character");
  json_decref(doc);
}

Test(sheet_bind, setter_errors_pass_through) {
  IpsfError err = {0};
  bool ok;
  json_t *doc = bind_json("{\"facts\":{\"usage\":\"moon\"}}", NULL, false, &ok, &err);
  cr_expect(!ok);
  cr_expect_eq(err.kind, IPSF_ERR_TYPE);
  cr_expect(strstr(err.message, "usage") != NULL, "%s", err.message);
  json_decref(doc);
  ipsf_eval_begin(ev);
  doc = bind_json("{\"facts\":{\"radios\":[\"wifi\",\"lte\"]}}", NULL, false, &ok, &err);
  cr_expect(!ok);
  cr_expect_eq(err.kind, IPSF_ERR_TYPE);
  cr_expect(strstr(err.message, "radios") != NULL, "%s", err.message);
  json_decref(doc);
}

Test(sheet_bind, shape_errors) {
  const char *msg = "a fact sheet must be an object with \"facts\"";
  bind_fails("[]", NULL, IPSF_ERR_TYPE, msg);
  bind_fails("3", NULL, IPSF_ERR_TYPE, msg);
  bind_fails("\"facts\"", NULL, IPSF_ERR_TYPE, msg);
  bind_fails("{\"fact\":{}}", NULL, IPSF_ERR_TYPE,
             "unknown top-level key 'fact' (a sheet has device, facts, profiles, evidence)");
  bind_fails("{\"facts\":[]}", NULL, IPSF_ERR_TYPE, "\"facts\" must be an object, got an array");
  bind_fails("{\"device\":1}", NULL, IPSF_ERR_TYPE, "\"device\" must be a string, got an integer");
  bind_fails("{\"profiles\":[]}", NULL, IPSF_ERR_TYPE,
             "\"profiles\" must be an object, got an array");
  bind_fails("{\"profiles\":{\"home\":{},\"x\":true}}", NULL, IPSF_ERR_TYPE,
             "profile 'x' must be an object of facts, got a boolean");
  bind_fails("{\"evidence\":\"SH-01\"}", NULL, IPSF_ERR_TYPE,
             "\"evidence\" must be an object, got a string");
  bind_fails("{\"evidence\":{\"SH-01\":2}}", NULL, IPSF_ERR_TYPE,
             "evidence for 'SH-01' must be a method name (a string) or an object with a "
             "\"method\", got an integer");
  bind_fails("{\"bad\\nkey\":1}", NULL, IPSF_ERR_TYPE,
             "unknown top-level key 'bad?key' (a sheet has device, facts, profiles, evidence)");
}

Test(sheet_bind, profiles_override_base) {
  const char *text = "{\"facts\":{\"count\":1,\"usage\":\"home\",\"radios\":[\"wifi\",\"ble\"]},"
                     "\"profiles\":{\"home\":{},\"care\":{\"usage\":\"hospital\",\"radios\":[\"zigbee\"]}}}";
  IpsfError err = {0};
  bool ok;
  json_t *doc = bind_json(text, "care", false, &ok, &err);
  cr_assert(ok, "%s", err.message);
  cr_expect_eq(fact_value(F_COUNT).i, 1);
  cr_expect_eq(fact_value(F_USAGE).i, 2);
  cr_expect_eq(fact_value(F_RADIOS).m, (uint64_t)0x4); /* the set is replaced, not merged */
  json_decref(doc);

  ipsf_eval_begin(ev);
  doc = bind_json(text, "home", false, &ok, &err);
  cr_assert(ok, "%s", err.message);
  cr_expect_eq(fact_value(F_USAGE).i, 0);
  cr_expect_eq(fact_value(F_RADIOS).m, (uint64_t)0x3);
  json_decref(doc);

  ipsf_eval_begin(ev);
  doc = bind_json(text, NULL, false, &ok, &err); /* base facts only */
  cr_assert(ok, "%s", err.message);
  cr_expect_eq(fact_value(F_USAGE).i, 0);
  json_decref(doc);

  bind_fails(text, "office", IPSF_ERR_UNKNOWN_PROFILE, "sheet has no profile 'office'");
  bind_fails("{\"facts\":{}}", "home", IPSF_ERR_UNKNOWN_PROFILE, "sheet has no profile 'home'");
}

Test(sheet_bind, unknown_facts) {
  const char *text = "{\"facts\":{\"count\":3,\"colour\":\"red\"},\"profiles\":{\"p\":{\"size\":1}}}";
  bind_fails(text, NULL, IPSF_ERR_UNKNOWN_FACT, "unknown fact 'colour'");
  IpsfError err = {0};
  bool ok;
  ipsf_eval_begin(ev);
  json_t *doc = bind_json(text, "p", true, &ok, &err);
  cr_assert(ok, "%s", err.message);
  cr_expect_eq(fact_value(F_COUNT).i, 3);
  cr_expect(!fact_is_set(F_FLAG));
  json_decref(doc);
  bind_fails("{\"profiles\":{\"p\":{\"size\":1}}}", "p", IPSF_ERR_UNKNOWN_FACT,
             "unknown fact 'size'");
}

Test(sheet_bind, evidence) {
  IpsfError err = {0};
  bool ok;
  json_t *doc = bind_json("{\"evidence\":{\"SH-01\":\"third_party_certification\"}}", NULL, false,
                          &ok, &err);
  cr_assert(ok, "%s", err.message);
  cr_expect(ev->evidence_present);
  cr_expect_eq(ev->evidence[0], 1);
  json_decref(doc);

  ipsf_eval_begin(ev);
  doc = bind_json("{\"evidence\":{}}", NULL, false, &ok, &err);
  cr_assert(ok, "%s", err.message);
  cr_expect(ev->evidence_present);
  cr_expect_eq(ev->evidence[0], IPSF_NONE);
  json_decref(doc);

  ipsf_eval_begin(ev);
  doc = bind_json("{\"evidence\":{\"SH-99\":\"self_declaration\"}}", NULL, false, &ok, &err);
  cr_expect(!ok);
  cr_expect_neq(err.kind, IPSF_ERR_NONE);
  json_decref(doc);
}

/* ---- whole-file limit ------------------------------------------------------ */

static char *sparse_file(off_t size) {
  char *path = temp_file(".json", "", 0);
  FILE *f = fopen(path, "r+");
  cr_assert_not_null(f);
  cr_assert_eq(ftruncate(fileno(f), size), 0);
  fclose(f);
  return path;
}

Test(sheet, file_size_limit) {
  IpsfError err = {0};
  char *text;
  size_t len;
  char *path = sparse_file((off_t)IPSF_SHEET_MAX_FILE);
  cr_assert(ipsf_sheet_slurp(path, &text, &len, &err), "%s", err.message);
  cr_expect_eq(len, (size_t)IPSF_SHEET_MAX_FILE);
  cr_expect_eq(text[len], '\0');
  free(text);
  unlink(path);
  free(path);

  path = sparse_file((off_t)IPSF_SHEET_MAX_FILE + 1);
  cr_expect(!ipsf_sheet_slurp(path, &text, &len, &err));
  cr_expect_eq(err.kind, IPSF_ERR_LIMIT);
  cr_expect_str_eq(err.message, "file larger than 64 MiB");
  cr_expect_null(ipsf_sheet_read_yaml_file(path, &err));
  cr_expect_eq(err.kind, IPSF_ERR_LIMIT);
  unlink(path);
  free(path);

  path = temp_file(".json", "", 0); /* empty: read fine, then a syntax error */
  cr_assert(ipsf_sheet_slurp(path, &text, &len, &err));
  cr_expect_eq(len, 0);
  free(text);
  cr_expect_null(ipsf_sheet_read_json_file(path, &err));
  cr_expect_eq(err.kind, IPSF_ERR_SYNTAX);
  unlink(path);
  free(path);
}
