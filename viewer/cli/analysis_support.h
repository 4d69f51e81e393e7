// Shared pieces of the analysis commands (summary, threads, scopes, locks, mmu,
// explain, export): loading the model and the JSON shapes several commands print.
#ifndef TRACELANE_VIEWER_CLI_ANALYSIS_SUPPORT_H_
#define TRACELANE_VIEWER_CLI_ANALYSIS_SUPPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "viewer/analysis/lock_contention.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/report_json.h"
#include "viewer/analysis/scope_stats.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/cli/command.h"
#include "viewer/lib/json_writer.h"

namespace tracelane::cli {

// Flags every analysis command accepts without a value.
inline const std::vector<std::string> kAnalysisBoolFlags = {"json", "salvage", "help", "h"};

// Parses the command line: `valued` flags take a value, `boolean` flags (in
// addition to kAnalysisBoolFlags) do not; at most `max_positional` arguments.
// After printing `help` for --help it returns a kCancelled status.
absl::StatusOr<Args> ParseCommand(int argc, char** argv, const char* help,
                                  const std::vector<std::string>& valued,
                                  const std::vector<std::string>& boolean = {},
                                  size_t max_positional = 1);

// Loads the model of the FILE argument (honours --salvage; progress on stderr
// when it is a terminal). Errors carry the reader's message.
absl::StatusOr<analysis::Model> LoadModelFor(const Args& args);

// For a command about to return to main and exit: keeps `m` alive until the
// process exits, so its memory goes back to the OS at exit instead of through
// millions of destructor calls and unmaps (~5% of `summary` on a large capture).
void KeepUntilExit(analysis::Model&& m);

// Parses --NAME as a positive integer, or returns `def` if absent.
absl::StatusOr<int64_t> IntFlag(const Args& args, const std::string& name, int64_t def,
                                int64_t min = 1);

// The JSON shapes shared with the viewer (viewer/analysis/report_json.h).
using analysis::CutNote;
using analysis::ScopeJson;
using analysis::StateKeys;
using analysis::ThreadRowJson;
// JSON object of one lock (see docs/ANALYSIS.md, `tracelane locks`).
inline void LockJson(JsonWriter& j, const analysis::Model& /*m*/, const analysis::LockReport& r,
                     int sites) {
  analysis::LockJson(j, r, sites);
}

}  // namespace tracelane::cli

#endif  // TRACELANE_VIEWER_CLI_ANALYSIS_SUPPORT_H_
