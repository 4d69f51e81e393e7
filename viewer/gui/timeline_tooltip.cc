#include "viewer/gui/timeline_tooltip.h"

#include <imgui.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "viewer/analysis/explain.h"
#include "viewer/analysis/thread_states.h"
#include "viewer/gui/colors.h"
#include "viewer/gui/cut_scope_text.h"
#include "viewer/gui/layout/ruler.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {
namespace {

using analysis::ThreadState;

std::string At(const Document& doc, int64_t ns) { return FormatOffset(ns, doc.model.start_ns); }

void Swatch(uint32_t color) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  dl->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), color);
  ImGui::Dummy(ImVec2(h - 2, h));
  ImGui::SameLine();
}

// "running 80.1%  lock wait 15.2%  ..." for the states with time, largest first.
void StateBreakdown(const analysis::StateDurations& d) {
  const int64_t total = analysis::Sum(d);
  std::vector<std::pair<int64_t, int>> order;
  for (int i = 0; i < analysis::kNumStates; ++i) {
    if (d[i] > 0) order.emplace_back(d[i], i);
  }
  std::sort(order.rbegin(), order.rend());
  for (const auto& [ns, i] : order) {
    const auto st = static_cast<ThreadState>(i);
    Swatch(StateColor(st));
    ImGui::Text("%-13s %10s  %s", analysis::StateLabel(st), FormatDuration(ns).c_str(),
                FormatPercent(ns, total).c_str());
  }
}

void StateTooltip(const Document& doc, const HoverInfo& h) {
  const analysis::ThreadModel& t = doc.model.threads[h.thread];
  ImGui::TextUnformatted(doc.model.ThreadLabel(h.thread).c_str());
  if (h.item.count > 1) {
    const size_t first = h.item.first, last = first + h.item.count;
    const int64_t from = t.states[first].start_ns, to = t.StateEnd(last - 1);
    ImGui::Text("%u state changes merged at this zoom: %s from %s", h.item.count,
                FormatDuration(to - from).c_str(), At(doc, from).c_str());
    ImGui::Separator();
    StateBreakdown(doc.state_index[h.thread].Between(t, first, last));
    ImGui::TextDisabled("zoom in (wheel, W) to see each span");
    return;
  }
  const analysis::StateSpan& span = t.states[h.item.first];
  const int64_t end = t.StateEnd(h.item.first);
  Swatch(StateColor(span.state));
  ImGui::Text("%s  %s", analysis::StateLabel(span.state),
              FormatDuration(end - span.start_ns).c_str());
  ImGui::Text("from %s to %s", At(doc, span.start_ns).c_str(), At(doc, end).c_str());
  if (span.state != ThreadState::kRunning) {
    const analysis::Cause c = analysis::CauseAt(doc.model, h.thread, span.state, span.start_ns);
    const std::string why = analysis::DescribeCause(doc.model, c);
    if (!why.empty()) ImGui::TextWrapped("%s", why.c_str());
  }
}

void ScopeTooltip(const Document& doc, const HoverInfo& h) {
  const analysis::ThreadModel& t = doc.model.threads[h.thread];
  const PodVector<uint32_t>& at_depth = t.scopes_by_depth[h.depth];
  ImGui::TextUnformatted(doc.model.ThreadLabel(h.thread).c_str());
  if (h.item.count > 1) {
    const analysis::Scope& a = t.scopes[at_depth[h.item.first]];
    const analysis::Scope& b = t.scopes[at_depth[h.item.first + h.item.count - 1]];
    ImGui::Text("%u scopes at depth %zu merged at this zoom", h.item.count, h.depth);
    ImGui::Text("from %s to %s", At(doc, a.begin_ns).c_str(), At(doc, b.end_ns).c_str());
    ImGui::TextDisabled("zoom in (wheel, W) to see each scope");
    return;
  }
  const uint32_t index = at_depth[h.item.first];
  const analysis::Scope& sc = t.scopes[index];
  const std::string& name = doc.model.LocationName(sc.location);
  Swatch(ScopeColor(name));
  ImGui::Text("%s  %s", name.c_str(), FormatDuration(sc.end_ns - sc.begin_ns).c_str());
  if (sc.location < doc.model.info.locations.size()) {
    const reader::Location& loc = doc.model.info.locations[sc.location];
    ImGui::TextDisabled("%s  %s:%u", loc.function.c_str(), loc.file.c_str(), loc.line);
  }
  ImGui::Text("from %s to %s", At(doc, sc.begin_ns).c_str(), At(doc, sc.end_ns).c_str());
  if (t.IsCutByLoss(index)) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
    ImGui::TextColored(ImVec4(1, 0.65f, 0, 1), "%s",
                       CutScopeText(doc.model, h.thread, index).c_str());
    ImGui::PopTextWrapPos();
  } else if (t.IsCut(index)) {
    ImGui::TextColored(ImVec4(1, 0.3f, 0.3f, 1),
                       "cut by the capture window: the real duration is longer (a lower bound)");
  }
  ImGui::Separator();
  StateBreakdown(analysis::StatesIn(t, sc.begin_ns, sc.end_ns));
  ImGui::TextDisabled("click: select   . / , : next / previous instance");
}

