/*
 * sheet_yaml.c -- fact sheets in YAML, read with libyaml's event API into
 * the same jansson documents the JSON readers make.
 *
 * Only the part of YAML a fact sheet needs is accepted, and everything
 * else is an error with its line:col (1-based), never a guess:
 *
 *   - one document per file ("more than one YAML document");
 *   - mappings become objects (a duplicate key is an error, keys are the
 *     text of a scalar), sequences become arrays;
 *   - plain scalars are resolved by the YAML 1.2 core schema, narrowed:
 *     true/false (also True, TRUE, ...) are booleans; decimal integers
 *     ([-+]?[0-9]+, no underscores, no 0x/0o) are integers and must fit in
 *     64 bits; decimal floats (0.5, .5, 1e9, -2.5E-3) are reals; .nan and
 *     .inf are "non-finite number" errors, like a float that overflows;
 *     null, Null, NULL, ~ and the empty scalar are errors ("null is not a
 *     value in a fact sheet": there is no null); anything else, yes/no/on/off
 *     included (YAML 1.1's booleans are not booleans here), is a string;
 *   - quoted, literal and folded scalars are strings;
 *   - anchors and aliases are errors: they are not needed, and refusing
 *     them rules out "billion laughs" expansion;
 *   - tags: "!" and the standard !!str, !!int, !!float, !!bool, !!map and
 *     !!seq are honoured (!!int on a non-integer is an error); !!null and
 *     every other tag are errors ("unsupported YAML tag");
 *   - nesting deeper than IPSF_YAML_MAX_DEPTH collections is a "limit"
 *     error; that bound is also what bounds this file's recursion.
 *
 * Numbers are converted by jansson, not strtod, so that the C locale's
 * decimal point cannot change a sheet's meaning.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sheet.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct {
  yaml_parser_t parser;
  const char *text; /* the input, for the line:col of reader errors */
  size_t len;
  IpsfError *err;
} YamlReader;

/* Offending text for a message (see ipsf_shown_name); a standard tag is
 * shown in its short form, "!!binary". */
static IpsfShownName quote(const char *text) {
  if (strncmp(text, TAG_PREFIX, strlen(TAG_PREFIX)) != 0) return ipsf_shown_name(text);
  IpsfShownName q, t = ipsf_shown_name(text + strlen(TAG_PREFIX));
  memcpy(q.s, "!!", 2);
  memcpy(q.s + 2, t.s, sizeof q.s - 2);
  q.s[sizeof q.s - 1] = '\0';
  return q;
}

