/*
 * typename.c -- how a type and a name are spoken of in messages, for
 * resolve.c and types.c alike (neither depends on the other).
 */
#include "sema.h"

/* The type as the user wrote it: an enum by its (qualified) name. */
const char *ty_name(Compilation *c, Ty t) {
  switch (t.kind) {
  case TY_ERROR: return "an erroneous value";
  case TY_BOOL: return "bool";
  case TY_INT: return "int";
  case TY_NUMBER: return "number";
  case TY_STRING: return "string";
  case TY_ENUM: return arena_printf(&c->arena, "%s", c->enums[t.enum_id].name);
  case TY_SET: return arena_printf(&c->arena, "set of %s", c->enums[t.enum_id].name);
  case TY_EMPTY_SET: return "an empty set";
  }
  return "?";
}

/* Built-ins are the rows of runtime/builtins.h, shared with the verifier
 * and the VM: a declaration may not take one of their names. */
bool is_builtin_name(const char *name) { return ipsf_builtin_find(name) != IPSF_BI__COUNT; }
