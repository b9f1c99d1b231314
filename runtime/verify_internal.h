/*
 * verify_internal.h -- what the verifier's three files share: verify.c
 * (the code: types, protocol, cost), verify_sections.c (the sections
 * before it) and verify_tables.c (the decision tables).  The state of one
 * verification and the helpers its messages use.  Nothing outside the
 * verifier includes it.
 */
#ifndef IPSF_VERIFY_INTERNAL_H
#define IPSF_VERIFY_INTERNAL_H

#include <stdio.h>

#include "pack.h"

/* The most work (units of the code check and the quadratic section
 * checks) one verification may take. */
#define VERIFY_WORK_MAX (1u << 26)

typedef struct {
  const IpsfPack *p;
  IpsfError *err;
  uint64_t work; /* the code check's work so far (verify.c) */
} V;

/* An IPSF_ERR_BYTECODE error with the formatted message; false. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
bool ipsf_verify_fail(V *v, const char *fmt, ...);
/* as the three files call it */
#define fail ipsf_verify_fail

/* verify_sections.c: every section before the code. */
bool ipsf_verify_sections(V *v);

static inline bool str_ok(const IpsfPack *p, uint32_t s) { return s < p->string_count; }
static inline bool opt_str_ok(const IpsfPack *p, uint32_t s) { return s == IPSF_NONE || s < p->string_count; }

/* A printable name of string s, for messages about valid indices. */
static inline const char *sname(const IpsfPack *p, uint32_t s) {
  return str_ok(p, s) ? p->strings[s] : "?";
}

static inline const char *kind_name(unsigned k) {
  switch (k) {
  case IPSF_K_BOOL: return "bool";
  case IPSF_K_INT: return "int";
  case IPSF_K_NUMBER: return "number";
  case IPSF_K_STRING: return "string";
  case IPSF_K_ENUM: return "enum";
  case IPSF_K_SET: return "set";
  default: return "?";
  }
}

/* "int", "enum harm", "set of radios" -- t must be well formed. */
static inline const char *type_str(const IpsfPack *p, IpsfType t, char *buf, size_t size) {
  if (t.kind == IPSF_K_ENUM || t.kind == IPSF_K_SET) {
    const char *en = t.enum_type < p->enum_count ? sname(p, p->enums[t.enum_type].name) : "?";
    snprintf(buf, size, "%s%s", t.kind == IPSF_K_ENUM ? "enum " : "set of ", en);
  } else {
    snprintf(buf, size, "%s", kind_name(t.kind));
  }
  return buf;
}

static inline const char *article(unsigned kind) {
  return kind == IPSF_K_INT || kind == IPSF_K_ENUM ? "an" : "a";
}

static inline bool type_eq(IpsfType a, IpsfType b) {
  return a.kind == b.kind && a.enum_type == b.enum_type;
}

/* The kinds a native takes and returns, as opcode type letters; 0 if none. */
static inline char native_letter(uint8_t kind) {
  switch (kind) {
  case IPSF_K_BOOL: return 'b';
  case IPSF_K_INT: return 'i';
  case IPSF_K_NUMBER: return 'n';
  case IPSF_K_STRING: return 's';
  default: return 0;
  }
}

/* A native's parameter letters (NUL-terminated) into sig. */
static inline void native_params(const IpsfNative *n, char sig[IPSF_MAX_NATIVE_PARAMS + 1]) {
  for (uint32_t k = 0; k < n->param_count; k++) sig[k] = native_letter(n->params[k]);
  sig[n->param_count] = '\0';
}

#endif
