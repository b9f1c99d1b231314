/*
 * error.c -- error kinds and the one way to fill an IpsfError; the names of
 * statuses, which records and test results share.
 */
#include <stdarg.h>
#include <stdio.h>

#include "ipsf.h"

static const char *const error_kind_names[] = {
    [IPSF_ERR_NONE] = "none",
    [IPSF_ERR_SYNTAX] = "syntax",
    [IPSF_ERR_MISSING_FACT] = "missing_fact",
    [IPSF_ERR_UNKNOWN_FACT] = "unknown_fact",
    [IPSF_ERR_TYPE] = "type",
    [IPSF_ERR_NO_RULE_MATCHED] = "no_rule_matched",
    [IPSF_ERR_UNIQUE_CONFLICT] = "unique_conflict",
    [IPSF_ERR_ARITHMETIC] = "arithmetic",
    [IPSF_ERR_NATIVE] = "native",
    [IPSF_ERR_UNKNOWN_PROFILE] = "unknown_profile",
    [IPSF_ERR_IO] = "io",
    [IPSF_ERR_BYTECODE] = "bytecode",
    [IPSF_ERR_LIMIT] = "limit",
    [IPSF_ERR_NOMEM] = "out_of_memory",
    [IPSF_ERR_INTERNAL] = "internal",
    [IPSF_ERR_PROFILE_CONSTRAINT] = "profile_constraint",
};

const char *ipsf_error_kind_name(IpsfErrorKind kind) {
  if ((unsigned)kind >= sizeof error_kind_names / sizeof error_kind_names[0])
    return "internal";
  return error_kind_names[kind];
}

bool ipsf_fail(IpsfError *err, IpsfErrorKind kind, const char *fmt, ...) {
  if (!err) return false;
  err->kind = kind;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return false;
}

const char *ipsf_status_name(IpsfStatus s) {
  return s == IPSF_MET           ? "met"
         : s == IPSF_UNMET       ? "unmet"
         : s == IPSF_EXPIRED     ? "expired"
         : s == IPSF_COMPENSATED ? "compensated"
                                 : "unknown";
}
