// `tracelane dump FILE`: every event as text, thread by thread.
#include <cstring>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] = R"(usage: tracelane dump FILE [--limit N] [--json] [--salvage]

Prints events in time order per thread: time since the first event, thread,
type, name (or raw payload) and argument.

  --limit N   stop after N events (default: all)
  --json      one JSON object per line: ts_ns, tid, thread, type, name, payload, arg
  --salvage   read the intact parts of a truncated or damaged file
)";

}  // namespace

int RunDump(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseArgs(argc, argv, 1, {"limit"}, {"json", "salvage", "help", "h"});
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (args->Has("help") || args->Has("h")) {
    std::cout << kHelp;
    return 0;
  }
  uint64_t limit = UINT64_MAX;
  if (args->Has("limit") && !absl::SimpleAtoi(args->Get("limit"), &limit)) {
    return Fail("--limit needs a non-negative integer, got '" + args->Get("limit") + "'");
  }
  absl::StatusOr<reader::Trace> t = LoadTrace(*args);
  if (!t.ok()) return Fail(std::string(t.status().message()));
  const int64_t origin = t->EventSpan().first;
  const bool json = args->Has("json");
  uint64_t n = 0;
  for (const reader::Thread& th : t->threads) {
    for (const reader::Event& e : th.events) {
      if (n++ >= limit) return 0;
      const reader::Location* loc = t->LocationOf(e);
      if (json) {
        JsonWriter j;
        j.BeginObject();
        j.Key("ts_ns").Int(e.ts_ns);
        j.Key("tid").Int(th.tid);
        j.Key("thread").String(th.name);
        j.Key("type").String(reader::EventTypeName(e.type));
        if (loc != nullptr) {
          j.Key("name").String(loc->name);
          j.Key("file").String(loc->file);
          j.Key("line").Uint(loc->line);
        } else {
          j.Key("payload").Uint(e.payload);
        }
        if (e.type == format::EventType::kCounter) {
          double v;
          std::memcpy(&v, &e.arg, sizeof(v));
          j.Key("value").Double(v);
        } else if (e.has_arg) {
          j.Key("arg").Int(e.arg);
        }
        j.EndObject();
        std::cout << j.str() << "\n";
      } else {
        std::string what = loc != nullptr ? loc->name : absl::StrFormat("0x%x", e.payload);
        std::cout << absl::StrFormat("%14.3f us  %-16s %-15s %s", (e.ts_ns - origin) / 1e3,
                                     absl::StrFormat("%s[%d]", th.name, th.tid),
                                     reader::EventTypeName(e.type), what);
        if (e.type == format::EventType::kCounter) {
          double v;
          std::memcpy(&v, &e.arg, sizeof(v));
          std::cout << "  value=" << v;
        } else if (e.has_arg) {
          std::cout << "  arg=" << e.arg;
        }
        std::cout << "\n";
      }
    }
  }
  return 0;
}

}  // namespace tracelane::cli
