/*
 * cli.h -- what the verbs of ipsfc share: exit codes, option helpers,
 * loading a pack from source or bytecode, colour detection.
 *
 * Each verb lives in its own file (cli/<verb>.c) as `int cmd_<verb>(argc,
 * argv)` and stays thin: the work is in compiler/ and runtime/.
 */
#ifndef IPSF_CLI_H
#define IPSF_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ipsf.h"

/* Exit codes (CLI.md). */
enum {
  EXIT_OK = 0,
  EXIT_FINDING = 1,  /* a failed test, a check error, unmet under --fail-on unmet */
  EXIT_USAGE = 2,    /* unknown option, missing argument */
  EXIT_INPUT = 3,    /* a sheet or pack that cannot be read, parsed or verified */
  EXIT_INTERNAL = 4  /* a bug */
};

typedef struct {
  const char **items;
  size_t count;
} StrList;

void strlist_push(StrList *l, const char *s);
void strlist_free(StrList *l);

/* "ipsfc VERB: message" and a pointer to --help on stderr; returns 2. */
int cli_usage(const char *verb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* "ipsfc VERB: message" (verb NULL: "ipsfc: message") on stderr, the
 * formatted message escaped (runtime/escape.h): it names files, libraries
 * and messages that packs and sheets chose. */
void cli_error(const char *verb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Output integrity (docs/security.md).  Standard descriptors that are
 * closed at start are opened read-only on /dev/null, so that no file the
 * verb opens becomes "standard output" and writes to them still fail. */
void cli_guard_std_fds(void);
/* "ipsfc: write error: <strerror(err)>" on stderr. */
void cli_write_error(int err);
/* After the verb: flush and close stdout; on any error (now or earlier),
 * report it and return 4, else return status. */
int cli_finish_stdout(int status);
/* write(2) all of data (EINTR and short writes retried); false with *err. */
bool cli_write_all(int fd, const char *data, size_t len, int *err);
/* Write a file whole or not at all: a temporary file beside it, renamed
 * over it when complete (exclusive: linked, failing if it exists).  A new
 * file gets mode & ~umask; a replaced one keeps its mode.  On failure the
 * temporary file is removed, the target is as it was, and "ipsfc VERB:
 * cannot write PATH: reason" is printed. */
bool cli_write_file(const char *verb, const char *path, const void *data, size_t len,
                    mode_t mode, bool exclusive);

/* Print help text to stdout; returns 0. */
int cli_help(const char *text);

/* Colours on a terminal unless NO_COLOR is set (https://no-color.org). */
bool cli_color(FILE *f);

/* True if path holds compiled bytecode: its magic, or the extension .ipsb
 * in any case. */
bool cli_is_bytecode(const char *path);

/* --max-cost N (docs/security.md, "The cost bound"): the limit every
 * cli_load_pack of this run applies; IPSF_DEFAULT_MAX_COST unless set. */
extern uint64_t cli_max_cost;
/* Parse N (digits, optional K/M/G = 10^3/10^6/10^9, at least 1) into
 * cli_max_cost; EXIT_OK, or a usage error for `verb`. */
int cli_parse_max_cost(const char *verb, const char *arg);
/* The help line of --max-cost, shared by the verbs that take it. */
#define CLI_MAX_COST_HELP                                                   \
  "      --max-cost N       refuse (exit 3) a pack whose proved cost bound\n" \
  "                         for one evaluation exceeds N (default\n"          \
  "                         32000000; K, M, G suffixes; see 'ipsfc inspect')\n"

/* A pack from source (.ipsf: compiled in memory, diagnostics on stderr) or
 * bytecode (.ipsb); either way verified by the loader, and refused if its
 * cost bound exceeds cli_max_cost.  NULL on failure, with *exit_code set. */
IpsfPack *cli_load_pack(const char *path, const StrList *import_dirs, int *exit_code);

/* A .ipsb whose signature trailer does not verify: "ipsfc VERB:
 * warning: ..." naming the file (source packs and unsigned packs: nothing). */
void cli_warn_bad_signature(const char *verb, const char *path, const IpsfPack *pack);

/* A pack's natives were refused (ipsf_pack_bind_natives): the reason,
 * escaped, and what to do about it.  The library names are the pack's
 * choice: the advice never repeats them as something to allow. */
void cli_native_refused(const char *verb, const char *path, const char *what,
                        const IpsfError *err);

int cmd_compile(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_doc(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_lsp(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
