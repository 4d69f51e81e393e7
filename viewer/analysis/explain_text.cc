// Names and sentences for causes (explain.h): CauseKindKey, CauseLabel,
// DescribeCause, SummarizeCause.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/explain.h"

namespace tracelane::analysis {
namespace {

std::string Quoted(const std::string& s) { return absl::StrCat("\"", s, "\""); }

// Writes causes for people; `ids`: thread labels with tids and counts (explain),
// else names only (why's aggregation key).
class Describer {
 public:
  Describer(const Model& m, bool ids) : m_(m), ids_(ids) {}

  std::string Thread(uint32_t t) const {
    if (t == kNone || t >= m_.threads.size()) return "unknown";
    return ids_ ? m_.ThreadLabel(t) : m_.threads[t].name;
  }

  std::string Cause(const analysis::Cause& c) const {
    switch (c.kind) {
      case CauseKind::kLockWait: {
        std::string s =
            absl::StrCat("lock wait on ", Quoted(c.what.empty() ? "unknown lock" : c.what));
        if (c.confidence < 100) {
          absl::StrAppend(&s, ids_ ? absl::StrCat(" (inferred, ", c.confidence, "% confidence)")
                                   : std::string(" (inferred)"));
        }
        if (!c.chain.empty()) return s + Chain(c);
        if (c.other_thread == kNone) return s + ", holder unknown";
        return absl::StrCat(s, " held by ", Thread(c.other_thread), " in ", Quoted(c.other_scope));
      }
      case CauseKind::kCondvarWait: {
        std::string s =
            absl::StrCat("condvar wait on ", Quoted(c.what.empty() ? "unknown condvar" : c.what));
        if (!c.chain.empty()) return s + Chain(c);
        if (c.other_thread == kNone) return s;
        return absl::StrCat(s, ", notified by ", Thread(c.other_thread));
      }
      case CauseKind::kIoWait:
        return absl::StrCat("io wait in ", Quoted(c.what));
      case CauseKind::kSleep:
        return absl::StrCat("sleep in ", Quoted(c.what));
      case CauseKind::kSyscall:
        return absl::StrCat("syscall in ", Quoted(c.what));
      case CauseKind::kPause:
        return absl::StrCat("pause ", Quoted(c.what.empty() ? "unknown" : c.what));
      case CauseKind::kStopTheWorld:
        return absl::StrCat("stop-the-world ", Quoted(c.what), " by ", Thread(c.other_thread));
      case CauseKind::kRunnable: {
        const std::string in = c.what.empty() ? "" : absl::StrCat(" in ", Quoted(c.what));
        if (!ids_) return "scheduler wait (runnable)" + in;
        return absl::StrCat("scheduler wait (runnable)", in, ", ", c.count,
                            c.count == 1 ? " time" : " times", Busy(c.busy_threads));
      }
      case CauseKind::kUnknown:
        return c.what.empty() ? std::string("off-CPU, reason unknown")
                              : absl::StrCat("blocked in ", Quoted(c.what));
      case CauseKind::kDataLost:
        if (!ids_ || c.object_id == 0) return "events lost (nothing is known about this time)";
        return absl::StrCat("events lost (", c.object_id,
                            " events; nothing is known about this time)");
      case CauseKind::kRunning:
        return absl::StrCat("running in ", Quoted(c.what), c.self ? " (self)" : "");
    }
    return "unknown";
  }

 private:
  std::string Busy(double busy) const {
    if (busy <= 0 || !ids_) return "";
    const int cpus = CaptureCpus(m_);
    return absl::StrFormat("; %.1f traced threads running or runnable meanwhile%s", busy,
                           cpus > 0 ? absl::StrCat(" on ", cpus, " CPUs") : "");
  }

  std::string Chain(const analysis::Cause& c) const {
    return absl::StrCat(Hops(c), ", ", Ending(c));
  }

  // The hops of a chain: ` held by x [1] in "f", itself waiting on lock "b" ...`.
  std::string Hops(const analysis::Cause& c) const {
    std::string s;
    for (size_t i = 0; i < c.chain.size(); ++i) {
      const BlameHop& h = c.chain[i];
      const bool cv = h.via == CauseKind::kCondvarWait;
      if (i > 0) {
        absl::StrAppend(&s, ", itself waiting on ", cv ? "condvar " : "lock ", Quoted(h.what));
        if (h.confidence < 100) {
          absl::StrAppend(&s, ids_ ? absl::StrCat(" (inferred, ", h.confidence, "% confidence)")
                                   : std::string(" (inferred)"));
        }
      }
      absl::StrAppend(&s, cv ? (i == 0 ? ", notified by " : " notified by ") : " held by ",
                      Thread(h.thread), " in ", Quoted(h.scope));
      if (h.hold_cut) s += " (hold start not recorded)";
    }
    return s;
  }

