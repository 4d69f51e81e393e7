#include "viewer/gui/locks_panel.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/report_json.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/gui/lock_highlight.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::CallSite;
using analysis::LockReport;
using analysis::LockWait;
using analysis::LockWaitRef;

enum Column : int {
  kName = 0,
  kAcquisitions,
  kContended,
  kTryFailed,
  kWaits,
  kTotal,
  kMax,
  kMean,
  kCut,
  kWaitingSite,
  kHoldingSite,
  kColumns
};

// The lock-wait state colour marks wait times in the table.
uint32_t WaitColor() { return StateColor(analysis::ThreadState::kLockWait); }

bool IsCut(const LockWait& w) {
  return w.outcome == analysis::WaitOutcome::kOpen || w.outcome == analysis::WaitOutcome::kLost;
}

int64_t Mean(const LockReport& r) {
  return r.waits ? r.total_wait_ns / static_cast<int64_t>(r.waits) : 0;
}

int64_t SortKey(const LockReport& r, int column) {
  switch (column) {
    case kAcquisitions:
      return static_cast<int64_t>(r.acquisitions);
    case kContended:
      return static_cast<int64_t>(r.contended);
    case kTryFailed:
      return static_cast<int64_t>(r.try_failed);
    case kWaits:
      return static_cast<int64_t>(r.waits);
    case kTotal:
      return r.total_wait_ns;
    case kMax:
      return r.max_wait_ns;
    case kMean:
      return Mean(r);
    case kCut:
      return static_cast<int64_t>(r.cut_waits);
    default:
      return 0;
  }
}

std::string SiteName(const std::vector<CallSite>& sites) {
  return sites.empty() ? std::string() : sites[0].name;
}

LocksData Compute(const analysis::Model& m, const std::optional<RangeKey>& range,
                  const JobControl& c) {
  LocksData d;
  if (range) {
    d.reports = analysis::LockContentionIn(m, range->from_ns, range->to_ns, range->threads);
  } else {
    d.reports = analysis::LockContention(m);
    c.Progress(0.6);
    if (!c.cancelled()) d.waits = analysis::WaitsByLock(m);
  }
  for (const LockReport& r : d.reports) d.total_wait_ns += r.total_wait_ns;
  c.Progress(1);
  return d;
}

// Recomputes the row order when the sort or the data changed. O(n log n).
void UpdateOrder(const LocksData& d, LocksPanelState& s) {
  int column = kTotal;
  bool ascending = false;
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs()) {
    if (specs->SpecsCount > 0) {
      column = specs->Specs[0].ColumnIndex;
      ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    specs->SpecsDirty = false;
  }
  if (s.resort_each_frame > 0) {
    column = s.resort_each_frame++ % kColumns;
    s.order_src = nullptr;
  }
  if (s.order_src == &d && s.sort_column == column && s.sort_ascending == ascending &&
      s.order.size() == d.reports.size()) {
    return;
  }
  const std::vector<LockReport>& r = d.reports;
  s.order.resize(r.size());
  std::iota(s.order.begin(), s.order.end(), 0u);
  std::stable_sort(s.order.begin(), s.order.end(), [&](uint32_t a, uint32_t b) {
    if (column == kName || column == kWaitingSite || column == kHoldingSite) {
      const std::string x = column == kName          ? r[a].name
                            : column == kWaitingSite ? SiteName(r[a].waiting_sites)
                                                     : SiteName(r[a].holding_sites);
      const std::string y = column == kName          ? r[b].name
                            : column == kWaitingSite ? SiteName(r[b].waiting_sites)
                                                     : SiteName(r[b].holding_sites);
      if (x != y) return ascending ? x < y : x > y;
      return a < b;
    }
    const int64_t x = SortKey(r[a], column), y = SortKey(r[b], column);
    if (x != y) return ascending ? x < y : x > y;
    return a < b;
  });
  s.order_src = &d;
  s.sort_column = column;
  s.sort_ascending = ascending;
}

void CountCell(uint64_t v, bool known) {
  if (!known) {
    ImGui::TextDisabled("-");
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("counted per capture, not per time: not known for a range");
    }
  } else if (v != 0) {
    ImGui::Text("%llu", static_cast<unsigned long long>(v));
  }
}

// "*" after a contended count some of whose waits were inferred, explained in
// its tooltip.
void InferredMark(const LockReport& r) {
  ImGui::SameLine(0, 1);
  ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "*");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "%llu inferred from abseil's release hook and the scheduler's switch-ins (mean "
        "confidence %d%%): abseil does not name the waiter",
        static_cast<unsigned long long>(r.inferred), r.inferred_confidence);
  }
}

