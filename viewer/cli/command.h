// Shared pieces of the `tracelane` CLI: argument parsing and the command table.
#ifndef TRACELANE_VIEWER_CLI_COMMAND_H_
#define TRACELANE_VIEWER_CLI_COMMAND_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "viewer/lib/trace_reader.h"

namespace tracelane::cli {

// Parsed command line of one subcommand: positional arguments and --flags.
// "--flag value", "--flag=value" and boolean "--flag" are accepted; which flags
// take a value is declared by the command.
struct Args {
  std::vector<std::string> positional;
  absl::flat_hash_map<std::string, std::string> flags;

  bool Has(const std::string& f) const { return flags.contains(f); }
  std::string Get(const std::string& f, const std::string& def = "") const {
    auto it = flags.find(f);
    return it == flags.end() ? def : it->second;
  }
};

// Parses argv[first..]. `valued` lists flags that take a value, `boolean` flags
// that do not; anything else is an error naming the flag.
absl::StatusOr<Args> ParseArgs(int argc, char** argv, int first,
                               const std::vector<std::string>& valued,
                               const std::vector<std::string>& boolean);

// Reads the trace named by the first positional argument, honouring --salvage;
// with salvage, warnings go to stderr.
absl::StatusOr<reader::Trace> LoadTrace(const Args& args);

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);  // argv[0] is the subcommand name
};

// Every subcommand, in help order.
const std::vector<Command>& Commands();

// Prints "tracelane: <message>" to stderr and returns exit code 1.
int Fail(const std::string& message);

int RunInfo(int argc, char** argv);
int RunDump(int argc, char** argv);
// Analysis commands (viewer/analysis.cmake).
int RunSummary(int argc, char** argv);
int RunThreads(int argc, char** argv);
int RunScopes(int argc, char** argv);
int RunLocks(int argc, char** argv);
int RunMmu(int argc, char** argv);
int RunExplain(int argc, char** argv);
int RunWhy(int argc, char** argv);
int RunRange(int argc, char** argv);
int RunExport(int argc, char** argv);
int RunCapture(int argc, char** argv);  // capture_command.cc (viewer/capture_client.cmake)

}  // namespace tracelane::cli

#endif  // TRACELANE_VIEWER_CLI_COMMAND_H_