/* An error at a mark (libyaml's are 0-based, ours 1-based). */
static bool fail_at(YamlReader *y, IpsfErrorKind kind, yaml_mark_t mark, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static bool fail_at(YamlReader *y, IpsfErrorKind kind, yaml_mark_t mark, const char *fmt, ...) {
  char text[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  return ipsf_fail(y->err, kind, "%lu:%lu: %s", (unsigned long)mark.line + 1,
                   (unsigned long)mark.column + 1, text);
}

/* libyaml's own errors: scanner and parser problems carry a mark; reader
 * errors (bad encoding) carry a byte offset instead. */
static bool parser_fail(YamlReader *y) {
  yaml_parser_t *p = &y->parser;
  if (p->error == YAML_MEMORY_ERROR)
    return ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML");
  const char *problem = p->problem ? p->problem : "invalid YAML";
  if (p->error == YAML_READER_ERROR) {
    /* Bad encoding: libyaml gives a byte offset; count lines and code
     * points (of what decoded so far) up to it. */
    unsigned long line = 1, col = 1;
    for (size_t i = 0; i < p->problem_offset && i < y->len; i++) {
      unsigned char c = (unsigned char)y->text[i];
      if (c == '\n') {
        line++;
        col = 1;
      } else if ((c & 0xC0) != 0x80) {
        col++;
      }
    }
    return ipsf_fail(y->err, IPSF_ERR_SYNTAX, "%lu:%lu: %s", line, col, problem);
  }
  if (p->context)
    return ipsf_fail(y->err, IPSF_ERR_SYNTAX, "%lu:%lu: %s %s", (unsigned long)p->problem_mark.line + 1,
                     (unsigned long)p->problem_mark.column + 1, problem, p->context);
  return ipsf_fail(y->err, IPSF_ERR_SYNTAX, "%lu:%lu: %s", (unsigned long)p->problem_mark.line + 1,
                   (unsigned long)p->problem_mark.column + 1, problem);
}

static bool next_event(YamlReader *y, yaml_event_t *ev) {
  if (!yaml_parser_parse(&y->parser, ev)) return parser_fail(y);
  return true;
}

/* ---- scalars ------------------------------------------------------------- */

static bool all_digits(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return false;
  return true;
}

static bool is_int_text(const char *s) {
  if (*s == '-' || *s == '+') s++;
  return all_digits(s);
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float_text(const char *s) {
  if (*s == '-' || *s == '+') s++;
  size_t before = 0, after = 0;
  while (*s >= '0' && *s <= '9') s++, before++;
  if (*s == '.') {
    s++;
    while (*s >= '0' && *s <= '9') s++, after++;
    if (!before && !after) return false;
  } else if (!before) {
    return false;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '-' || *s == '+') s++;
    if (!all_digits(s)) return false;
    return true;
  }
  return *s == '\0';
}

static bool is_nonfinite_text(const char *s) {
  static const char *const words[] = {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF"};
  for (size_t i = 0; i < 6; i++)
    if (strcmp(s, words[i]) == 0) return true;
  if (*s == '-' || *s == '+')
    for (size_t i = 3; i < 6; i++)
      if (strcmp(s + 1, words[i]) == 0) return true;
  return false;
}

static bool is_null_text(const char *s) {
  return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
         !strcmp(s, "NULL");
}

static int bool_text(const char *s) {
  if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) return 1;
  if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) return 0;
  return -1;
}

static json_t *make_int(YamlReader *y, yaml_mark_t mark, const char *s) {
  errno = 0;
  char *end;
  long long v = strtoll(s, &end, 10);
  if (errno == ERANGE || *end)
    return fail_at(y, IPSF_ERR_SYNTAX, mark, "integer '%s' is out of the 64-bit range", quote(s).s), NULL;
  json_t *j = json_integer((json_int_t)v);
  if (!j) ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML");
  return j;
}

/* A YAML float (already checked by is_float_text) made into JSON's number
 * syntax, then converted by jansson: no '+', a digit on both sides of '.'. */
static json_t *make_real(YamlReader *y, yaml_mark_t mark, const char *s) {
  size_t n = strlen(s);
  char *t = malloc(n + 3);
  if (!t) return ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML"), NULL;
  size_t o = 0;
  const char *p = s;
  if (*p == '+') p++;
  if (*p == '-') t[o++] = *p++;
  if (*p == '.') t[o++] = '0';
  for (; *p; p++) {
    t[o++] = *p;
    if (*p == '.' && !(p[1] >= '0' && p[1] <= '9')) t[o++] = '0';
  }
  json_error_t je;
  memset(&je, 0, sizeof je); /* jansson may leave it unset when out of memory */
  json_t *j = json_loadb(t, o, JSON_DECODE_ANY, &je);
  free(t);
  if (!j) {
    if (json_error_code(&je) == json_error_out_of_memory || je.text[0] == '\0')
      return ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML"), NULL;
    /* jansson refuses an overflowing real: it would be infinite. */
    return fail_at(y, IPSF_ERR_SYNTAX, mark, "non-finite number '%s'", quote(s).s), NULL;
  }
  if (json_is_integer(j)) { /* "1" under !!float */
    json_t *r = json_real((double)json_integer_value(j));
    json_decref(j);
    if (!r) ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML");
    return r;
  }
  if (!json_is_real(j) || !isfinite(json_real_value(j))) {
    json_decref(j);
    return fail_at(y, IPSF_ERR_SYNTAX, mark, "non-finite number '%s'", quote(s).s), NULL;
  }
  return j;
}

static json_t *make_string(YamlReader *y, const yaml_event_t *ev) {
  json_t *j = json_stringn((const char *)ev->data.scalar.value, ev->data.scalar.length);
  /* libyaml has checked the encoding, so NULL means no memory. */
  if (!j) ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML");
  return j;
}

static json_t *scalar_value(YamlReader *y, const yaml_event_t *ev) {
  const char *s = (const char *)ev->data.scalar.value;
  const char *tag = (const char *)ev->data.scalar.tag;
  yaml_mark_t mark = ev->start_mark;
  bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

  if (tag && strcmp(tag, "!") != 0) {
    const char *t = strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0 ? tag + strlen(TAG_PREFIX)
                                                                       : NULL;
    if (t && !strcmp(t, "str")) return make_string(y, ev);
    if (t && !strcmp(t, "int")) {
      if (!is_int_text(s)) return fail_at(y, IPSF_ERR_SYNTAX, mark, "'%s' is not an integer", quote(s).s), NULL;
      return make_int(y, mark, s);
    }
    if (t && !strcmp(t, "float")) {
      if (is_nonfinite_text(s))
        return fail_at(y, IPSF_ERR_SYNTAX, mark, "non-finite number '%s'", quote(s).s), NULL;
      if (!is_float_text(s)) return fail_at(y, IPSF_ERR_SYNTAX, mark, "'%s' is not a number", quote(s).s), NULL;
      return make_real(y, mark, s);
    }
    if (t && !strcmp(t, "bool")) {
      int b = bool_text(s);
      if (b < 0) return fail_at(y, IPSF_ERR_SYNTAX, mark, "'%s' is not true or false", quote(s).s), NULL;
      return json_boolean(b);
    }
    if (t && !strcmp(t, "null"))
      return fail_at(y, IPSF_ERR_SYNTAX, mark, "%s", "null is not a value in a fact sheet"), NULL;
    return fail_at(y, IPSF_ERR_SYNTAX, mark, "unsupported YAML tag '%s'", quote(tag).s), NULL;
  }
  if (tag || !plain) return make_string(y, ev); /* "!" or quoted: a string */

  if (strlen(s) != ev->data.scalar.length) return make_string(y, ev); /* cannot be plain */
  if (is_null_text(s))
    return fail_at(y, IPSF_ERR_SYNTAX, mark, "%s", "null is not a value in a fact sheet"), NULL;
  int b = bool_text(s);
  if (b >= 0) return json_boolean(b);
  if (is_int_text(s)) return make_int(y, mark, s);
  if (is_nonfinite_text(s))
    return fail_at(y, IPSF_ERR_SYNTAX, mark, "non-finite number '%s'", quote(s).s), NULL;
  if (is_float_text(s)) return make_real(y, mark, s);
  return make_string(y, ev);
}

/* ---- collections --------------------------------------------------------- */

static const char *node_anchor(const yaml_event_t *ev) {
  switch (ev->type) {
  case YAML_SCALAR_EVENT: return (const char *)ev->data.scalar.anchor;
  case YAML_SEQUENCE_START_EVENT: return (const char *)ev->data.sequence_start.anchor;
  case YAML_MAPPING_START_EVENT: return (const char *)ev->data.mapping_start.anchor;
  default: return NULL;
  }
}

static bool collection_tag_ok(const char *tag, const char *want) {
  if (!tag || !strcmp(tag, "!")) return true;
  return strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0 &&
         !strcmp(tag + strlen(TAG_PREFIX), want);
}

static json_t *parse_node(YamlReader *y, yaml_event_t *ev, unsigned depth);

/* The events up to the end of the collection `start` opened. */
static json_t *parse_mapping(YamlReader *y, unsigned depth) {
  json_t *obj = json_object();
  if (!obj) return ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML"), NULL;
  for (;;) {
    yaml_event_t ev;
    if (!next_event(y, &ev)) goto fail;
    if (ev.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&ev);
      return obj;
    }
    if (ev.type == YAML_ALIAS_EVENT || node_anchor(&ev)) {
      fail_at(y, IPSF_ERR_SYNTAX, ev.start_mark, "%s", "YAML aliases are not supported");
      yaml_event_delete(&ev);
      goto fail;
    }
    if (ev.type != YAML_SCALAR_EVENT) {
      fail_at(y, IPSF_ERR_SYNTAX, ev.start_mark, "%s", "a mapping key must be a scalar");
      yaml_event_delete(&ev);
      goto fail;
    }
    const char *key = (const char *)ev.data.scalar.value;
    if (strlen(key) != ev.data.scalar.length) {
      fail_at(y, IPSF_ERR_SYNTAX, ev.start_mark, "%s", "a key must not contain a NUL character");
      yaml_event_delete(&ev);
      goto fail;
    }
    if (ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !*key) {
      fail_at(y, IPSF_ERR_SYNTAX, ev.start_mark, "%s", "null is not a value in a fact sheet");
      yaml_event_delete(&ev);
      goto fail;
    }
    if (json_object_get(obj, key)) {
      fail_at(y, IPSF_ERR_SYNTAX, ev.start_mark, "duplicate key '%s'", quote(key).s);
      yaml_event_delete(&ev);
      goto fail;
    }
    yaml_event_t vev;
    if (!next_event(y, &vev)) {
      yaml_event_delete(&ev);
      goto fail;
    }
    json_t *val = parse_node(y, &vev, depth);
    if (!val || json_object_set_new(obj, key, val) != 0) {
      if (val) ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML");
      yaml_event_delete(&ev);
      goto fail;
    }
    yaml_event_delete(&ev);
  }
fail:
  json_decref(obj);
  return NULL;
}

