/*
 * test_sheet_fast.c -- the JSON Lines fast path (sheet_fast.c) and the batch
 * reader (sheet_stream.c).
 *
 * The fast binder must either bind exactly what the jansson path binds, or
 * fall back (then the jansson path gives the record or the error, so error
 * messages have one source).  Every line below is bound both ways and the
 * contexts compared; lines the fast path must refuse are listed apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "pack_builder.h"
#include "sheet.h"

static IpsfPack *facts_pack(void) {
  IpsfError err = {0};
  IpsfPack *q = pb_facts_pack("test.fast", &err);
  cr_assert_not_null(q, "pack rejected: %s", err.message);
  return q;
}

/* Bind `line` both ways; returns whether the fast path accepted it, and
 * checks that then the jansson path gives the same context. */
static bool both_ways(const IpsfPack *pack, const char *line) {
  size_t len = strlen(line);
  char *text = malloc(len + 1), *scratch = malloc(len + 1);
  memcpy(text, line, len + 1);
  IpsfEval *fast = ipsf_eval_new(pack), *slow = ipsf_eval_new(pack);
  ipsf_eval_begin(fast);
  ipsf_eval_begin(slow);
  const char *device;
  bool ok = ipsf_sheet_fast_bind(fast, text, len, scratch, &device);
  if (ok) {
    IpsfError err = {0};
    json_t *doc = ipsf_sheet_parse_jsonl_line(text, len, &err);
    cr_assert_not_null(doc, "fast path accepted what jansson refuses: %s (%s)", line, err.message);
    IpsfBindOptions opt = {false};
    cr_assert(ipsf_sheet_bind(slow, doc, NULL, &opt, &err),
              "fast path accepted what binding refuses: %s (%s)", line, err.message);
    const char *d = ipsf_sheet_device(doc);
    cr_expect((d == NULL) == (device == NULL) && (!d || strcmp(d, device) == 0), "device: %s", line);
    cr_expect_eq(fast->fact_set[0], slow->fact_set[0], "facts set: %s", line);
    for (uint32_t f = 0; f < pack->fact_count; f++) {
      if (!((slow->fact_set[0] >> f) & 1u)) continue;
      IpsfValue a = fast->slots[pack->facts[f].slot], b = slow->slots[pack->facts[f].slot];
      if (pack->facts[f].type.kind == IPSF_K_STRING) cr_expect_str_eq(a.s, b.s, "%s", line);
      else cr_expect_eq(a.i, b.i, "fact %u: %s", f, line);
    }
    cr_expect_eq(fast->evidence_present, slow->evidence_present, "%s", line);
    for (uint32_t q = 0; q < pack->requirement_count; q++)
      cr_expect_eq(fast->evidence[q], slow->evidence[q], "%s", line);
    json_decref(doc);
  }
  ipsf_eval_free(fast);
  ipsf_eval_free(slow);
  free(text);
  free(scratch);
  return ok;
}

