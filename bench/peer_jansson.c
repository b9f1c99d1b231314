/*
 * peer_jansson.c -- the benchmark's policy by hand in C with jansson: what
 * a user would write without a rule engine.  Reads JSON Lines, prints
 * "<recovery> <economic>" per sheet (the placements checked against ipsfc).
 *   peer_jansson FILE.jsonl                   end to end
 *   peer_jansson FILE.jsonl --parse-only      parse each line, nothing else
 *   peer_jansson FILE.jsonl --eval-only [K]   parse K sheets (default 100000)
 *     into jansson trees first, untimed, then time only the decisions (the
 *     lookups in the tree and the policy) and print RESULT eval=NS evals=N
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int idx(const char *s, const char *const *names, int n) {
  for (int i = 0; s && i < n; i++)
    if (strcmp(s, names[i]) == 0) return i;
  return 0;
}

static const char *const HARM[] = {"none", "minor_injury", "serious_injury", "death"};
static const char *const SENS[] = {"none", "personal", "sensitive"};
static const char *const USAGE[] = {"home", "office", "factory", "hospital", "vehicle"};
static const char *const ACT[] = {"none", "convenience", "access", "hazardous"};

/* The policy over one parsed sheet: recovery and economic level names. */
static void decide(json_t *d, const char **rec, const char **eco) {
  json_t *facts = json_object_get(d, "facts");
  int harm = idx(json_string_value(json_object_get(facts, "harm_life")), HARM, 4);
  int sens = idx(json_string_value(json_object_get(facts, "data_sensitivity")), SENS, 3);
  int usage = idx(json_string_value(json_object_get(facts, "usage")), USAGE, 5);
  int act = idx(json_string_value(json_object_get(facts, "actuation")), ACT, 4);
  int remote = json_is_true(json_object_get(facts, "remote_control"));
  long long loss = json_integer_value(json_object_get(facts, "loss_jpy"));
  long long users = json_integer_value(json_object_get(facts, "users_affected"));
  *rec = (harm >= 2 || (usage >= 3 && remote) || (act == 3 && remote)) ? "fatal"
         : (harm == 1 || sens == 2 || act >= 2)                       ? "serious"
                                                                      : "limited";
  *eco = (loss >= 10000000000ll || users >= 1000000) ? "catastrophic"
         : (loss >= 100000000 || users >= 10000)     ? "significant"
                                                     : "limited";
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int eval_only(FILE *f, size_t k) {
  json_t **trees = malloc(k * sizeof *trees);
  size_t n = 0, cap = 0;
  char *line = NULL;
  ssize_t len;
  while (trees && n < k && (len = getline(&line, &cap, f)) > 0) {
    json_error_t e;
    if (!(trees[n] = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &e))) return 1;
    n++;
  }
  free(line);
  if (!n) return 1;
  size_t sink = 0, evals = 0;
  const char *rec, *eco;
  for (size_t i = 0; i < n && i < 5000; i++) decide(trees[i], &rec, &eco), sink += rec[0];
  double t0 = now_ns(), t = t0;
  for (int pass = 0; pass < 3 && t - t0 < 1e9; pass++) {
    for (size_t i = 0; i < n; i++) decide(trees[i], &rec, &eco), sink += rec[0] + eco[0];
    evals += n;
    t = now_ns();
  }
  printf("RESULT eval=%.1f evals=%zu sink=%zu\n", (t - t0) / (double)evals, evals, sink % 2);
  for (size_t i = 0; i < n; i++) json_decref(trees[i]);
  free(trees);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: peer_jansson FILE.jsonl [--parse-only | --eval-only [K]]\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  if (argc > 2 && strcmp(argv[2], "--eval-only") == 0)
    return eval_only(f, argc > 3 ? strtoul(argv[3], NULL, 10) : 100000);
  int parse_only = argc > 2;
  static char obuf[1 << 16];
  setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    json_error_t e;
    json_t *d = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &e);
    if (!d) {
      puts("error");
      continue;
    }
    if (!parse_only) {
      const char *rec, *eco;
      decide(d, &rec, &eco);
      printf("%s %s\n", rec, eco);
    }
    json_decref(d);
  }
  free(line);
  fclose(f);
  return 0;
}
