// SleepFor (block.h) and StopTheWorld (pause.h).
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tracelane/block.h"
#include "tracelane/pause.h"

namespace tracelane {
namespace {

constexpr SourceLocation kSleepLocation{"sleep", "tracelane::SleepFor", __FILE__, __LINE__};

// Locations created for StopTheWorld(name) call sites. Never freed: events refer
// to them by address until the trace is written.
struct InternedLocation {
  std::string name;
  std::string function;
  std::string file;
  SourceLocation loc;
};

class LocationTable {
 public:
  const SourceLocation* Intern(const char* name, const char* file, int line,
                               const char* function) {
    std::string key = absl::StrCat(name, "\n", file, ":", line);
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = table_.try_emplace(std::move(key));
    if (inserted) {
      auto entry = std::make_unique<InternedLocation>();
      entry->name = name;
      entry->function = function;
      entry->file = file;
      entry->loc = SourceLocation{entry->name.c_str(), entry->function.c_str(),
                                  entry->file.c_str(), static_cast<uint32_t>(line)};
      it->second = std::move(entry);
    }
    return &it->second->loc;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<InternedLocation>> table_ ABSL_GUARDED_BY(mu_);
};

LocationTable& Locations() {
  static auto* table = new LocationTable;
  return *table;
}

}  // namespace

void SleepFor(absl::Duration d) {
  BlockScope block(&kSleepLocation, Block::kSleep);
  absl::SleepFor(d);
}

StopTheWorld::StopTheWorld(const char* name, const char* file, int line, const char* function)
    : StopTheWorld(Locations().Intern(name, file, line, function)) {}

StopTheWorld::StopTheWorld(const SourceLocation* loc) : loc_(loc), active_(IsEnabled()) {
  if (active_) internal::Emit(format::EventType::kStwBegin, internal::LocPayload(loc_));
}

StopTheWorld::~StopTheWorld() {
  if (active_) internal::Emit(format::EventType::kStwEnd, internal::LocPayload(loc_));
}

}  // namespace tracelane
