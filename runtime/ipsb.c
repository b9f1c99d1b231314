/*
 * ipsb.c -- the .ipsb file format: writing and reading a compiled pack.
 *
 * docs/bytecode.md describes the layout byte by byte.  In brief (all
 * integers little-endian):
 *
 *   magic "\x89IPSB\r\n\x1a" (8 bytes)  u32 format version  u32 section count
 *     (13, or 14 when the pack has native functions)
 *   section table: count x { u32 id, u32 offset, u32 length }, ids 1..count
 *     in order, the sections contiguous from the end of the table
 *   the sections: meta, strings, enums, consts, slots, facts, scales, rules,
 *     viewpoints, requirements, confirms, code, lines [, natives]
 *   32 bytes: SHA-256 of every byte before it
 *   optionally, a signature trailer (100 bytes): "SIG1", the signer's
 *     Ed25519 public key (32), the signature (64) over
 *     "ipsfc pack signature v1\0" || the digest
 *
 * The trailer is not covered by the digest (it signs the digest), so a
 * pack signed or re-signed keeps its digest.  The loader records whether
 * the signature verifies under the key in the trailer; whether that key is
 * one the caller trusts is ipsf_pack_check_signature's question (sign.c).
 *
 * Reading never casts bytes to structs: every field is decoded explicitly,
 * every count is checked against the bytes that remain before anything is
 * allocated (a small file cannot ask for a huge allocation), and every
 * section must be consumed exactly.  Structural parsing only checks what
 * the bytes themselves can get wrong (bounds, UTF-8, sizes); what the
 * indices mean is ipsf_verify's job (verify.c), and it runs before the pack
 * is returned.  The writer serialises the in-memory image as it is, without
 * looking through any index, so it is deterministic and safe on packs the
 * verifier would reject (the tests rely on that).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pack.h"

/* PNG-style: a high-bit byte (catches 7-bit channels), the name, CR LF
 * (catches line-ending conversion either way), ^Z (stops DOS `type`). */
static const uint8_t ipsb_magic[8] = {0x89, 'I', 'P', 'S', 'B', '\r', '\n', 0x1a};

enum {
  SEC_META = 1,
  SEC_STRINGS,
  SEC_ENUMS,
  SEC_CONSTS,
  SEC_SLOTS,
  SEC_FACTS,
  SEC_SCALES,
  SEC_RULES,
  SEC_VIEWPOINTS,
  SEC_REQUIREMENTS,
  SEC_CONFIRMS,
  SEC_CODE,
  SEC_LINES,
  SEC_NATIVES, /* optional: written only when the pack has natives */
  SEC__END
};
#define SEC_COUNT (SEC__END - 1)
#define SEC_COUNT_PLAIN (SEC_NATIVES - 1) /* a pack without natives */
#define HEADER_SIZE (8u + 4u + 4u)
#define TABLE_SIZE(count) ((count) * 12u)
#define DIGEST_SIZE 32u
#define SIG_MAGIC_SIZE 4u
#define SIG_TRAILER_SIZE (SIG_MAGIC_SIZE + IPSF_SIGN_KEY_SIZE + IPSF_SIGNATURE_SIZE)

static const uint8_t sig_magic[SIG_MAGIC_SIZE] = {'S', 'I', 'G', '1'};

static const char *const section_names[SEC__END] = {
    [SEC_META] = "meta",         [SEC_STRINGS] = "strings",
    [SEC_ENUMS] = "enums",       [SEC_CONSTS] = "consts",
    [SEC_SLOTS] = "slots",       [SEC_FACTS] = "facts",
    [SEC_SCALES] = "scales",     [SEC_RULES] = "rules",
    [SEC_VIEWPOINTS] = "viewpoints", [SEC_REQUIREMENTS] = "requirements",
    [SEC_CONFIRMS] = "confirms", [SEC_CODE] = "code",
    [SEC_LINES] = "lines",       [SEC_NATIVES] = "natives",
};

/* ---- writing ------------------------------------------------------------ */

typedef struct {
  uint8_t *data;
  size_t len, cap;
  bool failed;
} Out;

