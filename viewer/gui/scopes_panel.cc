#include "viewer/gui/scopes_panel.h"

#include <imgui.h>

#include <algorithm>
#include <numeric>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/report_json.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/gui/scope_histogram.h"
#include "viewer/gui/timeline_input.h"
#include "viewer/lib/json_writer.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::ScopeInstance;
using analysis::ScopeStats;
using StatsList = std::vector<ScopeStats>;

enum Column : int {
  kName = 0,
  kCount,
  kTotal,
  kMean,
  kP50,
  kP90,
  kP99,
  kP999,
  kMax,
  kCut,
  kColumns
};

constexpr size_t kBucketListMax = 200;

int64_t SortKey(const ScopeStats& s, int column) {
  switch (column) {
    case kCount:
      return static_cast<int64_t>(s.count);
    case kTotal:
      return s.total_ns;
    case kMean:
      return s.mean_ns;
    case kP50:
      return s.p50_ns;
    case kP90:
      return s.p90_ns;
    case kP99:
      return s.p99_ns;
    case kP999:
      return s.p999_ns;
    case kMax:
      return s.max_ns;
    case kCut:
      return static_cast<int64_t>(s.cut);
    default:
      return 0;
  }
}

analysis::ScopeStatsOptions Options(const JobControl& c) {
  analysis::ScopeStatsOptions o;
  o.slowest = kScopesSlowest;
  o.buckets_per_octave = kScopesBucketsPerOctave;
  o.progress = [&c](double f) { c.Progress(f); };
  o.cancelled = [&c] { return c.cancelled(); };
  return o;
}

void UpdateOrder(const StatsList& d, ScopesPanelState& s) {
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
      s.order.size() == d.size()) {
    return;
  }
  s.order.resize(d.size());
  std::iota(s.order.begin(), s.order.end(), 0u);
  std::stable_sort(s.order.begin(), s.order.end(), [&](uint32_t a, uint32_t b) {
    if (column == kName) {
      if (d[a].name != d[b].name) return ascending ? d[a].name < d[b].name : d[a].name > d[b].name;
      return a < b;
    }
    const int64_t x = SortKey(d[a], column), y = SortKey(d[b], column);
    if (x != y) return ascending ? x < y : x > y;
    return a < b;
  });
  s.order_src = &d;
  s.sort_column = column;
  s.sort_ascending = ascending;
}

void DurationCell(int64_t ns, bool show) {
  if (show) ImGui::TextUnformatted(FormatSpan(ns).c_str());
}

// The statistics table. Returns the location clicked, or kNone.
uint32_t Table(const StatsList& d, ScopesPanelState& s, float width) {
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_Hideable | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("scopes", kColumns, flags,
                         ImVec2(width, ImGui::GetContentRegionAvail().y))) {
    return analysis::kNone;
  }
  const ImGuiTableColumnFlags num =
      ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("scope", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_NoHide,
                          150);
  ImGui::TableSetupColumn("count", num, 60);
  ImGui::TableSetupColumn("total", num | ImGuiTableColumnFlags_DefaultSort, 70);
  const char* names[] = {"mean", "p50", "p90", "p99", "p99.9", "max"};
  for (const char* n : names) ImGui::TableSetupColumn(n, num, 64);
  ImGui::TableSetupColumn("cut", num, 40);
  ImGui::TableHeadersRow();
  UpdateOrder(d, s);
  uint32_t clicked = analysis::kNone;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(s.order.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ScopeStats& x = d[s.order[i]];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(kName);
      ImGui::PushID(i);
      if (ImGui::Selectable(
              x.name.c_str(), x.location == s.location,
              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        clicked = x.location;
      }
      ImGui::PopID();
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("%s\n%s:%u", x.function.c_str(), x.file.c_str(), x.line);
      }
      const bool any = x.count > 0;
      if (ImGui::TableSetColumnIndex(kCount)) {
        ImGui::Text("%llu", static_cast<unsigned long long>(x.count));
      }
      if (ImGui::TableSetColumnIndex(kTotal)) DurationCell(x.total_ns, any);
      if (ImGui::TableSetColumnIndex(kMean)) DurationCell(x.mean_ns, any);
      if (ImGui::TableSetColumnIndex(kP50)) DurationCell(x.p50_ns, any);
      if (ImGui::TableSetColumnIndex(kP90)) DurationCell(x.p90_ns, any);
      if (ImGui::TableSetColumnIndex(kP99)) DurationCell(x.p99_ns, any);
      if (ImGui::TableSetColumnIndex(kP999)) DurationCell(x.p999_ns, any);
      if (ImGui::TableSetColumnIndex(kMax)) DurationCell(x.max_ns, any);
      if (ImGui::TableSetColumnIndex(kCut) && x.cut != 0) {
        ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%llu",
                           static_cast<unsigned long long>(x.cut));
        if (ImGui::IsItemHovered()) {
          ImGui::SetTooltip("%s", analysis::CutNote(x.cut, x.cut_by_loss).c_str());
        }
      }
    }
  }
  ImGui::EndTable();
  return clicked;
}

