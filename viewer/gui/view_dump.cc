#include "viewer/gui/view_dump.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "viewer/analysis/report_json.h"
#include "viewer/lib/json_writer.h"

namespace tracelane::gui {
namespace {

std::optional<std::string> MmuJson(const PanelArea& area) {
  const auto it = area.mmu.jobs.find(area.mmu.thread);
  if (it == area.mmu.jobs.end() || !it->second->curve_ready()) return std::nullopt;
  JsonWriter j;
  analysis::MmuCurveJson(j, it->second->curve());
  return j.Take();
}

}  // namespace

absl::StatusOr<std::string> ActivePanelJson(const Document& doc, const PanelArea& area) {
  std::optional<std::string> json;
  switch (area.layout.tab) {
    case PanelTab::kThreads:
      json = ThreadsPanelJson(doc, area.threads);
      break;
    case PanelTab::kLocks:
      json = LocksPanelJson(area.locks);
      break;
    case PanelTab::kScopes:
      json = ScopesPanelJson(doc, area.scopes);
      break;
    case PanelTab::kMmu:
      json = MmuJson(area);
      break;
    case PanelTab::kExplain:
      json = ExplainPanelJson(area.explain);
      break;
    default:
      return absl::FailedPreconditionError(
          absl::StrCat("--dump-view-json: the ", PanelTabKey(area.layout.tab),
                       " view has no table to dump (threads, locks, scopes, mmu do)"));
  }
  if (!json) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--dump-view-json: the ", PanelTabKey(area.layout.tab), " panel is still computing"));
  }
  return *json;
}

}  // namespace tracelane::gui
