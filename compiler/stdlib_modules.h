/*
 * stdlib_modules.h -- the stdlib modules built into the binary
 * (generated from the .ipsf files of stdlib/ by tools/embed.c).
 */
#ifndef IPSF_STDLIB_MODULES_H
#define IPSF_STDLIB_MODULES_H

#include <stddef.h>

typedef struct {
  const char *name; /* "ssf": what `import "ssf";` names */
  const char *text; /* the module's source, NUL-terminated */
  size_t len;
} IpsfStdlibModule;

/* Terminated by an entry whose name is NULL. */
extern const IpsfStdlibModule ipsf_stdlib[];

#endif
