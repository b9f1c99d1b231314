/*
 * stream.c -- a registry evaluated in your own program on N threads,
 * through the installed library's runner (docs/embedding.md, "Streaming"):
 *
 *   cc stream.c $(pkg-config --cflags --libs ipsf) -o stream
 *   ./stream PACK.ipsb JOBS < registry.jsonl > records.jsonl
 *
 * Reads JSON Lines on standard input, writes the records to standard
 * output exactly as `ipsfc eval PACK - --format jsonl --jobs JOBS` does,
 * and, from each record's structured view (no JSON parsing), counts the
 * records per category cell, printed on standard error with the totals.
 * SIGINT stops it after a whole record.  Exit 0; 1 if a record is an
 * error; 2 usage; 3 the pack cannot be loaded; 4 a write error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ipsf.h>

static volatile sig_atomic_t stop;

static void on_sigint(int sig) { stop = sig; }

typedef struct {
  size_t cells[16][16]; /* axis 1 level x axis 2 level (first 16 levels) */
  size_t errors;
} Tally;

/* Called in input order, on the thread that called ipsf_runner_*. */
static int on_records(void *user, const char *bytes, size_t len, const IpsfRunRecord *recs,
                      size_t n) {
  Tally *t = user;
  if (len && fwrite(bytes, 1, len, stdout) != len) return 1; /* stop: write error */
  for (size_t i = 0; i < n; i++) {
    if (recs[i].error != IPSF_ERR_NONE) t->errors++;
    else if (recs[i].level[0] < 16 && recs[i].level[1] < 16)
      t->cells[recs[i].level[0]][recs[i].level[1]]++;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3 || atoi(argv[2]) < 1) {
    fprintf(stderr, "usage: stream PACK.ipsb JOBS < registry.jsonl\n");
    return 2;
  }
  IpsfError err;
  IpsfPack *pack = ipsf_pack_load_file(argv[1], &err);
  if (!pack) {
    fprintf(stderr, "stream: %s: %s\n", argv[1], err.message);
    return 3;
  }
  signal(SIGINT, on_sigint);
  Tally tally;
  memset(&tally, 0, sizeof tally);
  IpsfRunnerOptions opt = {.format = IPSF_RECORDS_JSONL, .jobs = (unsigned)atoi(argv[2]),
                           .stop = &stop, .write = on_records, .user = &tally};
  IpsfRunner *run = ipsf_runner_new(pack, &opt, &err);
  if (!run) {
    fprintf(stderr, "stream: %s\n", err.message);
    ipsf_pack_free(pack);
    return 4;
  }
  ipsf_runner_jsonl_file(run, stdin, "-");
  IpsfRunCounts c;
  bool complete = ipsf_runner_finish(run, &c);
  IpsfRunState state = ipsf_runner_state(run);
  ipsf_runner_free(run);
  if (fflush(stdout) != 0) state = IPSF_RUN_STOP_WRITE;

  uint32_t a1 = ipsf_pack_axis(pack, 1), a2 = ipsf_pack_axis(pack, 2);
  for (uint32_t i = 0; i < ipsf_pack_level_count(pack, a1) && i < 16; i++)
    for (uint32_t j = 0; j < ipsf_pack_level_count(pack, a2) && j < 16; j++)
      if (tally.cells[i][j])
        fprintf(stderr, "stream: %s/%s: %zu\n", ipsf_pack_level_name(pack, a1, i),
                ipsf_pack_level_name(pack, a2, j), tally.cells[i][j]);
  fprintf(stderr, "stream: %zu sheets, %zu records, %zu errors%s\n", c.sheets, c.records,
          c.errors, complete ? "" : " (stopped)");
  ipsf_pack_free(pack);
  if (state == IPSF_RUN_STOP_WRITE || state == IPSF_RUN_NOMEM) return 4;
  if (state == IPSF_RUN_STOP_FLAG) return 130;
  return c.errors ? 1 : 0;
}
