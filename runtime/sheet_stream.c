/*
 * sheet_stream.c -- JSON Lines in batches: the reader behind `eval` at
 * registry scale.
 *
 * read(2) fills a buffer in large chunks; complete lines are cut out with
 * memchr and copied, each followed by a NUL (the fast binder's sentinel),
 * into a batch: text plus one item per non-blank line.  A batch is the unit
 * of work of `eval --jobs` and of output flushing.  Lines are numbered from
 * 1, blank lines counted; a BOM on line 1 is skipped; the last line needs
 * no newline -- all as ipsf_jsonl_next (sheet_json.c) does, with the same
 * messages.
 *
 * Memory is bounded and independent of the input's size: the read buffer
 * holds one chunk plus at most one partial line, and never more than
 * max_line bytes of a line: a longer line becomes a LIMIT item
 * and the rest of it is skipped up to its newline.
 *
 * A batch is returned as soon as it has work and the buffered input is
 * used up, before waiting on read(2) again: the caller can flush what it
 * has, so records from a slow pipe come out as their lines come in.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sheet.h"
#include "util.h"

#define CHUNK (256u * 1024u)

bool ipsf_stream_open(IpsfStream *s, const char *path, IpsfError *err) {
  memset(s, 0, sizeof *s);
  s->fd = -1;
  s->max_line = IPSF_SHEET_MAX_LINE;
  if (strcmp(path, "-") == 0) {
    s->fd = 0;
    return true;
  }
  s->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (s->fd < 0) return ipsf_fail(err, IPSF_ERR_IO, "cannot open: %s", strerror(errno));
  s->owns_fd = true;
  return true;
}

void ipsf_stream_open_fd(IpsfStream *s, int fd) {
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->max_line = IPSF_SHEET_MAX_LINE;
}

void ipsf_stream_open_read(IpsfStream *s, long (*read)(void *, char *, size_t), void *user) {
  ipsf_stream_open_fd(s, -1);
  s->read = read;
  s->read_user = user;
}

void ipsf_stream_close(IpsfStream *s) {
  if (s->owns_fd && s->fd >= 0) close(s->fd);
  free(s->buf);
  memset(s, 0, sizeof *s);
  s->fd = -1;
}

void ipsf_batch_init(IpsfBatch *b) { memset(b, 0, sizeof *b); }

void ipsf_batch_free(IpsfBatch *b) {
  free(b->text);
  free(b->items);
  memset(b, 0, sizeof *b);
}

static void batch_clear(IpsfBatch *b) {
  b->text_len = 0;
  b->count = 0;
  b->fatal = false;
}

static bool blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
  return true;
}

static IpsfBatchItem *new_item(IpsfBatch *b) {
  if (b->count == b->items_cap) {
    IpsfBatchItem *p = ipsf_grow(b->items, &b->items_cap, b->count + 1, sizeof *p, 1024, SIZE_MAX);
    if (!p) return NULL;
    b->items = p;
  }
  return &b->items[b->count++];
}

bool ipsf_batch_add_line(IpsfBatch *b, uint64_t line_no, const char *text, size_t len) {
  if (line_no == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    len -= 3;
  }
  if (blank(text, len)) return true;
  if (b->text_len + len + 1 > b->text_cap) {
    char *p = ipsf_grow(b->text, &b->text_cap, b->text_len + len + 1, 1, CHUNK, SIZE_MAX);
    if (!p) return false;
    b->text = p;
  }
  IpsfBatchItem *it = new_item(b);
  if (!it) return false;
  memcpy(b->text + b->text_len, text, len);
  b->text[b->text_len + len] = '\0';
  it->line_no = line_no;
  it->off = b->text_len;
  it->len = len;
  it->too_long = false;
  b->text_len += len + 1;
  return true;
}

bool ipsf_batch_add_too_long(IpsfBatch *b, uint64_t line_no) {
  IpsfBatchItem *it = new_item(b);
  if (!it) return false;
  it->line_no = line_no;
  it->off = it->len = 0;
  it->too_long = true;
  return true;
}

static int nomem(IpsfStream *s, IpsfBatch *b) {
  b->fatal = true;
  ipsf_fail(&b->err, IPSF_ERR_NOMEM, "out of memory reading line %llu",
            (unsigned long long)s->line_no + 1);
  s->done = true;
  return 1;
}

int ipsf_stream_fill(IpsfStream *s, IpsfBatch *b, size_t max_bytes, size_t max_lines) {
  batch_clear(b);
  if (s->done) return 0;
  for (;;) {
    /* Cut the complete lines out of what is buffered. */
    while (s->start < s->end) {
      char *p = s->buf + s->start;
      size_t avail = s->end - s->start;
      char *nl = memchr(p, '\n', avail);
      if (s->skipping) { /* the rest of a line over the limit */
        if (!nl) {
          s->start = s->end;
          break;
        }
        s->skipping = false;
        s->start += (size_t)(nl - p) + 1;
        continue;
      }
      if (!nl) break;
      s->line_no++;
      bool ok = (size_t)(nl - p) > s->max_line ? ipsf_batch_add_too_long(b, s->line_no)
                                                         : ipsf_batch_add_line(b, s->line_no, p, (size_t)(nl - p));
      if (!ok) return nomem(s, b);
      s->start += (size_t)(nl - p) + 1;
      if (b->text_len >= max_bytes || b->count >= max_lines) return 1;
    }
    /* Keep the partial line; make room for a chunk after it. */
    size_t part = s->end - s->start;
    if (part > s->max_line) { /* a runaway line: report it, skip the rest */
      s->line_no++;
      if (!ipsf_batch_add_too_long(b, s->line_no)) return nomem(s, b);
      s->start = s->end = 0;
      s->skipping = true;
      part = 0;
    }
    if (s->start) {
      memmove(s->buf, s->buf + s->start, part);
      s->start = 0;
      s->end = part;
    }
    if (s->cap - s->end < CHUNK) {
      /* Doubling, but never past one line at the limit plus a chunk. */
      size_t max = s->max_line + 1u + CHUNK, need = s->end + CHUNK;
      char *np = ipsf_grow(s->buf, &s->cap, need < max ? need : max, 1, CHUNK, max);
      if (!np) return nomem(s, b);
      s->buf = np;
    }
    if (b->count) return 1; /* flush what we have before waiting on input */
    if (s->eof) break;
    ssize_t got;
    do got = s->read ? (ssize_t)s->read(s->read_user, s->buf + s->end, s->cap - s->end)
                     : read(s->fd, s->buf + s->end, s->cap - s->end);
    while (got < 0 && errno == EINTR);
    if (got > (ssize_t)(s->cap - s->end)) { /* a caller's reader that overran */
      got = -1;
      errno = EOVERFLOW;
    }
    if (got < 0) {
      b->fatal = true;
      ipsf_fail(&b->err, IPSF_ERR_IO, "cannot read line %llu: %s",
                (unsigned long long)s->line_no + 1, strerror(errno));
      s->done = true;
      return 1;
    }
    if (got == 0) s->eof = true;
    s->end += (size_t)got;
  }
  /* End of input: the last line may lack its newline. */
  s->done = true;
  if (s->end > s->start && !s->skipping) {
    s->line_no++;
    if (!ipsf_batch_add_line(b, s->line_no, s->buf + s->start, s->end - s->start)) return nomem(s, b);
  }
  s->start = s->end = 0;
  return b->count ? 1 : 0;
}

bool ipsf_stream_would_wait(const IpsfStream *s) {
  if (s->done || s->eof || s->fd < 0) return false; /* a caller's reader is never polled */
  if (s->start < s->end && !s->skipping && memchr(s->buf + s->start, '\n', s->end - s->start))
    return false;
  struct pollfd pfd = {s->fd, POLLIN, 0};
  return poll(&pfd, 1, 0) == 0;
}