static void out_reserve(Out *o, size_t n) {
  if (o->failed) return;
  if (o->cap - o->len >= n) return;
  size_t cap = o->cap ? o->cap : 1024;
  while (cap - o->len < n) {
    if (cap > SIZE_MAX / 2) {
      o->failed = true;
      return;
    }
    cap *= 2;
  }
  uint8_t *d = realloc(o->data, cap);
  if (!d) {
    o->failed = true;
    return;
  }
  o->data = d;
  o->cap = cap;
}

static void put_bytes(Out *o, const void *p, size_t n) {
  out_reserve(o, n);
  if (o->failed || n == 0) return;
  memcpy(o->data + o->len, p, n);
  o->len += n;
}

static void put_u8(Out *o, uint8_t v) { put_bytes(o, &v, 1); }

static void put_u32(Out *o, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  put_bytes(o, b, 4);
}

static void put_u64(Out *o, uint64_t v) {
  put_u32(o, (uint32_t)v);
  put_u32(o, (uint32_t)(v >> 32));
}

static void set_u32_at(Out *o, size_t at, uint32_t v) {
  if (o->failed) return;
  o->data[at] = (uint8_t)v;
  o->data[at + 1] = (uint8_t)(v >> 8);
  o->data[at + 2] = (uint8_t)(v >> 16);
  o->data[at + 3] = (uint8_t)(v >> 24);
}

static void put_type(Out *o, IpsfType t) {
  put_u8(o, t.kind);
  put_u32(o, t.enum_type);
}

static void put_loc(Out *o, IpsfLoc l) {
  put_u32(o, l.file);
  put_u32(o, l.line);
  put_u32(o, l.col);
}

static uint64_t const_bits(const IpsfConst *c) {
  switch (c->type.kind) {
  case IPSF_K_NUMBER: {
    uint64_t u;
    memcpy(&u, &c->value.n, sizeof u);
    return u;
  }
  case IPSF_K_STRING:
    return c->str;
  case IPSF_K_SET:
    return c->value.m;
  default:
    return (uint64_t)c->value.i;
  }
}

