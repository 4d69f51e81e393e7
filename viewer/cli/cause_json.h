// The JSON and text shapes of explained causes shared by `explain`, `why` and
// `summary` (docs/ANALYSIS.md, section 8: *cause*, *hop*, *root*).
#ifndef TRACELANE_VIEWER_CLI_CAUSE_JSON_H_
#define TRACELANE_VIEWER_CLI_CAUSE_JSON_H_

#include <cstdint>
#include <string>

#include "viewer/analysis/explain.h"
#include "viewer/analysis/model.h"
#include "viewer/analysis/why.h"
#include "viewer/lib/json_writer.h"

namespace tracelane::cli {

// "root", "cycle", "depth_limit", "unknown_holder", "handoff".
const char* BlameEndKey(analysis::BlameEnd e);

// JSON object of one cause (fraction of `wall`), with its chain and root.
void CauseJson(JsonWriter& j, const analysis::Model& m, const analysis::Cause& c, int64_t wall);

// JSON object of a `why` report (see docs/ANALYSIS.md, `tracelane why`).
void WhyJson(JsonWriter& j, const analysis::Model& m, const analysis::WhyReport& r,
             const std::string& threshold_label);

// The text lines of a `why` report: a header and up to `top` causes with their
// share, count and example instances (two-space indented).
std::string WhyText(const analysis::Model& m, const analysis::WhyReport& r,
                    const std::string& threshold_label, size_t top);

}  // namespace tracelane::cli

#endif  // TRACELANE_VIEWER_CLI_CAUSE_JSON_H_
