#include "viewer/gui/options.h"

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "viewer/lib/units.h"

namespace tracelane::gui {

std::optional<PanelTab> ViewTab(const std::string& view) {
  if (view == "timeline") return PanelTab::kSelection;
  if (view == "selection") return std::nullopt;  // not a --view name
  return PanelTabFromKey(view);
}

const char* ViewerUsage() {
  return R"(usage: tracelane-viewer [FILE] [options]

Opens a .tlt trace in the timeline window (or File > Open, or drop a file on it).

options:
  --salvage                 decode the intact parts of a damaged file
  --size WxH                window size (default 1600x1000)
  --range START:END         show this range; offsets from the capture start
                            ("1.5s:1.6s", "0:10ms")
  --select-scope NAME       select the slowest instance of scope NAME and show it
  --rank K                  with --select-scope: the K-th slowest (default 1)
headless (tests, docs, scripts; needs a display, e.g. xvfb-run):
  --screenshot OUT.png      render the view, write the PNG, exit 0 (bad file:
                            the error view is written and the exit code is 1)
  --view VIEW               the timeline with this panel below it: timeline
                            (the selection panel), threads, mmu, locks, scopes,
                            explain, info (--select-scope picks the scope whose
                            histogram the scopes view shows and the instance
                            the explain view explains)
  --limit-to-range          with --range: the threads, locks and scopes panels
                            limited to the range (their toggle on)
  --dump-view-json FILE     write what the --view panel shows (threads, locks,
                            scopes, mmu) as the CLI's --json does, or (explain)
                            the lines the panel lays out, exit
  --sort-each-frame         with --frames: the panel's table re-sorts by the
                            next column every frame (benchmark)
  --frames N                render N frames panning and zooming through the view
  --frame-stats             with --frames: print one JSON object of frame timings
)";
}

namespace {

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("tracelane-viewer: ", what, " (see --help)"));
}

}  // namespace

absl::StatusOr<ViewerOptions> ParseViewerOptions(int argc, char** argv) {
  ViewerOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> absl::StatusOr<std::string> {
      if (i + 1 >= argc) return Bad(absl::StrCat(flag, " needs a value"));
      return std::string(argv[++i]);
    };
    if (a == "--salvage") {
      o.salvage = true;
    } else if (a == "--frame-stats") {
      o.frame_stats = true;
    } else if (a == "--limit-to-range") {
      o.limit_to_range = true;
    } else if (a == "--sort-each-frame") {
      o.sort_each_frame = true;
    } else if (a == "--dump-view-json") {
      absl::StatusOr<std::string> v = value("--dump-view-json");
      if (!v.ok()) return v.status();
      o.dump_view_json = *v;
    } else if (a == "--size") {
      absl::StatusOr<std::string> v = value("--size");
      if (!v.ok()) return v.status();
      std::vector<std::string> wh = absl::StrSplit(*v, 'x');
      if (wh.size() != 2 || !absl::SimpleAtoi(wh[0], &o.width) ||
          !absl::SimpleAtoi(wh[1], &o.height) || o.width < 320 || o.height < 200 ||
          o.width > 8192 || o.height > 8192) {
        return Bad(absl::StrCat("--size wants WxH between 320x200 and 8192x8192, got '", *v, "'"));
      }
    } else if (a == "--range") {
      absl::StatusOr<std::string> v = value("--range");
      if (!v.ok()) return v.status();
      std::vector<std::string> se = absl::StrSplit(*v, ':');
      if (se.size() != 2) return Bad(absl::StrCat("--range wants START:END, got '", *v, "'"));
      absl::StatusOr<int64_t> s = ParseDuration(se[0]);
      absl::StatusOr<int64_t> e = ParseDuration(se[1]);
      if (!s.ok() || !e.ok() || *e <= *s) {
        return Bad(absl::StrCat("--range wants START:END with START < END (\"1.5s:1.6s\"), got '",
                                *v, "'"));
      }
      o.range = std::make_pair(*s, *e);
    } else if (a == "--screenshot" || a == "--view" || a == "--select-scope") {
      absl::StatusOr<std::string> v = value(a.c_str());
      if (!v.ok()) return v.status();
      (a == "--screenshot" ? o.screenshot : a == "--view" ? o.view : o.select_scope) = *v;
    } else if (a == "--rank" || a == "--frames") {
      absl::StatusOr<std::string> v = value(a.c_str());
      if (!v.ok()) return v.status();
      int n = 0;
      if (!absl::SimpleAtoi(*v, &n) || n < 1 || n > 1000000) {
        return Bad(absl::StrCat(a, " wants a positive integer, got '", *v, "'"));
      }
      (a == "--rank" ? o.rank : o.frames) = n;
    } else if (a == "--help" || a == "-h") {
      return absl::CancelledError(ViewerUsage());
    } else if (!a.empty() && a[0] == '-') {
      return Bad(absl::StrCat("unknown option ", a));
    } else if (o.file.empty()) {
      o.file = a;
    } else {
      return Bad(absl::StrCat("more than one file given: ", o.file, " and ", a));
    }
  }
  if (!o.view.empty() && !ViewTab(o.view)) {
    return Bad(absl::StrCat("unknown --view '", o.view,
                            "': one of timeline, threads, mmu, locks, scopes, explain, info"));
  }
  if (o.frame_stats && o.frames == 0) return Bad("--frame-stats needs --frames N");
  if (o.limit_to_range && !o.range) return Bad("--limit-to-range needs --range START:END");
  if (o.sort_each_frame && o.frames == 0) return Bad("--sort-each-frame needs --frames N");
  if (o.headless() && o.file.empty()) return Bad("headless modes need a FILE");
  return o;
}

}  // namespace tracelane::gui