static void write_section(Out *o, const IpsfPack *p, int id) {
  switch (id) {
  case SEC_META:
    put_u32(o, p->meta.name);
    put_u32(o, p->meta.version);
    put_u32(o, p->meta.title);
    put_u32(o, p->meta.authority);
    put_u32(o, p->meta.framework);
    put_u32(o, p->meta.description);
    put_u32(o, p->meta.currency);
    put_u32(o, p->axis1);
    put_u32(o, p->axis2);
    break;
  case SEC_STRINGS:
    put_u32(o, p->string_count);
    for (uint32_t i = 0; i < p->string_count; i++) {
      put_u32(o, p->string_lens[i]);
      put_bytes(o, p->strings[i], p->string_lens[i]);
    }
    break;
  case SEC_ENUMS:
    put_u32(o, p->enum_count);
    for (uint32_t i = 0; i < p->enum_count; i++) {
      put_u32(o, p->enums[i].name);
      put_u32(o, p->enums[i].value_count);
      for (uint32_t k = 0; k < p->enums[i].value_count; k++) put_u32(o, p->enums[i].values[k]);
    }
    break;
  case SEC_CONSTS:
    put_u32(o, p->const_count);
    for (uint32_t i = 0; i < p->const_count; i++) {
      put_type(o, p->consts[i].type);
      put_u64(o, const_bits(&p->consts[i]));
    }
    break;
  case SEC_SLOTS:
    put_u32(o, p->slot_count);
    for (uint32_t i = 0; i < p->slot_count; i++) {
      put_type(o, p->slots[i].type);
      put_u8(o, p->slots[i].role);
      put_u32(o, p->slots[i].name);
    }
    break;
  case SEC_FACTS:
    put_u32(o, p->fact_count);
    for (uint32_t i = 0; i < p->fact_count; i++) {
      const IpsfFact *f = &p->facts[i];
      put_u32(o, f->name);
      put_type(o, f->type);
      put_u32(o, f->slot);
      put_u32(o, f->default_const);
      put_u32(o, f->doc);
    }
    break;
  case SEC_SCALES:
    put_u32(o, p->scale_count);
    for (uint32_t i = 0; i < p->scale_count; i++) {
      const IpsfScale *s = &p->scales[i];
      put_u32(o, s->name);
      put_u32(o, s->enum_type);
      put_u8(o, s->policy);
      put_u8(o, s->axis);
      put_u32(o, s->slot);
      put_u32(o, s->otherwise);
      put_loc(o, s->otherwise_loc);
      put_u32(o, s->first_rule);
      put_u32(o, s->rule_count);
    }
    break;
  case SEC_RULES:
    put_u32(o, p->rule_count);
    for (uint32_t i = 0; i < p->rule_count; i++) {
      put_u32(o, p->rules[i].scale);
      put_u32(o, p->rules[i].level);
      put_u32(o, p->rules[i].because);
      put_loc(o, p->rules[i].loc);
    }
    break;
  case SEC_VIEWPOINTS:
    put_u32(o, p->viewpoint_count);
    for (uint32_t i = 0; i < p->viewpoint_count; i++) {
      put_u32(o, p->viewpoints[i].name);
      put_u32(o, p->viewpoints[i].method_count);
      for (uint32_t k = 0; k < p->viewpoints[i].method_count; k++)
        put_u32(o, p->viewpoints[i].methods[k]);
    }
    break;
  case SEC_REQUIREMENTS:
    put_u32(o, p->requirement_count);
    for (uint32_t i = 0; i < p->requirement_count; i++) {
      const IpsfRequirement *r = &p->requirements[i];
      put_u32(o, r->id);
      put_u32(o, r->title);
      put_u32(o, r->viewpoint);
      put_u32(o, r->ref_count);
      for (uint32_t k = 0; k < r->ref_count; k++) put_u32(o, r->refs[k]);
      put_u32(o, r->party);
      put_u32(o, r->doc);
      put_u32(o, r->first_confirm);
      put_u32(o, r->confirm_count);
      put_loc(o, r->loc);
    }
    break;
  case SEC_CONFIRMS:
    put_u32(o, p->confirm_count);
    for (uint32_t i = 0; i < p->confirm_count; i++) {
      put_u32(o, p->confirms[i].requirement);
      put_u32(o, p->confirms[i].method);
      put_u32(o, p->confirms[i].every_months);
      put_loc(o, p->confirms[i].loc);
    }
    break;
  case SEC_CODE:
    put_u32(o, p->max_stack);
    put_u32(o, p->code_count);
    for (uint32_t i = 0; i < p->code_count; i++) put_u32(o, p->code[i]);
    break;
  case SEC_NATIVES:
    put_u32(o, p->native_count);
    for (uint32_t i = 0; i < p->native_count; i++) {
      const IpsfNative *f = &p->natives[i];
      put_u32(o, f->name);
      put_u32(o, f->library);
      put_u32(o, f->symbol);
      put_u8(o, f->result);
      put_u32(o, f->param_count);
      for (uint32_t k = 0; k < f->param_count && k < IPSF_MAX_NATIVE_PARAMS; k++)
        put_u8(o, f->params[k]);
    }
    break;
  case SEC_LINES:
    put_u32(o, p->line_count);
    for (uint32_t i = 0; i < p->line_count; i++) {
      put_u32(o, p->lines[i].pc);
      put_loc(o, p->lines[i].loc);
    }
    break;
  }
}

/* SHA-256 needs no initialisation in libsodium, but sodium_init() is cheap,
 * idempotent and thread-safe, and makes that independent of the version. */
static bool sodium_ready(void) { return sodium_init() >= 0; }