// A wait time; with `of` > 0 a bar under it, in the lock-wait colour, scales
// it against `of`.
void WaitCell(int64_t ns, int64_t of) {
  if (ns == 0) return;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
  if (of > 0) {
    const float f = static_cast<float>(static_cast<double>(ns) / static_cast<double>(of));
    ImGui::GetWindowDrawList()->AddRectFilled(
        ImVec2(p.x, p.y + h - 3), ImVec2(p.x + std::max(2.0f, w * f), p.y + h + 1), WaitColor());
  }
  ImGui::TextUnformatted(FormatSpan(ns).c_str());
}

// The table. Returns the lock clicked, if any.
std::optional<uint64_t> Table(const LocksData& d, LocksPanelState& s, float width) {
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_Hideable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("locks", kColumns, flags,
                         ImVec2(width, ImGui::GetContentRegionAvail().y))) {
    return std::nullopt;
  }
  const ImGuiTableColumnFlags num =
      ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("lock", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoHide,
                          150);
  ImGui::TableSetupColumn("acquired", num, 66);
  ImGui::TableSetupColumn("contended", num, 76);
  ImGui::TableSetupColumn("try failed", num, 70);
  ImGui::TableSetupColumn("waits", num, 56);
  ImGui::TableSetupColumn("total wait", num | ImGuiTableColumnFlags_DefaultSort, 84);
  ImGui::TableSetupColumn("max wait", num, 80);
  ImGui::TableSetupColumn("mean wait", num, 80);
  ImGui::TableSetupColumn("cut", num, 36);
  ImGui::TableSetupColumn("top waiting site", ImGuiTableColumnFlags_WidthFixed, 150);
  ImGui::TableSetupColumn("top holding site", ImGuiTableColumnFlags_WidthFixed, 150);
  ImGui::TableHeadersRow();
  UpdateOrder(d, s);
  int64_t longest = 0;
  for (const LockReport& r : d.reports) longest = std::max(longest, r.total_wait_ns);
  std::optional<uint64_t> clicked;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(s.order.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const LockReport& r = d.reports[s.order[i]];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(kName);
      ImGui::PushID(i);
      if (ImGui::Selectable(
              r.name.c_str(), s.has_selection && s.selected == r.lock_id,
              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        clicked = r.lock_id;
      }
      ImGui::PopID();
      if (ImGui::TableSetColumnIndex(kAcquisitions)) {
        if (r.counters_known && !r.acquisitions_recorded) {
          ImGui::TextDisabled("-");
          if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("not recorded: abseil reports only contended releases");
          }
        } else {
          CountCell(r.acquisitions, r.counters_known);
        }
      }
      if (ImGui::TableSetColumnIndex(kContended)) {
        CountCell(r.contended, r.counters_known);
        if (r.counters_known && r.inferred > 0) InferredMark(r);
      }
      if (ImGui::TableSetColumnIndex(kTryFailed)) CountCell(r.try_failed, r.counters_known);
      if (ImGui::TableSetColumnIndex(kWaits)) CountCell(r.waits, true);
      if (ImGui::TableSetColumnIndex(kTotal)) WaitCell(r.total_wait_ns, longest);
      if (ImGui::TableSetColumnIndex(kMax)) WaitCell(r.max_wait_ns, 0);
      if (ImGui::TableSetColumnIndex(kMean)) WaitCell(Mean(r), 0);
      if (ImGui::TableSetColumnIndex(kCut) && r.cut_waits != 0) {
        ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%llu",
                           static_cast<unsigned long long>(r.cut_waits));
        if (ImGui::IsItemHovered()) {
          ImGui::SetTooltip(
              "waits whose end was not recorded (capture end, lost data): their length is a "
              "lower bound, counted in total, never the max");
        }
      }
      if (ImGui::TableSetColumnIndex(kWaitingSite)) {
        ImGui::TextUnformatted(SiteName(r.waiting_sites).c_str());
      }
      if (ImGui::TableSetColumnIndex(kHoldingSite)) {
        ImGui::TextUnformatted(SiteName(r.holding_sites).c_str());
      }
    }
  }
  ImGui::EndTable();
  return clicked;
}

void Sites(const char* title, const std::vector<CallSite>& sites, int64_t total) {
  if (sites.empty()) return;
  ImGui::TextDisabled("%s", title);
  const float h = ImGui::GetTextLineHeight();
  for (size_t i = 0; i < sites.size() && i < 6; ++i) {
    const CallSite& c = sites[i];
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float f =
        total > 0 ? static_cast<float>(static_cast<double>(c.wait_ns) / static_cast<double>(total))
                  : 0;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2),
                                              ImVec2(p.x + 4 + 60 * f, p.y + h - 2), WaitColor());
    ImGui::Dummy(ImVec2(66, h));
    ImGui::SameLine();
    ImGui::Text("%9s %6s %6llu x  %s", FormatSpan(c.wait_ns).c_str(),
                FormatPercent(c.wait_ns, total).c_str(), static_cast<unsigned long long>(c.waits),
                c.name.c_str());
  }
  if (sites.size() > 6) ImGui::TextDisabled("  ... %zu more", sites.size() - 6);
}

