#include "viewer/cli/command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace tracelane::cli {

absl::StatusOr<Args> ParseArgs(int argc, char** argv, int first,
                               const std::vector<std::string>& valued,
                               const std::vector<std::string>& boolean) {
  Args args;
  const auto is = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-' && a != "-") {
      std::string name = a.substr(a[1] == '-' ? 2 : 1);
      std::string value;
      bool has_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      if (is(valued, name)) {
        if (!has_value) {
          if (i + 1 >= argc)
            return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
          value = argv[++i];
        }
        args.flags[name] = value;
      } else if (is(boolean, name)) {
        if (has_value)
          return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
        // Move-assigned: assigning the literal trips g++ 12's false -Wrestrict
        // in Release builds (GCC bug 105329).
        args.flags[name] = std::string("1");
      } else {
        return absl::InvalidArgumentError(absl::StrCat("unknown flag ", a, " (see --help)"));
      }
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

absl::StatusOr<reader::Trace> LoadTrace(const Args& args) {
  if (args.positional.empty()) return absl::InvalidArgumentError("missing trace FILE (see --help)");
  reader::ReadOptions opts;
  opts.salvage = args.Has("salvage");
  absl::StatusOr<reader::Trace> t = reader::ReadTrace(args.positional[0], opts);
  if (!t.ok()) {
    if (absl::IsDataLoss(t.status()) && !opts.salvage) {
      return absl::DataLossError(
          absl::StrCat(t.status().message(), " (use --salvage to read the intact parts)"));
    }
    return t.status();
  }
  for (const std::string& w : t->warnings) std::cerr << "tracelane: warning: " << w << "\n";
  return t;
}

int Fail(const std::string& message) {
  std::cerr << "tracelane: " << message << "\n";
  return 1;
}

}  // namespace tracelane::cli