bool ipsb_write(IpsfPack *pack, uint8_t **out, size_t *out_len) {
  Out o = {0};
  if (!sodium_ready()) o.failed = true;
  put_bytes(&o, ipsb_magic, sizeof ipsb_magic);
  put_u32(&o, IPSB_FORMAT_VERSION);
  int nsec = pack->native_count ? SEC_COUNT : SEC_COUNT_PLAIN;
  put_u32(&o, (uint32_t)nsec);
  size_t table = o.len;
  for (int id = 1; id <= nsec; id++) {
    put_u32(&o, (uint32_t)id);
    put_u32(&o, 0); /* offset and length, filled below */
    put_u32(&o, 0);
  }
  for (int id = 1; id <= nsec; id++) {
    size_t start = o.len;
    write_section(&o, pack, id);
    if (o.failed) break;
    if (o.len > UINT32_MAX) { /* cannot be described by the format */
      o.failed = true;
      break;
    }
    size_t at = table + (size_t)(id - 1) * 12u;
    set_u32_at(&o, at + 4, (uint32_t)start);
    set_u32_at(&o, at + 8, (uint32_t)(o.len - start));
  }
  out_reserve(&o, DIGEST_SIZE);
  if (o.failed) {
    free(o.data);
    *out = NULL;
    *out_len = 0;
    return false;
  }
  crypto_hash_sha256(pack->digest, o.data, o.len);
  put_bytes(&o, pack->digest, DIGEST_SIZE);
  *out = o.data;
  *out_len = o.len;
  return true;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct {
  const uint8_t *b; /* the whole file */
  size_t pos, end;  /* the current section: [pos, end) */
  const char *section;
  IpsfError *err;
  bool failed;
} In;

static bool in_fail_truncated(In *in, size_t need) {
  if (!in->failed)
    ipsf_fail(in->err, IPSF_ERR_BYTECODE,
              "section '%s' is truncated: needs %zu more bytes at byte %zu, "
              "but it ends at byte %zu",
              in->section, need, in->pos, in->end);
  in->failed = true;
  return false;
}

static bool in_has(In *in, size_t n) {
  if (in->failed) return false;
  if (in->end - in->pos < n) return in_fail_truncated(in, n);
  return true;
}

static uint8_t get_u8(In *in) {
  if (!in_has(in, 1)) return 0;
  return in->b[in->pos++];
}

static uint32_t rd_u32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t get_u32(In *in) {
  if (!in_has(in, 4)) return 0;
  uint32_t v = rd_u32(in->b + in->pos);
  in->pos += 4;
  return v;
}

static uint64_t get_u64(In *in) {
  uint64_t lo = get_u32(in);
  uint64_t hi = get_u32(in);
  return lo | hi << 32;
}

static IpsfType get_type(In *in) {
  IpsfType t;
  t.kind = get_u8(in);
  t.enum_type = get_u32(in);
  return t;
}

static IpsfLoc get_loc(In *in) {
  IpsfLoc l;
  l.file = get_u32(in);
  l.line = get_u32(in);
  l.col = get_u32(in);
  return l;
}

/* Read a count of items each at least `min_size` bytes long and check that
 * the section has room for them before anything is allocated. */
static uint32_t get_count(In *in, const char *what, size_t min_size) {
  uint32_t n = get_u32(in);
  if (in->failed) return 0;
  size_t left = in->end - in->pos;
  if ((uint64_t)n * min_size > left) {
    ipsf_fail(in->err, IPSF_ERR_BYTECODE,
              "section '%s': %u %s need at least %llu bytes, but only %zu remain",
              in->section, n, what, (unsigned long long)((uint64_t)n * min_size), left);
    in->failed = true;
    return 0;
  }
  return n;
}

static void *alloc_array(In *in, uint32_t n, size_t size) {
  if (in->failed || n == 0) return NULL;
  void *p = calloc(n, size);
  if (!p) {
    ipsf_fail(in->err, IPSF_ERR_NOMEM, "out of memory reading section '%s'", in->section);
    in->failed = true;
  }
  return p;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF; and no NUL, since strings are NUL-terminated in memory.
 * Returns the offset of the first bad byte, or len. */
static size_t utf8_bad_at(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c == 0) return i;
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      n = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (len - i < n) return i;
    for (size_t k = 1; k < n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n;
  }
  return len;
}

static void read_strings(In *in, IpsfPack *p) {
  uint32_t n = get_count(in, "strings", 4);
  p->strings = alloc_array(in, n, sizeof *p->strings);
  p->string_lens = alloc_array(in, n, sizeof *p->string_lens);
  if (in->failed) return;
  p->string_count = n;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = get_u32(in);
    if (!in_has(in, len)) return;
    const uint8_t *s = in->b + in->pos;
    size_t bad = utf8_bad_at(s, len);
    if (bad != len) {
      ipsf_fail(in->err, IPSF_ERR_BYTECODE,
                "string %u is not valid UTF-8 without NUL (bad byte 0x%02x at offset %zu, "
                "file byte %zu)",
                i, s[bad], bad, in->pos + bad);
      in->failed = true;
      return;
    }
    char *c = malloc((size_t)len + 1);
    if (!c) {
      ipsf_fail(in->err, IPSF_ERR_NOMEM, "out of memory reading string %u", i);
      in->failed = true;
      return;
    }
    memcpy(c, s, len);
    c[len] = '\0';
    p->strings[i] = c;
    p->string_lens[i] = len;
    in->pos += len;
  }
}