Test(sheet_fast, accepts_and_binds_as_jansson_does) {
  IpsfPack *pack = facts_pack();
  static const char *const good[] = {
      "{}",
      " { \"facts\" : { } } \r",
      "{\"device\":\"Cam\",\"facts\":{\"flag\":true,\"count\":-42,\"ratio\":2.5e-3,"
      "\"model\":\"X\\\"1\\n\",\"usage\":\"office\",\"radios\":[\"ble\",\"wifi\"]}}",
      "{\"facts\":{\"count\":9223372036854775807,\"ratio\":7,\"radios\":[]}}",
      "{\"facts\":{\"count\":-9223372036854775808,\"flag\":false}}",
      "{\"facts\":{\"count\":999999999999999999,\"ratio\":1844674407370955161}}",
      "{\"evidence\":{\"SH-01\":\"third_party_certification\"},\"facts\":{\"usage\":\"home\"}}",
      "{\"evidence\":{},\"device\":\"caf\xC3\xA9 \xE6\x97\xA5\xF0\x9F\x98\x80\"}",
      "{\"facts\":{\"model\":\"a\\/b\\\\c\\t\"},\"device\":\"\"}",
      "{\"evidence\":{\"SH-01\":\"third_party_certification\"},"
      "\"facts\":{\"radios\":[\"wifi\",\"ble\"],\"usage\":\"office\"}}",
      /* nineteen digits (no overflow test per digit), twenty in a real */
      "{\"facts\":{\"count\":1234567890123456789,\"ratio\":12345678901234567890.5}}",
      "{\"facts\":{\"count\":-1000000000000000000,\"ratio\":99999999999999999999.0}}",
      /* (an integer of twenty digits, even for a number fact, falls back: below) */
      "{\"facts\":{\"count\":-0,\"flag\":false,\"ratio\":-0.0}}",
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    cr_expect(both_ways(pack, good[i]), "fell back on: %s", good[i]);
  ipsf_pack_free(pack);
}

Test(sheet_fast, falls_back_on_everything_else) {
  IpsfPack *pack = facts_pack();
  static const char *const bad[] = {
      "", "[1]", "3", "{", "{\"facts\":{\"count\":1,}}", "{\"facts\":{\"count\":01}}",
      "{\"facts\":{\"count\":1.0}}", "{\"facts\":{\"count\":1e3}}",
      "{\"facts\":{\"count\":9223372036854775808}}", "{\"facts\":{\"ratio\":1e999}}",
      "{\"facts\":{\"count\":18446744073709551615}}", "{\"facts\":{\"count\":18446744073709551616}}",
      "{\"facts\":{\"count\":99999999999999999999}}", "{\"facts\":{\"count\":-18446744073709551616}}",
      "{\"facts\":{\"count\":1x}}", "{\"facts\":{\"flag\":truex}}", "{\"facts\":{\"flag\":1}}",
      "{\"facts\":{\"usage\":\"moon\"}}", "{\"facts\":{\"usage\":\"h\\u006fme\"}}",
      "{\"facts\":{\"radios\":[\"wifi\",]}}", "{\"facts\":{\"radios\":[\"5g\"]}}",
      "{\"facts\":{\"nope\":1}}", "{\"facts\":{\"count\":1,\"count\":2}}",
      "{\"facts\":{},\"facts\":{}}", "{\"profiles\":{}}", "{\"fact\":{}}",
      "{\"device\":\"a\\u0000b\"}", "{\"device\":\"\xC0\xAF\"}", "{\"device\":\"\xED\xA0\x80\"}",
      "{\"device\":\"\xF4\x90\x80\x80\"}", "{\"device\":\"tab\there\"}", "{\"device\":1}",
      "{\"evidence\":{\"SH-99\":\"self_declaration\"}}",
      "{\"evidence\":{\"SH-01\":\"licence\"}}",
      "{\"evidence\":{\"SH-01\":\"self_declaration\",\"SH-01\":\"self_declaration\"}}",
      "{} {}", "{}x", "{\"facts\":{\"count\":-9223372036854775809}}",
      "{\"facts\":{\"ratio\":99999999999999999999}}",
      "{\"facts\":{\"count\":10000000000000000000}}",
      "{\"facts\":{\"count\":00000000000000000001}}",
      /* a literal cut short by the line's end, or misspelt */
      "{\"facts\":{\"flag\":tru", "{\"facts\":{\"flag\":t", "{\"facts\":{\"flag\":fals}}",
      "{\"facts\":{\"flag\":true", "{\"facts\":{\"flag\":falsee}}",
      /* past the first eight bytes of a key or an enum name (the scan
       * tests eight at a time): a control character, an escape, bad
       * UTF-8, a NUL, an unterminated string */
      "{\"facts\":{\"usage\":\"officeoffice\tx\"}}", "{\"facts\":{\"usageusage\\n\":1}}",
      "{\"facts\":{\"radios\":[\"wifiwifiwifi\xC0\xAF\"]}}",
      "{\"evidence\":{\"SH-01SH-01SH-01\x7F\xFF\":\"self_declaration\"}}",
      "{\"facts\":{\"usage\":\"officeofficeoffice", "{\"facts\":{\"usage\":\"office\xE6\x97\xA5x\"}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_expect(!both_ways(pack, bad[i]), "accepted: %s", bad[i]);
  ipsf_pack_free(pack);
}

/* A NUL byte inside a line is never the end of a token: the fast path falls
 * back and jansson (sheet_json.c) reports it. */
Test(sheet_fast, nul_inside_the_line_falls_back) {
  IpsfPack *pack = facts_pack();
  static const char *const lines[] = {
      "{\"facts\":{\"count\":5\0,\"flag\":true}}", "{\"facts\":{\"flag\":true\0}}",
      "{\"facts\":{\"count\":5}}\0", "{\"facts\":{\"count\":5\0}}",
  };
  static const size_t lens[] = {34, 24, 22, 22};
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
    char *text = malloc(lens[i] + 1), *scratch = malloc(lens[i] + 1);
    memcpy(text, lines[i], lens[i] + 1);
    IpsfEval *ev = ipsf_eval_new(pack);
    ipsf_eval_begin(ev);
    const char *device;
    cr_expect(!ipsf_sheet_fast_bind(ev, text, lens[i], scratch, &device), "accepted line %zu", i);
    IpsfError err = {0};
    json_t *doc = ipsf_sheet_parse_jsonl_line(text, lens[i], &err);
    cr_expect_null(doc, "jansson path accepted line %zu", i);
    json_decref(doc);
    cr_expect_eq(err.kind, IPSF_ERR_SYNTAX, "line %zu", i);
    cr_expect(strstr(err.message, "a NUL byte is not valid JSON outside a string") != NULL,
              "line %zu: %s", i, err.message);
    ipsf_eval_free(ev);
    free(text);
    free(scratch);
  }
  ipsf_pack_free(pack);
}

/* ---- short names (names.h): one 16-byte load per key ------------------------ */

/* Names of 7, 8, 15, 16 and 17 bytes, and ones that share a first word or
 * sixteen bytes: the index holds the short ones, the longer go the old way. */
static IpsfPack *names_pack(void) {
  IpsfPack *p = pb_new("test.names");
  uint32_t e = pb_enum(p, "level", "x,xxxxxxxx,xxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxxx");
  uint32_t m = pb_enum(p, "modes", "a,ab,abcdefghijklmnop,abcdefghijklmnopq");
  pb_fact(p, "abcdefg", pb_t(IPSF_K_BOOL), IPSF_NONE);
  pb_fact(p, "abcdefgh", pb_t(IPSF_K_INT), IPSF_NONE);
  pb_fact(p, "abcdefghijklmno", pb_t(IPSF_K_BOOL), IPSF_NONE);
  pb_fact(p, "abcdefghijklmnop", pb_t(IPSF_K_INT), IPSF_NONE);
  pb_fact(p, "abcdefghijklmnopq", pb_t(IPSF_K_NUMBER), IPSF_NONE);
  pb_fact(p, "level", pb_te(IPSF_K_ENUM, e), IPSF_NONE);
  pb_fact(p, "modes", pb_te(IPSF_K_SET, m), IPSF_NONE);
  pb_fact(p, "x", pb_te(IPSF_K_ENUM, m), IPSF_NONE);
  uint32_t vp = pb_viewpoint(p, "pre_operation", "self_declaration,self_declarations,s");
  uint32_t r = pb_req(p, "R-0123456789abcd", vp, 10);
  pb_confirm(p, r, 0, 0, 11);
  uint32_t r2 = pb_req(p, "R-0123456789abcde", vp, 12);
  pb_confirm(p, r2, 0, 0, 13);
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err = {0};
  IpsfPack *q = pb_load(p, &err);
  cr_assert_not_null(q, "pack rejected: %s", err.message);
  return q;
}

/* `line`, and `line` with `pad` spaces after it: with the padding every
 * token is far enough from the line's end for the 16-byte load, without
 * it the last ones are not; both must agree with jansson. */
static bool both_ways_padded(const IpsfPack *pack, const char *line, size_t pad) {
  size_t len = strlen(line);
  char *padded = malloc(len + pad + 1);
  memcpy(padded, line, len);
  memset(padded + len, ' ', pad);
  padded[len + pad] = '\0';
  bool a = both_ways(pack, line), b = both_ways(pack, padded);
  cr_expect_eq(a, b, "padding changed the answer: %s", line);
  free(padded);
  return a && b;
}

Test(sheet_fast, short_names_bind_as_jansson_does) {
  IpsfPack *pack = names_pack();
  static const char *const good[] = {
      "{\"facts\":{\"abcdefg\":true,\"abcdefgh\":8,\"abcdefghijklmno\":false,"
      "\"abcdefghijklmnop\":16,\"abcdefghijklmnopq\":17.5}}",
      "{\"facts\":{\"level\":\"x\",\"modes\":[\"a\",\"ab\",\"abcdefghijklmnop\","
      "\"abcdefghijklmnopq\"],\"x\":\"abcdefghijklmnopq\"}}",
      "{\"facts\":{\"level\":\"xxxxxxxx\"}}", "{\"facts\":{\"level\":\"xxxxxxxxxxxxxxx\"}}",
      "{\"facts\":{\"level\":\"xxxxxxxxxxxxxxxx\"}}", "{\"facts\":{\"level\":\"xxxxxxxxxxxxxxxxx\"}}",
      "{\"facts\":{\"x\":\"abcdefghijklmnop\",\"modes\":[]}}",
      "{\"evidence\":{\"R-0123456789abcd\":\"self_declaration\","
      "\"R-0123456789abcde\":\"self_declarations\"},\"device\":\"0123456789abcdef\"}",
      "{\"evidence\":{\"R-0123456789abcde\":\"s\"},\"device\":\"a\\\"b\"}",
      "{\"device\":\"0123456789abcde\",\"facts\":{\"x\":\"a\"},\"evidence\":{}}",
      "{ \"device\" : \"\" , \"facts\" : { \"abcdefgh\" : -1 , \"modes\" : [ \"ab\" , \"a\" ] } }",
      "{\"facts\":{\"x\":\"ab\"},\"device\":\"caf\xC3\xA9\"}",
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    for (size_t pad = 0; pad <= 20; pad += 5)
      cr_expect(both_ways_padded(pack, good[i], pad), "fell back on: %s (pad %zu)", good[i], pad);
  static const char *const bad[] = {
      /* one byte off a name in its first or second word, or longer, shorter */
      "{\"facts\":{\"abcdefgH\":1}}", "{\"facts\":{\"abcdefghijklmnoP\":1}}",
      "{\"facts\":{\"abcdefghijklmnopqr\":1}}", "{\"facts\":{\"abcdef\":true}}",
      "{\"facts\":{\"abcdefghijklmnoq\":1}}", "{\"facts\":{\"\":1}}",
      "{\"facts\":{\"level\":\"xxxxxxxxxxxxxxxxxx\"}}", "{\"facts\":{\"level\":\"xxxxxxxxx\"}}",
      "{\"facts\":{\"level\":\"\"}}", "{\"facts\":{\"level\":\"a\"}}",
      "{\"facts\":{\"modes\":[\"x\"]}}", "{\"facts\":{\"modes\":[\"abcdefghijklmnoq\"]}}",
      /* a name of another namespace */
      "{\"facts\":{\"R-0123456789abcd\":1}}", "{\"evidence\":{\"abcdefgh\":\"s\"}}",
      "{\"evidence\":{\"R-0123456789abcd\":\"a\"}}", "{\"evidence\":{\"R-0123456789abcd\":\"self_declaratio\"}}",
      "{\"facts\":{\"level\":\"self_declaration\"}}",
      /* escapes, control bytes, UTF-8 and the NUL sentinel inside a short token */
      "{\"facts\":{\"abcdefg\\u0068\":1}}", "{\"facts\":{\"abc\\tdefgh\":1}}",
      "{\"facts\":{\"abcdefgh\x01\":1}}", "{\"facts\":{\"abcdefgh\xC3\xA9\":1}}",
      "{\"facts\":{\"level\":\"x\\u0078\"}}", "{\"facts\":{\"level\":\"x", "{\"facts\":{\"level",
      "{\"facts\":{\"abcdefghijklmnop", "{\"facts\":{\"abcdefghijklmnop\"",
      /* top-level keys one byte off, a repeat, a key the fast path leaves */
      "{\"fact\":{}}", "{\"factss\":{}}", "{\"devicE\":\"a\"}", "{\"evidencf\":{}}",
      "{\"device\":\"a\",\"device\":\"a\"}", "{\"profiles\":{}}",
      "{\"facts\":{\"abcdefgh\":1,\"abcdefgh\":2}}",
      "{\"evidence\":{\"R-0123456789abcd\":\"s\",\"R-0123456789abcd\":\"s\"}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    for (size_t pad = 0; pad <= 20; pad += 5)
      cr_expect(!both_ways_padded(pack, bad[i], pad), "accepted: %s (pad %zu)", bad[i], pad);
  ipsf_pack_free(pack);
}

/* The lines of the first pack with padding: its keys and names (two
 * enums, a method of 16 bytes and one of 25) through the 16-byte load. */
Test(sheet_fast, padded_lines_of_the_first_pack) {
  IpsfPack *pack = facts_pack();
  static const char *const lines[] = {
      "{\"device\":\"Cam\",\"facts\":{\"flag\":true,\"count\":-42,\"ratio\":2.5e-3,"
      "\"usage\":\"office\",\"radios\":[\"ble\",\"wifi\",\"zigbee\"]}}",
      "{\"evidence\":{\"SH-01\":\"self_declaration\"},\"facts\":{\"usage\":\"hospital\"}}",
      "{\"evidence\":{\"SH-01\":\"third_party_certification\"},\"facts\":{\"usage\":\"home\"}}",
  };
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
    for (size_t pad = 0; pad <= 40; pad += 8)
      cr_expect(both_ways_padded(pack, lines[i], pad), "fell back on: %s (pad %zu)", lines[i], pad);
  ipsf_pack_free(pack);
}

/* ---- the batch reader ----------------------------------------------------- */

static char *temp_file(const char *data, size_t len) {
  char *path = strdup("/tmp/ipsf-fast-XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, data, len), (ssize_t)len);
  close(fd);
  return path;
}

Test(sheet_stream, lines_numbers_bom_blank_and_last_line) {
  const char text[] = "\xEF\xBB\xBF{\"a\":1}\n\n  \t\r\n{\"b\":2}\r\n{\"c\":3}";
  char *path = temp_file(text, sizeof text - 1);
  IpsfStream s;
  IpsfBatch b;
  IpsfError err = {0};
  cr_assert(ipsf_stream_open(&s, path, &err));
  ipsf_batch_init(&b);
  size_t seen = 0;
  uint64_t lines[3];
  const char *want[3] = {"{\"a\":1}", "{\"b\":2}\r", "{\"c\":3}"};
  while (ipsf_stream_fill(&s, &b, 1 << 20, 1000)) {
    cr_assert(!b.fatal);
    for (size_t i = 0; i < b.count; i++, seen++) {
      cr_assert_lt(seen, 3);
      lines[seen] = b.items[i].line_no;
      cr_expect_str_eq(b.text + b.items[i].off, want[seen]);
      cr_expect_eq(b.items[i].len, strlen(want[seen]));
    }
  }
  cr_expect_eq(seen, 3);
  cr_expect_eq(lines[0], 1);
  cr_expect_eq(lines[1], 4);
  cr_expect_eq(lines[2], 5);
  ipsf_batch_free(&b);
  ipsf_stream_close(&s);
  unlink(path);
  free(path);
}

Test(sheet_stream, long_line_is_a_limit_item_and_reading_goes_on) {
  size_t big = (size_t)IPSF_SHEET_MAX_LINE + 10;
  const char head[] = "{\"x\":1}\n", tail[] = "\n{\"y\":2}\n";
  size_t n = sizeof head - 1 + big + sizeof tail - 1;
  char *text = malloc(n);
  memcpy(text, head, sizeof head - 1);
  memset(text + sizeof head - 1, ' ', big);
  memcpy(text + sizeof head - 1 + big, tail, sizeof tail - 1);
  char *path = temp_file(text, n);
  free(text);
  IpsfStream s;
  IpsfBatch b;
  IpsfError err = {0};
  cr_assert(ipsf_stream_open(&s, path, &err));
  ipsf_batch_init(&b);
  uint64_t got[3] = {0};
  bool too_long[3] = {0};
  size_t k = 0;
  while (ipsf_stream_fill(&s, &b, 1 << 20, 1000))
    for (size_t i = 0; i < b.count && k < 3; i++, k++) {
      got[k] = b.items[i].line_no;
      too_long[k] = b.items[i].too_long;
    }
  cr_expect_eq(k, 3);
  cr_expect(!too_long[0] && too_long[1] && !too_long[2]);
  cr_expect_eq(got[1], 2);
  cr_expect_eq(got[2], 3);
  cr_expect_leq(s.cap, (size_t)IPSF_SHEET_MAX_LINE + 2u * 1024u * 1024u);
  ipsf_batch_free(&b);
  ipsf_stream_close(&s);
  unlink(path);
  free(path);
}

/* Lines are cut in place and a batch keeps the read buffer its items
 * point into: a batch's lines stay as they were while the next batch is
 * filled (two batches alive at once, as with --jobs 2), over many small
 * batches, lines of every length across the reads' boundaries, and a last
 * line without its newline. */
Test(sheet_stream, batches_keep_their_lines_while_the_next_fills) {
  size_t n = 3000, cap = n * 80 + 1, len = 0;
  char *text = malloc(cap);
  for (size_t i = 0; i < n; i++) {
    size_t k = (i * 37) % 70;
    len += (size_t)sprintf(text + len, "{\"n\":%zu,\"pad\":\"", i);
    memset(text + len, 'a' + (int)(i % 26), k);
    len += k;
    len += (size_t)sprintf(text + len, "\"}%s", i + 1 < n ? "\n" : "");
  }
  char *path = temp_file(text, len);
  IpsfStream s;
  IpsfBatch b[2];
  IpsfError err = {0};
  cr_assert(ipsf_stream_open(&s, path, &err));
  ipsf_batch_init(&b[0]);
  ipsf_batch_init(&b[1]);
  size_t seen = 0, fills = 0, checked = 0;
  const char *line = text;
  const char *starts[2] = {NULL, NULL};
  size_t first[2] = {0, 0};
  for (;;) {
    IpsfBatch *cur = &b[fills % 2], *prev = &b[(fills + 1) % 2];
    int got = ipsf_stream_fill(&s, cur, 5000, 50);
    /* the other batch, filled before this one, still holds its lines */
    if (fills > 0) {
      const char *l = starts[(fills + 1) % 2];
      for (size_t i = 0; i < prev->count; i++, checked++) {
        const char *nl = strchr(l, '\n');
        size_t ll = nl ? (size_t)(nl - l) : strlen(l);
        cr_assert_eq(prev->items[i].len, ll);
        cr_assert(memcmp(prev->text + prev->items[i].off, l, ll) == 0, "line %zu changed",
                  first[(fills + 1) % 2] + i + 1);
        cr_assert_eq(prev->text[prev->items[i].off + ll], '\0');
        l = nl ? nl + 1 : l + ll;
      }
    }
    if (!got) break;
    cr_assert(!cur->fatal);
    starts[fills % 2] = line;
    first[fills % 2] = seen;
    for (size_t i = 0; i < cur->count; i++, seen++) {
      cr_assert_eq(cur->items[i].line_no, seen + 1);
      const char *nl = strchr(line, '\n');
      line = nl ? nl + 1 : line + strlen(line);
    }
    fills++;
  }
  cr_expect_eq(seen, n);
  cr_expect_eq(checked, n);
  cr_expect_gt(fills, 20);
  ipsf_batch_free(&b[0]);
  ipsf_batch_free(&b[1]);
  ipsf_stream_close(&s);
  unlink(path);
  free(path);
  free(text);
}

Test(sheet_stream, open_missing_file) {
  IpsfStream s;
  IpsfError err = {0};
  cr_expect(!ipsf_stream_open(&s, "/nonexistent/x.jsonl", &err));
  cr_expect_eq(err.kind, IPSF_ERR_IO);
  cr_expect_str_eq(err.message, "cannot open: No such file or directory");
  ipsf_stream_close(&s);
}
