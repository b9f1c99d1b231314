/*
 * sheet_stream.c -- JSON Lines in batches: the reader behind `eval` at
 * registry scale.
 *
 * read(2) fills a buffer in chunks of about a batch's bytes; complete
 * lines are cut out with memchr in place: each line's newline becomes the
 * NUL the fast binder relies on as its sentinel (the last line, without a
 * newline, takes the spare byte the reads always leave), and the batch
 * gets one item per non-blank line, pointing into that buffer.  When the
 * batch is returned it takes the buffer; the stream takes the batch's
 * previous buffer (its lines are done with) and moves what is not cut yet,
 * usually part of one line, there.  So a line is not copied, and a batch's
 * lines stay put while the next batch is filled.  A batch is the unit
 * of work of `eval --jobs` and of output flushing.  Lines are numbered from
 * 1, blank lines counted; a BOM on line 1 is skipped; the last line needs
 * no newline -- all as ipsf_jsonl_next (sheet_json.c) does, with the same
 * messages.
 *
 * Memory is bounded and independent of the input's size: a read buffer
 * (the stream's, and one per batch in flight) holds one chunk plus at
 * most one partial line, and never more than
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

/* Line s->line_no, [off, off + len) of the read buffer, as an item that
 * points into the buffer (ipsf_batch_add_line's rules: a BOM on line 1
 * skipped, a blank line left out); its newline (or, at the end of input,
 * the spare byte after it) becomes the NUL the fast binder relies on. */
static bool add_in_place(IpsfStream *s, IpsfBatch *b, size_t off, size_t len) {
  const char *text = s->buf + off;
  if (s->line_no == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    off += 3;
    len -= 3;
  }
  if (blank(text, len)) return true;
  IpsfBatchItem *it = new_item(b);
  if (!it) return false;
  s->buf[off + len] = '\0';
  it->line_no = s->line_no;
  it->off = off;
  it->len = len;
  it->too_long = false;
  return true;
}

/* b's items point into the read buffer: give the buffer to b and take
 * b's previous text buffer (spare, allocated by an earlier hand-over or
 * NULL) for what is not cut yet, [start, end).  On a failed allocation
 * the items keep their buffer and the batch ends with an error. */
static int hand_over(IpsfStream *s, IpsfBatch *b, char *spare, size_t spare_cap) {
  size_t part = s->end - s->start;
  b->text = s->buf;
  b->text_cap = s->cap;
  b->text_len = s->start;
  if (spare_cap < part + 1) {
    char *p = ipsf_grow(spare, &spare_cap, part + 1, 1, CHUNK, SIZE_MAX);
    if (!p) {
      s->buf = spare;
      s->cap = spare_cap;
      s->start = s->end = 0;
      return nomem(s, b);
    }
    spare = p;
  }
  if (part) memcpy(spare, b->text + s->start, part);
  s->buf = spare;
  s->cap = spare_cap;
  s->start = 0;
  s->end = part;
  return 1;
}

int ipsf_stream_fill(IpsfStream *s, IpsfBatch *b, size_t max_bytes, size_t max_lines) {
  /* Lines are cut in place: the batch's items point into the read buffer,
   * which the batch takes when it is returned (hand_over); its previous
   * text buffer, whose lines are done with, becomes the next read buffer. */
  char *spare = b->text;
  size_t spare_cap = b->text_cap;
  b->text = NULL;
  b->text_cap = 0;
  batch_clear(b);
  if (s->done) {
    b->text = spare;
    b->text_cap = spare_cap;
    return 0;
  }
  /* About a batch's bytes per read, so a batch takes most of what one
   * read brought and little is left to move into the next buffer. */
  size_t chunk = max_bytes < CHUNK ? max_bytes : CHUNK;
  if (chunk < 4096) chunk = 4096;
  size_t bytes = 0;
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
      size_t len = (size_t)(nl - p);
      bool ok = len > s->max_line ? ipsf_batch_add_too_long(b, s->line_no)
                                  : add_in_place(s, b, s->start, len);
      if (!ok) {
        hand_over(s, b, spare, spare_cap); /* the items keep their buffer */
        return nomem(s, b);
      }
      s->start += len + 1;
      bytes += len + 1;
      if (bytes >= max_bytes || b->count >= max_lines) return hand_over(s, b, spare, spare_cap);
    }
    /* Flush what we have before waiting on input (and before the buffer
     * is moved or overwritten: the items point into it). */
    if (b->count) return hand_over(s, b, spare, spare_cap);
    /* Keep the partial line; make room for a chunk after it. */
    size_t part = s->end - s->start;
    if (part > s->max_line) { /* a runaway line: report it, skip the rest */
      s->line_no++;
      s->start = s->end = 0;
      s->skipping = true;
      if (!ipsf_batch_add_too_long(b, s->line_no)) {
        b->text = spare;
        b->text_cap = spare_cap;
        return nomem(s, b);
      }
      return hand_over(s, b, spare, spare_cap);
    }
    if (s->start) {
      memmove(s->buf, s->buf + s->start, part);
      s->start = 0;
      s->end = part;
    }
    if (s->cap - s->end < chunk + 1) {
      /* Doubling, but never past one line at the limit plus a chunk (and
       * the spare byte for the last line's NUL). */
      size_t max = s->max_line + 2u + CHUNK, need = s->end + chunk + 1;
      char *np = ipsf_grow(s->buf, &s->cap, need < max ? need : max, 1, CHUNK, max);
      if (!np) {
        b->text = spare;
        b->text_cap = spare_cap;
        return nomem(s, b);
      }
      s->buf = np;
    }
    if (s->eof) break;
    size_t room = s->cap - s->end - 1, want = chunk > room ? room : chunk;
    ssize_t got;
    do got = s->read ? (ssize_t)s->read(s->read_user, s->buf + s->end, want)
                     : read(s->fd, s->buf + s->end, want);
    while (got < 0 && errno == EINTR);
    if (got > (ssize_t)want) { /* a caller's reader that overran */
      got = -1;
      errno = EOVERFLOW;
    }
    if (got < 0) {
      b->text = spare;
      b->text_cap = spare_cap;
      b->fatal = true;
      ipsf_fail(&b->err, IPSF_ERR_IO, "cannot read line %llu: %s",
                (unsigned long long)s->line_no + 1, strerror(errno));
      s->done = true;
      return 1;
    }
    if (got == 0) s->eof = true;
    s->end += (size_t)got;
  }
  /* End of input: the last line may lack its newline (the spare byte
   * after it takes its NUL). */
  s->done = true;
  if (s->end > s->start && !s->skipping) {
    s->line_no++;
    if (!add_in_place(s, b, s->start, s->end - s->start)) {
      b->text = spare;
      b->text_cap = spare_cap;
      return nomem(s, b);
    }
    s->start = s->end;
  }
  if (!b->count) {
    s->start = s->end = 0;
    b->text = spare;
    b->text_cap = spare_cap;
    return 0;
  }
  return hand_over(s, b, spare, spare_cap);
}

bool ipsf_stream_would_wait(const IpsfStream *s) {
  if (s->done || s->eof || s->fd < 0) return false; /* a caller's reader is never polled */
  if (s->start < s->end && !s->skipping && memchr(s->buf + s->start, '\n', s->end - s->start))
    return false;
  struct pollfd pfd = {s->fd, POLLIN, 0};
  return poll(&pfd, 1, 0) == 0;
}