static uint32_t *read_u32_list(In *in, uint32_t n) {
  uint32_t *a = alloc_array(in, n, sizeof *a);
  for (uint32_t k = 0; k < n && !in->failed; k++) a[k] = get_u32(in);
  return a;
}

static void read_section(In *in, IpsfPack *p, int id) {
  uint32_t n;
  switch (id) {
  case SEC_META:
    p->meta.name = get_u32(in);
    p->meta.version = get_u32(in);
    p->meta.title = get_u32(in);
    p->meta.authority = get_u32(in);
    p->meta.framework = get_u32(in);
    p->meta.description = get_u32(in);
    p->meta.currency = get_u32(in);
    p->axis1 = get_u32(in);
    p->axis2 = get_u32(in);
    break;
  case SEC_STRINGS:
    read_strings(in, p);
    break;
  case SEC_ENUMS:
    n = get_count(in, "enums", 8);
    if (!(p->enums = alloc_array(in, n, sizeof *p->enums))) break;
    p->enum_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      IpsfEnum *e = &p->enums[i];
      e->name = get_u32(in);
      uint32_t vc = get_count(in, "enum values", 4);
      e->values = read_u32_list(in, vc);
      e->value_count = vc;
    }
    break;
  case SEC_CONSTS:
    n = get_count(in, "constants", 13);
    if (!(p->consts = alloc_array(in, n, sizeof *p->consts))) break;
    p->const_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      IpsfConst *c = &p->consts[i];
      c->type = get_type(in);
      uint64_t bits = get_u64(in);
      c->str = IPSF_NONE;
      switch (c->type.kind) {
      case IPSF_K_NUMBER:
        memcpy(&c->value.n, &bits, sizeof c->value.n);
        break;
      case IPSF_K_STRING:
        /* An index that does not fit 32 bits becomes IPSF_NONE: the
         * verifier rejects it. */
        c->str = bits > UINT32_MAX ? IPSF_NONE : (uint32_t)bits;
        c->value.s = NULL;
        break;
      case IPSF_K_SET:
        c->value.m = bits;
        break;
      default:
        c->value.i = (int64_t)bits;
        break;
      }
    }
    break;
  case SEC_SLOTS:
    n = get_count(in, "slots", 10);
    if (!(p->slots = alloc_array(in, n, sizeof *p->slots))) break;
    p->slot_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      p->slots[i].type = get_type(in);
      p->slots[i].role = get_u8(in);
      p->slots[i].name = get_u32(in);
    }
    break;
  case SEC_FACTS:
    n = get_count(in, "facts", 21);
    if (!(p->facts = alloc_array(in, n, sizeof *p->facts))) break;
    p->fact_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      IpsfFact *f = &p->facts[i];
      f->name = get_u32(in);
      f->type = get_type(in);
      f->slot = get_u32(in);
      f->default_const = get_u32(in);
      f->doc = get_u32(in);
    }
    break;
  case SEC_SCALES:
    n = get_count(in, "scales", 38);
    if (!(p->scales = alloc_array(in, n, sizeof *p->scales))) break;
    p->scale_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      IpsfScale *s = &p->scales[i];
      s->name = get_u32(in);
      s->enum_type = get_u32(in);
      s->policy = get_u8(in);
      s->axis = get_u8(in);
      s->slot = get_u32(in);
      s->otherwise = get_u32(in);
      s->otherwise_loc = get_loc(in);
      s->first_rule = get_u32(in);
      s->rule_count = get_u32(in);
    }
    break;
  case SEC_RULES:
    n = get_count(in, "rules", 24);
    if (!(p->rules = alloc_array(in, n, sizeof *p->rules))) break;
    p->rule_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      p->rules[i].scale = get_u32(in);
      p->rules[i].level = get_u32(in);
      p->rules[i].because = get_u32(in);
      p->rules[i].loc = get_loc(in);
    }
    break;
  case SEC_VIEWPOINTS:
    n = get_count(in, "viewpoints", 8);
    if (!(p->viewpoints = alloc_array(in, n, sizeof *p->viewpoints))) break;
    p->viewpoint_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      IpsfViewpoint *v = &p->viewpoints[i];
      v->name = get_u32(in);
      uint32_t mc = get_count(in, "methods", 4);
      v->methods = read_u32_list(in, mc);
      v->method_count = mc;
    }
    break;
  case SEC_REQUIREMENTS:
    n = get_count(in, "requirements", 44);
    if (!(p->requirements = alloc_array(in, n, sizeof *p->requirements))) break;
    p->requirement_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      IpsfRequirement *r = &p->requirements[i];
      r->id = get_u32(in);
      r->title = get_u32(in);
      r->viewpoint = get_u32(in);
      uint32_t rc = get_count(in, "refs", 4);
      r->refs = read_u32_list(in, rc);
      r->ref_count = rc;
      r->party = get_u32(in);
      r->doc = get_u32(in);
      r->first_confirm = get_u32(in);
      r->confirm_count = get_u32(in);
      r->loc = get_loc(in);
    }
    break;
  case SEC_CONFIRMS:
    n = get_count(in, "confirms", 24);
    if (!(p->confirms = alloc_array(in, n, sizeof *p->confirms))) break;
    p->confirm_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      p->confirms[i].requirement = get_u32(in);
      p->confirms[i].method = get_u32(in);
      p->confirms[i].every_months = get_u32(in);
      p->confirms[i].loc = get_loc(in);
    }
    break;
  case SEC_CODE:
    p->max_stack = get_u32(in);
    n = get_count(in, "instructions", 4);
    p->code = read_u32_list(in, n);
    if (!in->failed) p->code_count = n;
    break;
  case SEC_NATIVES:
    n = get_count(in, "natives", 17);
    if (!(p->natives = alloc_array(in, n, sizeof *p->natives))) break;
    p->native_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      IpsfNative *f = &p->natives[i];
      f->name = get_u32(in);
      f->library = get_u32(in);
      f->symbol = get_u32(in);
      f->result = get_u8(in);
      f->param_count = get_u32(in);
      if (!in->failed && f->param_count > IPSF_MAX_NATIVE_PARAMS) {
        ipsf_fail(in->err, IPSF_ERR_BYTECODE, "native %u has %u parameters (at most %u)", i,
                  f->param_count, IPSF_MAX_NATIVE_PARAMS);
        in->failed = true;
      }
      for (uint32_t k = 0; k < f->param_count && !in->failed; k++) f->params[k] = get_u8(in);
    }
    break;
  case SEC_LINES:
    n = get_count(in, "line table entries", 16);
    if (!(p->lines = alloc_array(in, n, sizeof *p->lines))) break;
    p->line_count = n;
    for (uint32_t i = 0; i < n && !in->failed; i++) {
      p->lines[i].pc = get_u32(in);
      p->lines[i].loc = get_loc(in);
    }
    break;
  }
  if (!in->failed && in->pos != in->end) {
    ipsf_fail(in->err, IPSF_ERR_BYTECODE, "section '%s' has %zu unused bytes at its end",
              in->section, in->end - in->pos);
    in->failed = true;
  }
}