// A gap of lost events on the state strip: what was lost, and that the state
// there is unknown.
void GapTooltip(const Document& doc, const HoverInfo& h) {
  const analysis::ThreadModel& t = doc.model.threads[h.thread];
  ImGui::TextUnformatted(doc.model.ThreadLabel(h.thread).c_str());
  const size_t first = h.item.first, last = std::min(first + h.item.count, t.gaps.size());
  uint64_t events = 0, chunks = 0;
  bool all_known = true;
  for (size_t i = first; i < last; ++i) {
    events += t.gaps[i].lost_events;
    chunks += t.gaps[i].lost_chunks;
    all_known = all_known && t.gaps[i].events_known;
  }
  const analysis::DataGap& a = t.gaps[first];
  const int64_t end = t.gaps[last - 1].end_ns;
  ImGui::TextColored(ImVec4(1, 0.65f, 0, 1), "data lost%s  %s",
                     h.item.count > 1 ? absl::StrCat(": ", h.item.count, " gaps").c_str() : "",
                     FormatDuration(end - a.start_ns).c_str());
  ImGui::Text("from %s to %s", At(doc, a.start_ns).c_str(), At(doc, end).c_str());
  const std::string what =
      all_known
          ? absl::StrCat(events, " events in ", chunks, chunks == 1 ? " chunk" : " chunks")
          : absl::StrCat(chunks, chunks == 1 ? " chunk" : " chunks", " (number of events unknown)");
  ImGui::Text("%s of this thread lost (buffer full or overwritten)", what.c_str());
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
  ImGui::TextWrapped(
      "The thread's state here is unknown. Scopes, waits and pauses open at the gap were cut at "
      "its start, and nothing is paired across it.");
  ImGui::PopTextWrapPos();
}

void PauseTooltip(const Document& doc, const HoverInfo& h) {
  const analysis::ThreadModel& t = doc.model.threads[h.thread];
  ImGui::TextUnformatted(doc.model.ThreadLabel(h.thread).c_str());
  if (h.item.count > 1) {
    ImGui::Text("%u pauses merged at this zoom", h.item.count);
    return;
  }
  const analysis::Pause& p = t.pauses[h.item.first];
  Swatch(StateColor(ThreadState::kPaused));
  ImGui::Text("pause: %s  %s", doc.model.LocationName(p.location).c_str(),
              FormatDuration(p.end_ns - p.start_ns).c_str());
  ImGui::Text("from %s to %s", At(doc, p.start_ns).c_str(), At(doc, p.end_ns).c_str());
  if (p.arg != 0) ImGui::Text("size %lld bytes", static_cast<long long>(p.arg));
}

void StwTooltip(const Document& doc, const HoverInfo& h) {
  if (h.item.count > 1) {
    ImGui::Text("%u stop-the-world pauses merged at this zoom", h.item.count);
    return;
  }
  const analysis::StwSpan& w = doc.model.stw[h.item.first];
  ImGui::Text("stop-the-world: %s  %s", doc.model.LocationName(w.location).c_str(),
              FormatDuration(w.end_ns - w.start_ns).c_str());
  ImGui::Text("from %s to %s", At(doc, w.start_ns).c_str(), At(doc, w.end_ns).c_str());
  ImGui::Text("every thread paused; stopped by %s", doc.model.ThreadLabel(w.thread).c_str());
}

}  // namespace

void ShowTooltip(const Document& doc, const TimelineState& s, const HoverInfo& h) {
  (void)s;
  ImGui::BeginTooltip();
  switch (h.kind) {
    case HoverKind::kNone:
      break;
    case HoverKind::kState:
      StateTooltip(doc, h);
      break;
    case HoverKind::kScope:
      ScopeTooltip(doc, h);
      break;
    case HoverKind::kGap:
      GapTooltip(doc, h);
      break;
    case HoverKind::kPause:
      PauseTooltip(doc, h);
      break;
    case HoverKind::kStw:
      StwTooltip(doc, h);
      break;
    case HoverKind::kInstant: {
      const analysis::Instant& i = doc.model.threads[h.thread].instants[h.item.first];
      ImGui::Text("instant: %s", doc.model.LocationName(i.location).c_str());
      ImGui::Text("at %s on %s", At(doc, i.ts_ns).c_str(), doc.model.ThreadLabel(h.thread).c_str());
      break;
    }
    case HoverKind::kCounter: {
      const analysis::CounterTrack& tr = doc.model.counters[h.thread];
      const analysis::CounterPoint& p = tr.points[h.item.first];
      ImGui::Text("%s = %g", doc.model.LocationName(tr.location).c_str(), p.value);
      ImGui::Text("since %s (set by %s)", At(doc, p.ts_ns).c_str(),
                  doc.model.ThreadLabel(p.thread).c_str());
      break;
    }
    case HoverKind::kLoss: {
      const analysis::ThreadModel& t = doc.model.threads[h.thread];
      ImGui::Text("%s lost events:", doc.model.ThreadLabel(h.thread).c_str());
      ImGui::Text("  %llu dropped (buffer full), %llu overwritten (flight recorder reuse)",
                  static_cast<unsigned long long>(t.dropped),
                  static_cast<unsigned long long>(t.overwritten));
      if (!t.gaps.empty()) {
        ImGui::Text("  in %zu gaps, drawn on the state strip as \"data lost\"", t.gaps.size());
      }
      ImGui::TextWrapped(
          "Spans open at a gap are cut there (orange edge); nothing is drawn that was not "
          "recorded.");
      break;
    }
  }
  ImGui::EndTooltip();
}

}  // namespace tracelane::gui
