#include "viewer/cli/analysis_support.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tracelane::cli {

absl::StatusOr<Args> ParseCommand(int argc, char** argv, const char* help,
                                  const std::vector<std::string>& valued,
                                  const std::vector<std::string>& boolean, size_t max_positional) {
  std::vector<std::string> flags = kAnalysisBoolFlags;
  flags.insert(flags.end(), boolean.begin(), boolean.end());
  absl::StatusOr<Args> args = ParseArgs(argc, argv, 1, valued, flags);
  if (!args.ok()) return args.status();
  if (args->Has("help") || args->Has("h")) {
    std::cout << help;
    return absl::CancelledError("help");
  }
  if (args->positional.size() > max_positional) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", args->positional[max_positional], "' (see --help)"));
  }
  return args;
}

absl::StatusOr<analysis::Model> LoadModelFor(const Args& args) {
  if (args.positional.empty()) return absl::InvalidArgumentError("missing trace FILE (see --help)");
  analysis::LoadOptions opts;
  opts.salvage = args.Has("salvage");
  const bool tty = isatty(STDERR_FILENO);
  int last = -1;
  if (tty) {
    opts.progress = [&](uint64_t done, uint64_t total) {
      const int pct = total ? static_cast<int>(done * 100 / total) : 100;
      if (pct != last && total > (16u << 20)) {
        std::fprintf(stderr, "\rloading %s: %d%%", args.positional[0].c_str(), pct);
        last = pct;
      }
    };
  }
  absl::StatusOr<analysis::Model> m = analysis::LoadModel(args.positional[0], opts);
  if (last >= 0) std::fprintf(stderr, "\r\033[K");
  if (!m.ok()) {
    if (absl::IsDataLoss(m.status()) && !opts.salvage) {
      return absl::DataLossError(
          absl::StrCat(m.status().message(), " (use --salvage to read the intact parts)"));
    }
    return m.status();
  }
  for (const std::string& w : m->info.warnings) std::cerr << "tracelane: warning: " << w << "\n";
  return m;
}

void KeepUntilExit(analysis::Model&& m) {
  static auto* kept = new std::vector<analysis::Model>;  // never freed, by design
  kept->push_back(std::move(m));
}

absl::StatusOr<int64_t> IntFlag(const Args& args, const std::string& name, int64_t def,
                                int64_t min) {
  if (!args.Has(name)) return def;
  int64_t v;
  if (!absl::SimpleAtoi(args.Get(name), &v) || v < min) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs an integer >= ", min, ", got '", args.Get(name), "'"));
  }
  return v;
}

}  // namespace tracelane::cli