// Centres the timeline on wait `k` of the selected lock (it spans a third of
// the view), scrolls to its lane and marks it current.
void GoToWait(const Document& doc, TimelineState& timeline, LocksPanelState& s,
              const std::vector<LockWaitRef>& waits, int k) {
  if (k < 0 || static_cast<size_t>(k) >= waits.size()) return;
  s.cursor = k;
  const LockWaitRef ref = waits[k];
  const LockWait& w = doc.model.threads[ref.thread].lock_waits[ref.index];
  const int64_t pad = std::max<int64_t>(w.end_ns - w.start_ns, 2000);
  PushHistory(timeline, ImGui::GetTime(), /*force=*/true);
  ShowRange(timeline, w.start_ns - pad, w.end_ns + pad);
  ScrollToLane(timeline, ref.thread);
  timeline.highlight_wait_thread = ref.thread;
  timeline.highlight_wait_index = ref.index;
}

// The stepper through the selected lock's waits.
void Stepper(const Document& doc, TimelineState& timeline, LocksPanelState& s,
             const std::vector<LockWaitRef>& waits) {
  const analysis::Model& m = doc.model;
  const int n = static_cast<int>(waits.size());
  if (n == 0) {
    ImGui::TextDisabled("no waits: never contended");
    return;
  }
  int go = -1;
  if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) go = std::max(0, s.cursor - 1);
  ImGui::SameLine();
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) go = std::min(n - 1, s.cursor + 1);
  ImGui::SameLine();
  if (ImGui::SmallButton("longest")) {
    int64_t best = -1;
    for (int k = 0; k < n; ++k) {
      const LockWait& w = m.threads[waits[k].thread].lock_waits[waits[k].index];
      if (!IsCut(w) && w.end_ns - w.start_ns > best) best = w.end_ns - w.start_ns, go = k;
    }
  }
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.WantTextInput && !io.KeyCtrl) {
    if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT_BRACKET)) go = std::min(n - 1, s.cursor + 1);
    if (ImGui::IsKeyPressed(GLFW_KEY_LEFT_BRACKET)) go = std::max(0, s.cursor - 1);
  }
  if (go >= 0) GoToWait(doc, timeline, s, waits, go);
  ImGui::SameLine();
  if (s.cursor < 0 || s.cursor >= n) {
    ImGui::TextDisabled("%d waits: step through them with the arrows or [ and ]", n);
    return;
  }
  ImGui::Text("wait %d of %d", s.cursor + 1, n);
  const LockWaitRef ref = waits[s.cursor];
  const LockWait& w = m.threads[ref.thread].lock_waits[ref.index];
  ImGui::Text("%s waited %s at %s", m.ThreadLabel(ref.thread).c_str(),
              FormatDuration(w.end_ns - w.start_ns).c_str(),
              FormatOffset(w.start_ns, m.start_ns).c_str());
  if (IsCut(w)) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "cut: %s (a lower bound)",
                       w.outcome == analysis::WaitOutcome::kLost ? "its events were lost"
                                                                 : "still waiting at the end");
  } else if (w.outcome == analysis::WaitOutcome::kFailed) {
    ImGui::SameLine();
    ImGui::TextDisabled("(gave up)");
  }
  ImGui::TextDisabled("in %s; held by %s in %s", m.ScopeName(ref.thread, w.scope).c_str(),
                      m.ThreadLabel(w.holder_thread).c_str(),
                      w.holder_thread == analysis::kNone
                          ? "?"
                          : m.ScopeName(w.holder_thread, w.holder_scope).c_str());
  if (w.confidence < 100) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "(inferred, %d%% confidence)", w.confidence);
  }
}