/* Magic, version, size, section table and digest: the frame around the
 * sections.  On success *sections_end is where the digest starts. */
static bool check_frame(const uint8_t *b, size_t len, IpsfError *err, size_t *sections_end) {
  size_t m = len < 8 ? len : 8;
  if (memcmp(b, ipsb_magic, m) != 0)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "bad magic: not a compiled IPSF pack (.ipsb)");
  if (len < HEADER_SIZE)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "truncated file: %zu bytes, shorter than the %u-byte header", len,
                     HEADER_SIZE);
  uint32_t version = rd_u32(b + 8);
  if (version != IPSB_FORMAT_VERSION)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "unsupported format version %u (this ipsfc reads %u)", version,
                     IPSB_FORMAT_VERSION);
  if (len > IPSF_MAX_FILE_SIZE)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "file too large: %zu bytes (the limit is %u)",
                     len, IPSF_MAX_FILE_SIZE);
  uint32_t count = rd_u32(b + 12);
  if (count != SEC_COUNT_PLAIN && count != SEC_COUNT)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "bad section count %u (format version %u has %u sections, %u with natives)",
                     count, IPSB_FORMAT_VERSION, SEC_COUNT_PLAIN, SEC_COUNT);
  if (len < HEADER_SIZE + TABLE_SIZE(count))
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "truncated file: the section table ends at byte %u of %zu",
                     HEADER_SIZE + TABLE_SIZE(count), len);
  uint64_t expect = HEADER_SIZE + TABLE_SIZE(count);
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *e = b + HEADER_SIZE + (size_t)i * 12u;
    uint32_t id = rd_u32(e), off = rd_u32(e + 4), slen = rd_u32(e + 8);
    if (id != i + 1)
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "section table entry %u has id %u, expected %u ('%s')", i, id, i + 1,
                       section_names[i + 1]);
    if (off != expect)
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "section '%s' starts at byte %u, expected %llu (sections are "
                       "contiguous)",
                       section_names[id], off, (unsigned long long)expect);
    expect = (uint64_t)off + slen;
    if (expect > len)
      return ipsf_fail(err, IPSF_ERR_BYTECODE,
                       "truncated file: section '%s' ends at byte %llu of %zu",
                       section_names[id], (unsigned long long)expect, len);
  }
  if (expect + DIGEST_SIZE > len)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "truncated file: the digest ends at byte %llu of %zu",
                     (unsigned long long)(expect + DIGEST_SIZE), len);
  uint64_t after = len - expect - DIGEST_SIZE;
  if (after != 0 && after != SIG_TRAILER_SIZE)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "malformed signature trailer: %llu bytes after the digest (a signature "
                     "trailer is %u bytes)",
                     (unsigned long long)after, SIG_TRAILER_SIZE);
  if (after != 0 && memcmp(b + expect + DIGEST_SIZE, sig_magic, SIG_MAGIC_SIZE) != 0)
    return ipsf_fail(err, IPSF_ERR_BYTECODE,
                     "malformed signature trailer: bad magic (expected \"SIG1\")");
  uint8_t digest[DIGEST_SIZE];
  crypto_hash_sha256(digest, b, (unsigned long long)expect);
  if (sodium_memcmp(digest, b + expect, DIGEST_SIZE) != 0)
    return ipsf_fail(err, IPSF_ERR_BYTECODE, "digest mismatch: the file was altered or corrupted");
  *sections_end = (size_t)expect;
  return true;
}