static json_t *parse_sequence(YamlReader *y, unsigned depth) {
  json_t *arr = json_array();
  if (!arr) return ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML"), NULL;
  for (;;) {
    yaml_event_t ev;
    if (!next_event(y, &ev)) break;
    if (ev.type == YAML_SEQUENCE_END_EVENT) {
      yaml_event_delete(&ev);
      return arr;
    }
    json_t *val = parse_node(y, &ev, depth);
    if (!val) break;
    if (json_array_append_new(arr, val) != 0) {
      ipsf_fail(y->err, IPSF_ERR_NOMEM, "out of memory while parsing YAML");
      break;
    }
  }
  json_decref(arr);
  return NULL;
}

/* Build the node that starts with *ev (which this deletes); depth is the
 * number of collections around it. */
static json_t *parse_node(YamlReader *y, yaml_event_t *ev, unsigned depth) {
  json_t *out = NULL;
  if (ev->type == YAML_ALIAS_EVENT || node_anchor(ev)) {
    fail_at(y, IPSF_ERR_SYNTAX, ev->start_mark, "%s", "YAML aliases are not supported");
  } else if (ev->type == YAML_SCALAR_EVENT) {
    out = scalar_value(y, ev);
  } else if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
    bool map = ev->type == YAML_MAPPING_START_EVENT;
    const char *tag = (const char *)(map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    if (depth >= IPSF_YAML_MAX_DEPTH)
      fail_at(y, IPSF_ERR_LIMIT, ev->start_mark, "%s", "nesting deeper than 64");
    else if (!collection_tag_ok(tag, map ? "map" : "seq"))
      fail_at(y, IPSF_ERR_SYNTAX, ev->start_mark, "unsupported YAML tag '%s'", quote(tag).s);
    else
      out = map ? parse_mapping(y, depth + 1) : parse_sequence(y, depth + 1);
  } else {
    fail_at(y, IPSF_ERR_INTERNAL, ev->start_mark, "%s", "unexpected YAML event");
  }
  yaml_event_delete(ev);
  return out;
}

