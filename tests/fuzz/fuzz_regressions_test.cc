// Replays fuzz/corpus (real captures and requests: must be accepted) and
// fuzz/regressions (inputs the fuzzers found crashing, hanging or over-allocating:
// must now give a clean error or be accepted) through the same entry functions
// as the libFuzzer binaries. Trace inputs are replayed as found and with their
// checksums repaired, since the fuzz build skipped checksum verification.
#include <dirent.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.h"
#include "gtest/gtest.h"

namespace tracelane::fuzz {
namespace {

using Entry = FuzzOutcome (*)(std::string_view);

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') files.push_back(dir + "/" + e->d_name);
    }
    closedir(d);
  }
  return files;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ExpectClean(const std::string& file, const FuzzOutcome& o) {
  if (!o.accepted) {
    EXPECT_FALSE(o.error.empty()) << file << ": rejected without a message";
  }
}

struct Target {
  const char* name;
  Entry entry;
  bool trace;  // a .tlt input (replayed with checksums repaired too)
};

const Target kTargets[] = {
    {"trace_reader", FuzzTraceReader, true},
    {"trace_analysis", FuzzTraceAnalysis, true},
    {"endpoint_request", FuzzEndpointRequest, false},
};

TEST(FuzzRegressions, SeedCorporaAreAccepted) {
  for (const Target& t : kTargets) {
    const std::vector<std::string> files =
        FilesIn(std::string(TRACELANE_FUZZ_DIR) + "/corpus/" + t.name);
    ASSERT_GE(files.size(), 3u) << t.name << ": seed corpus missing";
    for (const std::string& f : files) {
      if (!t.trace) {
        (void)t.entry(Slurp(f));  // requests may be refused on purpose (wrong token, ...)
        continue;
      }
      const FuzzOutcome o = t.entry(Slurp(f));
      EXPECT_TRUE(o.accepted) << f << ": " << o.error;
    }
  }
}

TEST(FuzzRegressions, PastFindingsGiveACleanResult) {
  size_t replayed = 0;
  for (const Target& t : kTargets) {
    for (const std::string& f :
         FilesIn(std::string(TRACELANE_FUZZ_DIR) + "/regressions/" + t.name)) {
      SCOPED_TRACE(f);
      const std::string data = Slurp(f);
      ExpectClean(f, t.entry(data));
      if (t.trace) ExpectClean(f + " (checksums repaired)", t.entry(RepairChecksums(data)));
      ++replayed;
    }
  }
  std::printf("replayed %zu past findings\n", replayed);
}

TEST(FuzzRegressions, RepairedChecksumsReachTheDecoders) {
  // A seed with one event byte changed fails its checksum; repaired, the reader
  // gets past the checksum to the decoders (which accept or reject the event).
  const std::string seed =
      Slurp(std::string(TRACELANE_FUZZ_DIR) + "/corpus/trace_reader/raw_busy_200_1.tlt");
  ASSERT_GT(seed.size(), 400u);
  std::string damaged = seed;
  damaged[damaged.size() - 200] ^= 0x01;
  const FuzzOutcome broken = FuzzTraceReader(damaged);
  ASSERT_FALSE(broken.accepted);
  EXPECT_NE(broken.error.find("checksum"), std::string::npos) << broken.error;
  const FuzzOutcome repaired = FuzzTraceReader(RepairChecksums(damaged));
  EXPECT_EQ(repaired.error.find("checksum"), std::string::npos) << repaired.error;
  EXPECT_TRUE(FuzzTraceReader(RepairChecksums(seed)).accepted);
}

}  // namespace
}  // namespace tracelane::fuzz
