/*
 * escape.h -- showing bytes of untrusted origin (packs, sheets, source
 * files) on a terminal safely.  The one helper for all of ipsfc's text for
 * people: diagnostics (compiler/diag.c), text records (report.c), CLI
 * messages (cli/).  JSON, SARIF, JUnit and CSV have their own escaping.
 *
 * A "unit" is one valid UTF-8 sequence or one byte that is not part of
 * one.  A unit is shown as it is, except:
 *   - C0 controls (0x00-0x1F; tab too unless IPSF_ESC_KEEP_TAB), DEL, and
 *     ESC in particular: \xNN (lower-case hex), e.g. \x1b
 *   - a byte that is not valid UTF-8 (overlong, surrogate, truncated, or
 *     above U+10FFFF): \xNN, one escape per byte
 *   - C1 controls U+0080-U+009F (which some terminals obey as CSI, OSC...)
 *     and the bidirectional overrides and isolates U+202A-U+202E,
 *     U+2066-U+2069 (which reorder what is shown, "Trojan Source"): \uNNNN
 * So the output is valid UTF-8 with no control character but (with
 * IPSF_ESC_KEEP_TAB) tab.  Backslash is not escaped: this is for reading,
 * not a reversible encoding.  Widths are in terminal columns: one per
 * unit shown as it is (tab: 1), the escape's length otherwise.
 *
 * No global state, no allocation but the IpsfBuf's.
 */
#ifndef IPSF_ESCAPE_H
#define IPSF_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"

enum { IPSF_ESC_KEEP_TAB = 1 };

/* Room for the longest escape ("\u202e") and its NUL. */
#define IPSF_ESCAPE_MAX 8

/* The unit at s[0..avail), avail >= 1: returns its length in bytes (>= 1);
 * esc gets its escape (NUL-terminated), or "" if it is shown as it is. */
size_t ipsf_escape_unit(const char *s, size_t avail, unsigned flags, char esc[IPSF_ESCAPE_MAX]);

/* Columns that s[0..len) takes once escaped. */
size_t ipsf_escape_width(const char *s, size_t len, unsigned flags);

/* s[0..len), escaped, appended to b / written to f. */
void ipsf_escape_buf(IpsfBuf *b, const char *s, size_t len, unsigned flags);

/* Text for an HTML element or a quoted attribute (the pages of `ipsfc doc`
 * and `ipsfc report`): & < > " ' as entities, a control character but tab
 * and newline as U+FFFD, so that no byte of a pack or sheet can open a
 * tag, end an attribute or reach the page as a control.  NULL: nothing. */
void ipsf_escape_html(IpsfBuf *b, const char *s);
void ipsf_escape_file(FILE *f, const char *s, size_t len, unsigned flags);

/* The same for a NUL-terminated string (NULL: nothing). */
void ipsf_escape_fputs(FILE *f, const char *s);

#endif
