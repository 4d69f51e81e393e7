// `tracelane export FILE --chrome OUT | --pprof KIND OUT`: Perfetto / pprof exports.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/chrome_export.h"
#include "viewer/analysis/pprof_export.h"
#include "viewer/cli/analysis_support.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::cli {
namespace {

constexpr char kHelp[] = R"(usage: tracelane export FILE --chrome OUT.json [--json] [--salvage]
       tracelane export FILE --pprof sync|sched|pause OUT.pb.gz [--json] [--salvage]

--chrome writes Chrome trace event JSON for Perfetto UI (ui.perfetto.dev) and
chrome://tracing: thread names, scopes as complete events, a states track per
thread (lock waits, pauses, ...), stop-the-world spans, and flow arrows from the
thread that released a lock or notified a condvar to the thread it woke.

--pprof writes a gzip'd pprof profile (`go tool pprof -top OUT.pb.gz`) whose
sample value is delay in nanoseconds, with the scope nesting as the stack:
  sync   lock and condvar wait      sched  runnable (scheduler wait)
  pause  paused (own pauses and stop-the-world)
Its total equals the matching columns of `tracelane threads`.

  --json      print what was written as JSON: {"output", "format", ...}
              chrome: "events", "flows", "bytes"; pprof: "profile", "samples", "total_ns"
  --salvage   read the intact parts of a truncated or damaged file
)";

}  // namespace

int RunExport(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseCommand(argc, argv, kHelp, {"chrome", "pprof"}, {}, 2);
  if (absl::IsCancelled(args.status())) return 0;
  if (!args.ok()) return Fail(std::string(args.status().message()));
  const bool chrome = args->Has("chrome"), pprof = args->Has("pprof");
  if (chrome == pprof) return Fail("export needs exactly one of --chrome OUT or --pprof KIND OUT");
  analysis::PprofKind kind = analysis::PprofKind::kSync;
  std::string out;
  if (chrome) {
    if (args->positional.size() > 1) {
      return Fail(absl::StrCat("unexpected argument '", args->positional[1], "' (see --help)"));
    }
    out = args->Get("chrome");
  } else {
    absl::StatusOr<analysis::PprofKind> k = analysis::ParsePprofKind(args->Get("pprof"));
    if (!k.ok()) return Fail(std::string(k.status().message()));
    kind = *k;
    if (args->positional.size() < 2)
      return Fail("--pprof needs an output file: --pprof KIND OUT.pb.gz");
    out = args->positional[1];
  }
  if (out.empty()) return Fail("empty output path");
  absl::StatusOr<analysis::Model> m = LoadModelFor(*args);
  if (!m.ok()) return Fail(std::string(m.status().message()));
  JsonWriter j;
  j.BeginObject().Key("output").String(out);
  if (chrome) {
    analysis::ChromeExportStats st;
    if (absl::Status s = analysis::WriteChromeTraceFile(*m, out, &st); !s.ok()) {
      return Fail(std::string(s.message()));
    }
    j.Key("format").String("chrome").Key("events").Uint(st.events).Key("flows").Uint(st.flows);
    j.Key("bytes").Uint(st.bytes);
    if (!args->Has("json")) {
      std::cout << absl::StrFormat("wrote %s: %d trace events, %d flows, %d bytes\n", out,
                                   st.events, st.flows, st.bytes);
    }
  } else {
    analysis::PprofStats st;
    if (absl::Status s = analysis::WritePprofFile(*m, kind, out, &st); !s.ok()) {
      return Fail(std::string(s.message()));
    }
    j.Key("format").String("pprof").Key("profile").String(args->Get("pprof"));
    j.Key("samples").Uint(st.samples).Key("total_ns").Int(st.total_ns);
    if (!args->Has("json")) {
      std::cout << absl::StrFormat("wrote %s: pprof %s profile, %d samples, total %s (%d ns)\n",
                                   out, args->Get("pprof"), st.samples, FormatDuration(st.total_ns),
                                   st.total_ns);
    }
  }
  j.EndObject();
  if (args->Has("json")) std::cout << j.str() << "\n";
  return 0;
}

}  // namespace tracelane::cli
