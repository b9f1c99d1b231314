/*
 * xbuf.h -- the compiler's side of the runtime's IpsfBuf (report.h).
 *
 * The formatter and the analysis build text in IpsfBuf, whose allocation
 * failure is sticky (`failed`), as the runtime needs.  The compiler's rule
 * is arena.h's: exhaustion ends the process (exit 4).  Taking the text
 * through xbuf_take applies that rule, so the compiler has one policy for
 * every allocation, whoever made it.
 */
#ifndef IPSF_XBUF_H
#define IPSF_XBUF_H

#include "ipsfc_func.h"
#include "report.h"

/* The text (malloc'd, never NULL: "" for an empty buffer); the buffer is
 * left empty.  A buffer that failed to grow: "ipsfc: out of memory", exit 4. */
IPSFC_FUNC char *xbuf_take(IpsfBuf *b);

#endif