void Detail(const Document& doc, TimelineState& timeline, LocksPanelState& s, const LocksData& d,
            const LocksData* full) {
  const LockReport* r = nullptr;
  for (const LockReport& x : d.reports) {
    if (s.has_selection && x.lock_id == s.selected) r = &x;
  }
  if (r == nullptr) {
    ImGui::TextDisabled("Select a lock: its call sites, and its waits outlined on the timeline.");
    return;
  }
  ImGui::Text("%s", r->name.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("id 0x%llx  total wait %s", static_cast<unsigned long long>(r->lock_id),
                      FormatDuration(r->total_wait_ns).c_str());
  if (r->inferred > 0) {
    ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1),
                       "%llu of its waits inferred (absl::Mutex: abseil does not name the "
                       "waiter), mean confidence %d%%",
                       static_cast<unsigned long long>(r->inferred), r->inferred_confidence);
  }
  if (full != nullptr) {
    const auto it = full->waits.find(r->lock_id);
    static const std::vector<LockWaitRef> kNoWaits;
    Stepper(doc, timeline, s, it == full->waits.end() ? kNoWaits : it->second);
  }
  ImGui::Separator();
  Sites("waiting at (the waiter's innermost scope)", r->waiting_sites, r->total_wait_ns);
  Sites("held at (the holder's scope while others waited)", r->holding_sites, r->total_wait_ns);
  Sites("held by", r->holder_threads, r->total_wait_ns);
}

}  // namespace

void DrawLocksPanel(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                    LocksPanelState& s) {
  if (s.doc != doc.get()) {
    s.ranged.reset();
    s.full.reset();
    s.doc = doc.get();
    s.has_selection = false;
    s.cursor = -1;
    s.order_src = nullptr;
  }
  s.waiting = false;
  if (!s.full) {
    s.full = std::make_unique<BackgroundJob<LocksData>>(
        [doc](const JobControl& c) { return Compute(doc->model, std::nullopt, c); });
  }
  const std::optional<RangeKey> range = DrawRangeToggle(*doc, timeline, &s.limit_to_range);
  if (range && (!s.ranged || s.ranged_key != range)) {
    s.ranged_key = range;
    s.ranged = std::make_unique<BackgroundJob<LocksData>>(
        [doc, key = *range](const JobControl& c) { return Compute(doc->model, key, c); });
  }
  s.showing_range = range.has_value();
  BackgroundJob<LocksData>& job = range ? *s.ranged : *s.full;
  const LocksData* full = s.full->ready() ? &s.full->result() : nullptr;
  if (!job.ready()) {
    s.waiting = true;
    DrawComputing(range ? "lock waits in the range" : "lock contention", job.progress());
    return;
  }
  const LocksData& d = job.result();
  ImGui::SameLine(0, 16);
  ImGui::TextDisabled("%zu locks, %s waited%s. Select a lock to outline its waits; [ ] steps.",
                      d.reports.size(), FormatDuration(d.total_wait_ns).c_str(),
                      range ? " inside the range" : "");
  if (d.reports.empty()) {
    ImGui::TextDisabled(range ? "No lock waits in this range." : "No lock events in this trace.");
    return;
  }
  if (!s.has_selection) {
    s.has_selection = true;
    s.selected = d.reports[0].lock_id;  // the most waited-for
  }
  const float table_w = std::max(360.0f, ImGui::GetContentRegionAvail().x * 0.6f);
  const std::optional<uint64_t> clicked = Table(d, s, table_w);
  if (clicked && (*clicked != s.selected || !s.has_selection)) {
    s.has_selection = true;
    s.selected = *clicked;
    s.cursor = -1;
    timeline.highlight_wait_thread = timeline.highlight_wait_index = analysis::kNone;
  }
  ImGui::SameLine(0, 10);
  ImGui::BeginChild("lock_detail", ImVec2(0, 0), false);
  Detail(*doc, timeline, s, d, full);
  ImGui::EndChild();
  // The selected lock's waits, indexed for the timeline's outlines.
  if (s.has_selection && full != nullptr &&
      (timeline.highlight_lock != s.selected || timeline.highlight_waits.empty())) {
    static const std::vector<LockWaitRef> kNoWaits;
    const auto it = full->waits.find(s.selected);
    SetLockHighlight(*doc, timeline, s.selected, it == full->waits.end() ? kNoWaits : it->second);
  }
  timeline.highlight_lock_on =
      s.has_selection && full != nullptr && timeline.highlight_lock == s.selected;
}

std::optional<std::string> LocksPanelJson(const LocksPanelState& s) {
  const BackgroundJob<LocksData>* job = s.showing_range ? s.ranged.get() : s.full.get();
  if (job == nullptr || !job->ready()) return std::nullopt;
  const LocksData& d = job->result();
  const bool ordered = s.order_src == &d && s.order.size() == d.reports.size();
  JsonWriter j;
  j.BeginObject();
  j.Key("total_wait_ns").Int(d.total_wait_ns);
  j.Key("locks").BeginArray();
  for (size_t i = 0; i < d.reports.size(); ++i) {
    const uint32_t k = ordered ? s.order[i] : static_cast<uint32_t>(i);
    analysis::LockJson(j, d.reports[k], 1000);
  }
  j.EndArray().EndObject();
  return j.Take();
}

}  // namespace tracelane::gui