// A list of instances; returns the one clicked.
const ScopeInstance* Instances(const Document& doc, const TimelineState& timeline,
                               const std::vector<ScopeInstance>& list, const char* id) {
  const analysis::Model& m = doc.model;
  const ScopeInstance* clicked = nullptr;
  if (!ImGui::BeginTable(
          id, 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit,
          ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    return nullptr;
  }
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 30);
  ImGui::TableSetupColumn("duration", ImGuiTableColumnFlags_WidthFixed, 80);
  ImGui::TableSetupColumn("at", ImGuiTableColumnFlags_WidthFixed, 100);
  ImGui::TableSetupColumn("thread", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(list.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ScopeInstance& x = list[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(i);
      const std::string rank = absl::StrCat(i + 1);
      const bool selected =
          timeline.selected_thread == x.ref.thread && timeline.selected_scope == x.ref.index;
      if (ImGui::Selectable(
              rank.c_str(), selected,
              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        clicked = &x;
      }
      ImGui::PopID();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("zoom the timeline to it and explain it");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatSpan(x.duration_ns).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(FormatOffset(x.begin_ns, m.start_ns).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(m.ThreadLabel(x.ref.thread).c_str());
    }
  }
  ImGui::EndTable();
  return clicked;
}

// The right side: histogram, then the bucket's or the slowest instances.
const ScopeInstance* Detail(const std::shared_ptr<const Document>& doc,
                            const TimelineState& timeline, ScopesPanelState& s, const ScopeStats& x,
                            const std::optional<RangeKey>& range) {
  ImGui::Checkbox("log counts", &s.log_counts);
  ImGui::SameLine(0, 12);
  ImGui::Text("%s", x.name.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("%llu instances  p50 %s  p99 %s  max %s",
                      static_cast<unsigned long long>(x.count), FormatSpan(x.p50_ns).c_str(),
                      FormatSpan(x.p99_ns).c_str(), FormatSpan(x.max_ns).c_str());
  if (x.cut != 0) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%llu cut, not ranked",
                       static_cast<unsigned long long>(x.cut));
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("%s", analysis::CutNote(x.cut, x.cut_by_loss).c_str());
    }
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float plot_h = std::max(90.0f, avail.y * 0.55f);
  const int clicked = DrawScopeHistogram(x, ImVec2(avail.x, plot_h), s.bucket, s.log_counts);
  if (clicked >= 0) s.bucket = clicked == s.bucket ? -1 : clicked;
  if (s.bucket >= static_cast<int>(x.histogram.size())) s.bucket = -1;
  if (s.bucket < 0) {
    ImGui::TextDisabled("slowest instances (click a bucket for its instances)");
    return Instances(*doc, timeline, x.slowest, "slowest");
  }
  const analysis::HistogramBucket b = x.histogram[s.bucket];
  auto key = std::make_tuple(x.location, b.lo_ns, b.hi_ns, range);
  if (!s.bucket_job || s.bucket_key != key) {
    s.bucket_key = key;
    s.bucket_job = std::make_unique<BackgroundJob<BucketList>>([doc, loc = x.location, b,
                                                                range](const JobControl&) {
      BucketList l;
      l.instances = range ? analysis::InstancesInBucket(doc->model, loc, b.lo_ns, b.hi_ns,
                                                        kBucketListMax, &l.total, range->from_ns,
                                                        range->to_ns, range->threads)
                          : analysis::InstancesInBucket(doc->model, loc, b.lo_ns, b.hi_ns,
                                                        kBucketListMax, &l.total);
      return l;
    });
  }
  if (!s.bucket_job->ready()) {
    s.waiting = true;
    ImGui::TextDisabled("listing the bucket's instances...");
    return nullptr;
  }
  const BucketList& l = s.bucket_job->result();
  ImGui::TextDisabled("%s .. %s: %llu instances%s (click the bucket again for the slowest)",
                      FormatSpan(b.lo_ns).c_str(), FormatSpan(b.hi_ns).c_str(),
                      static_cast<unsigned long long>(l.total),
                      l.total > l.instances.size() ? ", the slowest listed" : "");
  return Instances(*doc, timeline, l.instances, "bucket");
}

// Follows the timeline: a newly selected scope instance selects its location.
void FollowTimeline(const Document& doc, const TimelineState& timeline, ScopesPanelState& s) {
  if (timeline.selected_thread == s.seen_thread && timeline.selected_scope == s.seen_scope) return;
  s.seen_thread = timeline.selected_thread;
  s.seen_scope = timeline.selected_scope;
  if (s.seen_thread >= doc.model.threads.size()) return;
  const analysis::ThreadModel& t = doc.model.threads[s.seen_thread];
  if (s.seen_scope >= t.scopes.size()) return;
  const uint32_t loc = t.scopes[s.seen_scope].location;
  if (loc != s.location) s.bucket = -1;
  s.location = loc;
}

}  // namespace

bool DrawScopesPanel(const std::shared_ptr<const Document>& doc, TimelineState& timeline,
                     ScopesPanelState& s) {
  if (s.doc != doc.get()) {
    s.full.reset();
    s.ranged.reset();
    s.bucket_job.reset();
    s.doc = doc.get();
    s.location = analysis::kNone;
    s.bucket = -1;
    s.order_src = nullptr;
    s.seen_thread = s.seen_scope = analysis::kNone;
  }
  s.waiting = false;
  FollowTimeline(*doc, timeline, s);
  if (!s.full) {
    s.full = std::make_unique<BackgroundJob<StatsList>>(
        [doc](const JobControl& c) { return analysis::ComputeScopeStats(doc->model, Options(c)); });
  }
  const std::optional<RangeKey> range = DrawRangeToggle(*doc, timeline, &s.limit_to_range);
  if (range && (!s.ranged || s.ranged_key != range)) {
    s.ranged_key = range;
    s.ranged = std::make_unique<BackgroundJob<StatsList>>([doc, key = *range](const JobControl& c) {
      return analysis::ComputeScopeStatsIn(doc->model, key.from_ns, key.to_ns, key.threads,
                                           Options(c));
    });
  }
  s.showing_range = range.has_value();
  BackgroundJob<StatsList>& job = range ? *s.ranged : *s.full;
  if (!job.ready()) {
    s.waiting = true;
    DrawComputing(range ? "scope statistics in the range" : "scope statistics", job.progress());
    return false;
  }
  const StatsList& d = job.result();
  ImGui::SameLine(0, 16);
  ImGui::TextDisabled("%zu scopes%s. Click a bucket for its instances, an instance to explain it.",
                      d.size(), range ? " overlapping the range" : "");
  if (d.empty()) {
    ImGui::TextDisabled(range ? "No scopes in this range." : "No scopes in this trace.");
    return false;
  }
  const ScopeStats* sel = nullptr;
  for (const ScopeStats& x : d) {
    if (x.location == s.location) sel = &x;
  }
  if (sel == nullptr) {
    sel = &d[0];  // the most total time
    s.location = sel->location;
    s.bucket = -1;
  }
  const float table_w = std::max(360.0f, ImGui::GetContentRegionAvail().x * 0.5f);
  const uint32_t clicked = Table(d, s, table_w);
  if (clicked != analysis::kNone && clicked != s.location) {
    s.location = clicked;
    s.bucket = -1;
    for (const ScopeStats& x : d) {
      if (x.location == clicked) sel = &x;
    }
  }
  ImGui::SameLine(0, 10);
  ImGui::BeginChild("scope_detail", ImVec2(0, 0), false);
  const ScopeInstance* inst = Detail(doc, timeline, s, *sel, range);
  bool explain = false;
  if (inst != nullptr) {
    const ScopeInstance x = *inst;
    JumpToScope(*doc, timeline, x.ref.thread, x.ref.index, ImGui::GetTime());
    s.seen_thread = x.ref.thread;
    s.seen_scope = x.ref.index;
    explain = true;
  }
  ImGui::EndChild();
  return explain;
}

std::optional<std::string> ScopesPanelJson(const Document& doc, const ScopesPanelState& s) {
  const BackgroundJob<StatsList>* job = s.showing_range ? s.ranged.get() : s.full.get();
  if (job == nullptr || !job->ready()) return std::nullopt;
  const StatsList& d = job->result();
  const bool ordered = s.order_src == &d && s.order.size() == d.size();
  JsonWriter j;
  j.BeginObject().Key("scopes").BeginArray();
  for (size_t i = 0; i < d.size(); ++i) {
    analysis::ScopeJson(j, doc.model, d[ordered ? s.order[i] : i], /*histogram=*/true);
  }
  j.EndArray().EndObject();
  return j.Take();
}

}  // namespace tracelane::gui