IpsfPack *ipsb_read(const uint8_t *bytes, size_t len, IpsfError *err) {
  if (!bytes) len = 0;
  static const uint8_t empty[1];
  if (!bytes) bytes = empty;
  size_t sections_end = 0;
  if (!sodium_ready()) {
    ipsf_fail(err, IPSF_ERR_INTERNAL, "libsodium failed to initialise");
    return NULL;
  }
  if (!check_frame(bytes, len, err, &sections_end)) return NULL;

  IpsfPack *p = calloc(1, sizeof *p);
  if (!p) {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory loading a pack");
    return NULL;
  }
  p->axis1 = p->axis2 = IPSF_NONE;
  In in = {.b = bytes, .err = err};
  int nsec = (int)rd_u32(bytes + 12); /* 13 or 14: checked by check_frame */
  for (int id = 1; id <= nsec && !in.failed; id++) {
    const uint8_t *e = bytes + HEADER_SIZE + (size_t)(id - 1) * 12u;
    in.pos = rd_u32(e + 4);
    in.end = in.pos + rd_u32(e + 8);
    in.section = section_names[id];
    read_section(&in, p, id);
  }
  if (in.failed) goto fail;
  memcpy(p->digest, bytes + sections_end, DIGEST_SIZE);
  if (len - sections_end - DIGEST_SIZE == SIG_TRAILER_SIZE) {
    const uint8_t *t = bytes + sections_end + DIGEST_SIZE + SIG_MAGIC_SIZE;
    p->is_signed = true;
    memcpy(p->signer_key, t, IPSF_SIGN_KEY_SIZE);
    memcpy(p->signature, t + IPSF_SIGN_KEY_SIZE, IPSF_SIGNATURE_SIZE);
    p->signature_ok = ipsf_signature_verify(p->digest, p->signature, p->signer_key);
  }
  if (!ipsf_verify(p, err)) goto fail;
  if (!ipsf_pack_link(p)) {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory linking a pack");
    goto fail;
  }
  return p;
fail:
  ipsf_pack_free(p);
  return NULL;
}

/* ---- signing --------------------------------------------------------------- */

void ipsf_signature_message(const uint8_t digest[32], uint8_t msg[IPSF_SIGNED_MESSAGE_SIZE]) {
  static const char domain[] = IPSF_SIGNATURE_DOMAIN; /* with its NUL */
  memcpy(msg, domain, sizeof domain);
  memcpy(msg + sizeof domain, digest, DIGEST_SIZE);
}