  // Where a chain ends: `running`, `sleeping in "nap"`, ...
  std::string Ending(const analysis::Cause& c) const {
    const BlameRoot& r = c.root;
    switch (r.end) {
      case BlameEnd::kHandoff:
        return absl::StrCat("already released: the next holder's wake-up (hand-off)",
                            Busy(c.busy_threads).empty()
                                ? ""
                                : absl::StrCat(" (", Busy(c.busy_threads).substr(2), ")"));
      case BlameEnd::kCycle:
        return "which waits for a thread already in this chain (cycle)";
      case BlameEnd::kDepthLimit:
        return absl::StrCat(Root(r, c.busy_threads), " (chain not followed further)");
      case BlameEnd::kUnknownHolder:
        return "holder unknown";
      case BlameEnd::kRoot:
        break;
    }
    const std::string& last_scope = c.chain.empty() ? r.scope : c.chain.back().scope;
    const std::string in_scope =
        r.scope.empty() || r.scope == last_scope ? "" : absl::StrCat(" in ", Quoted(r.scope));
    return absl::StrCat(Root(r, c.busy_threads), in_scope);
  }

 public:
  // The cause without where its chain ends (all of it if it has no chain).
  std::string Wait(const analysis::Cause& c) const {
    if (c.chain.empty()) return Cause(c);
    const char* kind = c.kind == CauseKind::kLockWait ? "lock wait on " : "condvar wait on ";
    std::string s = absl::StrCat(kind, Quoted(c.what));
    if (c.kind == CauseKind::kLockWait && c.confidence < 100) s += " (inferred)";
    return s + Hops(c);
  }
  std::string RootOf(const analysis::Cause& c) const {
    return c.chain.empty() ? std::string() : Ending(c);
  }
  // Where the chain ends, also without a chain (`holder unknown`).
  std::string EndingOf(const analysis::Cause& c) const { return Ending(c); }

 private:
  std::string Root(const BlameRoot& r, double busy) const {
    const auto what = [&](const char* prefix) {
      return r.what.empty() ? std::string() : absl::StrCat(prefix, Quoted(r.what));
    };
    switch (r.kind) {
      case CauseKind::kRunning:
        return "running";
      case CauseKind::kSleep:
        return "sleeping" + what(" in ");
      case CauseKind::kIoWait:
        return "in io wait" + what(" ");
      case CauseKind::kSyscall:
        return "in a syscall" + what(" ");
      case CauseKind::kRunnable:
        return absl::StrCat("runnable (waiting for a CPU", Busy(busy), ")");
      case CauseKind::kPause:
        return "paused" + what(" ");
      case CauseKind::kStopTheWorld:
        return "stopped by stop-the-world" + what(" ");
      case CauseKind::kDataLost:
        return "in a gap of lost data (unknown)";
      case CauseKind::kLockWait:
        return "itself waiting on lock" + what(" ");
      case CauseKind::kCondvarWait:
        return "itself waiting on condvar" + what(" ") + ", notifier unknown";
      case CauseKind::kUnknown:
        return r.what.empty() ? std::string("off-CPU, reason unknown") : "blocked" + what(" in ");
    }
    return "unknown";
  }

  const Model& m_;
  bool ids_;
};

}  // namespace

const char* CauseKindKey(CauseKind k) {
  switch (k) {
    case CauseKind::kLockWait:
      return "lock_wait";
    case CauseKind::kCondvarWait:
      return "condvar_wait";
    case CauseKind::kIoWait:
      return "io_wait";
    case CauseKind::kSleep:
      return "sleep";
    case CauseKind::kSyscall:
      return "syscall";
    case CauseKind::kPause:
      return "pause";
    case CauseKind::kStopTheWorld:
      return "stop_the_world";
    case CauseKind::kRunnable:
      return "runnable";
    case CauseKind::kUnknown:
      return "unknown";
    case CauseKind::kDataLost:
      return "data_lost";
    case CauseKind::kRunning:
      return "running";
  }
  return "unknown";
}

std::string CauseLabel(const Cause& c) {
  std::string label;
  switch (c.kind) {
    case CauseKind::kLockWait:
      label = "lock wait";
      break;
    case CauseKind::kCondvarWait:
      label = "condvar wait";
      break;
    case CauseKind::kIoWait:
      label = "io wait";
      break;
    case CauseKind::kSleep:
      label = "sleep";
      break;
    case CauseKind::kSyscall:
      label = "syscall";
      break;
    case CauseKind::kPause:
      label = "pause";
      break;
    case CauseKind::kStopTheWorld:
      label = "stop-the-world";
      break;
    case CauseKind::kRunnable:
      return "runnable";
    case CauseKind::kUnknown:
      label = "unknown";
      break;
    case CauseKind::kDataLost:
      return "data lost";
    case CauseKind::kRunning:
      label = "running";
      break;
  }
  return c.what.empty() ? label : absl::StrCat(label, ": ", c.what);
}

std::string DescribeCause(const Model& m, const Cause& c) { return Describer(m, true).Cause(c); }

std::string SummarizeCause(const Model& m, const Cause& c) { return Describer(m, false).Cause(c); }

std::string SummarizeWait(const Model& m, const Cause& c) { return Describer(m, false).Wait(c); }

std::string SummarizeRoot(const Model& m, const Cause& c) { return Describer(m, false).RootOf(c); }

std::string DescribeRoot(const Model& m, const Cause& c) { return Describer(m, true).EndingOf(c); }

}  // namespace tracelane::analysis