json_t *ipsf_sheet_parse_yaml(const char *text, size_t len, IpsfError *err) {
  YamlReader y;
  y.text = text;
  y.len = len;
  y.err = err;
  if (!yaml_parser_initialize(&y.parser)) {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory while parsing YAML");
    return NULL;
  }
  yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
  json_t *doc = NULL;
  yaml_event_t ev;
  bool ok = next_event(&y, &ev); /* STREAM-START */
  if (ok) {
    yaml_event_delete(&ev);
    ok = next_event(&y, &ev);
  }
  if (ok && ev.type == YAML_STREAM_END_EVENT) {
    fail_at(&y, IPSF_ERR_SYNTAX, ev.start_mark, "%s", "the YAML input has no document");
    yaml_event_delete(&ev);
    ok = false;
  }
  if (ok) { /* DOCUMENT-START, then the root node */
    yaml_event_delete(&ev);
    ok = next_event(&y, &ev);
  }
  if (ok) {
    doc = parse_node(&y, &ev, 0);
    ok = doc != NULL;
  }
  if (ok && (ok = next_event(&y, &ev))) { /* DOCUMENT-END */
    yaml_event_delete(&ev);
    ok = next_event(&y, &ev);
  }
  if (ok) {
    if (ev.type == YAML_DOCUMENT_START_EVENT) {
      fail_at(&y, IPSF_ERR_SYNTAX, ev.start_mark, "%s", "more than one YAML document");
      ok = false;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&y.parser);
  if (!ok) {
    json_decref(doc);
    return NULL;
  }
  return doc;
}