bool ipsf_signature_verify(const uint8_t digest[32], const uint8_t sig[IPSF_SIGNATURE_SIZE],
                           const uint8_t public_key[IPSF_SIGN_KEY_SIZE]) {
  uint8_t msg[IPSF_SIGNED_MESSAGE_SIZE];
  ipsf_signature_message(digest, msg);
  return crypto_sign_verify_detached(sig, msg, sizeof msg, public_key) == 0;
}

bool ipsb_sign(const uint8_t *bytes, size_t len, const uint8_t secret_key[64], uint8_t **out,
               size_t *out_len, IpsfError *err) {
  *out = NULL;
  *out_len = 0;
  /* Only a pack that loads and verifies is signed: a signature vouches for
   * content, and content the verifier rejects is nothing to vouch for. */
  IpsfPack *p = ipsb_read(bytes, len, err);
  if (!p) return false;
  size_t body = len - (p->is_signed ? SIG_TRAILER_SIZE : 0); /* through the digest */
  uint8_t *o = malloc(body + SIG_TRAILER_SIZE);
  if (!o) {
    ipsf_pack_free(p);
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory signing a pack");
  }
  memcpy(o, bytes, body);
  memcpy(o + body, sig_magic, SIG_MAGIC_SIZE);
  memcpy(o + body + SIG_MAGIC_SIZE, secret_key + 32, IPSF_SIGN_KEY_SIZE); /* sk = seed || pk */
  uint8_t msg[IPSF_SIGNED_MESSAGE_SIZE];
  ipsf_signature_message(p->digest, msg);
  crypto_sign_detached(o + body + SIG_MAGIC_SIZE + IPSF_SIGN_KEY_SIZE, NULL, msg, sizeof msg,
                       secret_key);
  ipsf_pack_free(p);
  *out = o;
  *out_len = body + SIG_TRAILER_SIZE;
  return true;
}

/* ---- public loading ----------------------------------------------------- */

IpsfPack *ipsf_pack_load_limited(const uint8_t *bytes, size_t len, uint64_t max_cost,
                                 IpsfError *err) {
  /* Nothing of `bytes` is kept: every table and string is decoded into the
   * pack's own blocks. */
  IpsfPack *p = ipsb_read(bytes, len, err);
  if (p && !ipsf_pack_check_cost(p, max_cost, err)) {
    ipsf_pack_free(p);
    return NULL;
  }
  return p;
}

IpsfPack *ipsf_pack_load(const uint8_t *bytes, size_t len, IpsfError *err) {
  return ipsf_pack_load_limited(bytes, len, IPSF_DEFAULT_MAX_COST, err);
}

IpsfPack *ipsf_pack_load_file_limited(const char *path, uint64_t max_cost, IpsfError *err) {
  uint8_t *buf;
  size_t len;
  if (!ipsb_read_file(path, &buf, &len, err)) return NULL;
  IpsfPack *p = ipsf_pack_load_limited(buf, len, max_cost, err);
  free(buf);
  return p;
}

IpsfPack *ipsf_pack_load_file(const char *path, IpsfError *err) {
  return ipsf_pack_load_file_limited(path, IPSF_DEFAULT_MAX_COST, err);
}

const IpsfCost *ipsf_pack_cost(const IpsfPack *pack) { return &pack->cost; }

bool ipsb_read_file(const char *path, uint8_t **out, size_t *out_len, IpsfError *err) {
  *out = NULL;
  *out_len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return ipsf_fail(err, IPSF_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  size_t cap = 64 * 1024, len = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) {
    fclose(f);
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading '%s'", path);
  }
  for (;;) {
    if (len == cap) {
      if (cap > IPSF_MAX_FILE_SIZE) {
        free(buf);
        fclose(f);
        return ipsf_fail(err, IPSF_ERR_BYTECODE, "'%s' is too large: more than %u bytes",
                         path, IPSF_MAX_FILE_SIZE);
      }
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        fclose(f);
        return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading '%s'", path);
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  bool bad = ferror(f);
  int saved = errno;
  fclose(f);
  if (bad) {
    free(buf);
    return ipsf_fail(err, IPSF_ERR_IO, "cannot read '%s': %s", path, strerror(saved));
  }
  *out = buf;
  *out_len = len;
  return true;
}
