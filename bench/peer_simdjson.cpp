// peer_simdjson.cpp -- the benchmark's policy by hand in C++ with simdjson
// On-Demand over the whole JSON Lines file (iterate_many): the practical
// limit of "parse and decide".  Prints "<recovery> <economic>" per sheet.
//   peer_simdjson FILE.jsonl
#include <simdjson.h>
#include <cstdio>
#include <string_view>

using namespace simdjson;

static int idx(std::string_view s, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (s == names[i]) return i;
  return 0;
}
static const char *const HARM[] = {"none", "minor_injury", "serious_injury", "death"};
static const char *const SENS[] = {"none", "personal", "sensitive"};
static const char *const USAGE[] = {"home", "office", "factory", "hospital", "vehicle"};
static const char *const ACT[] = {"none", "convenience", "access", "hazardous"};

int main(int, char **argv) {
  padded_string json;
  if (padded_string::load(argv[1]).get(json)) return 2;
  ondemand::parser parser;
  ondemand::document_stream docs;
  if (parser.iterate_many(json).get(docs)) return 2;
  static char obuf[1 << 16];
  setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
  for (auto doc : docs) {
    int harm = 0, sens = 0, usage = 0, act = 0;
    bool remote = false;
    int64_t loss = 0, users = 0;
    ondemand::object facts;
    if (doc["facts"].get_object().get(facts)) {
      puts("error");
      continue;
    }
    for (auto field : facts) {
      std::string_view k = field.unescaped_key().value_unsafe();
      auto v = field.value();
      if (k == "harm_life") harm = idx(v.get_string().value_unsafe(), HARM, 4);
      else if (k == "data_sensitivity") sens = idx(v.get_string().value_unsafe(), SENS, 3);
      else if (k == "usage") usage = idx(v.get_string().value_unsafe(), USAGE, 5);
      else if (k == "actuation") act = idx(v.get_string().value_unsafe(), ACT, 4);
      else if (k == "remote_control") remote = v.get_bool().value_unsafe();
      else if (k == "loss_jpy") loss = v.get_int64().value_unsafe();
      else if (k == "users_affected") users = v.get_int64().value_unsafe();
    }
    const char *rec = (harm >= 2 || (usage >= 3 && remote) || (act == 3 && remote)) ? "fatal"
                      : (harm == 1 || sens == 2 || act >= 2)                       ? "serious"
                                                                                   : "limited";
    const char *eco = (loss >= 10000000000ll || users >= 1000000) ? "catastrophic"
                      : (loss >= 100000000 || users >= 10000)     ? "significant"
                                                                  : "limited";
    std::printf("%s %s\n", rec, eco);
  }
  return 0;
}
