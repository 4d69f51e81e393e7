// The `tracelane` command-line tool: subcommands over the trace reader and analyses.
#include <cstring>
#include <iostream>

#include "viewer/cli/command.h"

namespace tracelane::cli {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"info", "capture facts: duration, threads, events, drops, clock", RunInfo},
      {"dump", "events as text or JSON lines", RunDump},
      {"summary", "one screen: states, top threads, locks, pauses, MMU, slowest scopes", RunSummary},
      {"threads", "time in each thread state, per thread and per name", RunThreads},
      {"scopes", "scope latency: percentiles, histogram, slowest instances", RunScopes},
      {"locks", "lock contention: waits, waiting and holding call sites", RunLocks},
      {"mmu", "minimum mutator utilization curve and worst windows", RunMmu},
      {"explain", "why was this scope instance slow?", RunExplain},
      {"why", "why is a scope's tail (p99) slow? causes of its slowest instances", RunWhy},
      {"range", "states, scopes and lock waits inside a time range", RunRange},
      {"export", "Chrome trace JSON (Perfetto) or pprof profiles", RunExport},
      {"capture", "fetch a trace from a running program's endpoint", RunCapture},
  };
  return kCommands;
}

}  // namespace tracelane::cli

namespace {

void PrintHelp() {
  std::cout << "usage: tracelane COMMAND [args] [--help]\n\ncommands:\n";
  for (const auto& c : tracelane::cli::Commands()) {
    std::cout << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
  }
  std::cout << "\nRun 'tracelane COMMAND --help' for a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintHelp();
    return argc < 2 ? 1 : 0;
  }
  for (const auto& c : tracelane::cli::Commands()) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(argc - 1, argv + 1);
  }
  std::cerr << "tracelane: unknown command '" << argv[1] << "' (see tracelane --help)\n";
  return 2;
}
