#include "viewer/gui/mmu_job.h"

#include <algorithm>
#include <utility>

namespace tracelane::gui {
namespace {

constexpr size_t kChunk = 16;  // curve windows per MmuCalculator::Curve call

}  // namespace

MmuJob::MmuJob(std::shared_ptr<const Document> doc, uint32_t thread) : thread_(thread) {
  worker_ = std::thread([this, d = std::move(doc)]() mutable { Run(std::move(d)); });
}

MmuJob::~MmuJob() {
  {
    absl::MutexLock lock(&mu_);  // wakes a worker waiting for a request
    cancel_.store(true, std::memory_order_relaxed);
  }
  if (worker_.joinable()) worker_.join();
}

const std::vector<analysis::MmuPoint>& MmuJob::curve() const {
  static const std::vector<analysis::MmuPoint> kEmpty;
  return curve_ready() ? curve_ : kEmpty;
}

float MmuJob::progress() const {
  return static_cast<float>(points_done_.load(std::memory_order_relaxed)) / kPoints;
}

const std::vector<analysis::WorstWindow>* MmuJob::Worst(size_t i) {
  absl::MutexLock lock(&mu_);
  if (i < worst_.size() && worst_[i] != nullptr) return worst_[i].get();
  wanted_ = static_cast<int>(i);
  return nullptr;
}

bool MmuJob::busy() const {
  if (!curve_ready()) return !done_.load(std::memory_order_acquire);
  absl::MutexLock lock(&mu_);
  return wanted_ >= 0 && static_cast<size_t>(wanted_) < worst_.size() && worst_[wanted_] == nullptr;
}

bool MmuJob::HasWork() const {
  return cancel_.load(std::memory_order_relaxed) ||
         (wanted_ >= 0 && static_cast<size_t>(wanted_) < worst_.size() &&
          worst_[wanted_] == nullptr);
}

void MmuJob::Run(std::shared_ptr<const Document> doc) {
  const analysis::Model& m = doc->model;
  analysis::Utilization u = thread_ == analysis::kNone || thread_ >= m.threads.size()
                                ? analysis::SystemUtilization(m)
                                : analysis::ThreadUtilization(m, thread_);
  doc.reset();  // the calculator keeps what it needs
  const analysis::MmuCalculator calc(std::move(u));
  const int64_t span = std::max<int64_t>(calc.utilization().duration_ns(), kMinWindowNs);
  const std::vector<int64_t> windows = analysis::LogSpacedWindows(kMinWindowNs, span, kPoints);
  std::vector<analysis::MmuPoint> curve;
  curve.reserve(windows.size());
  for (size_t i = 0; i < windows.size(); i += kChunk) {
    if (cancel_.load(std::memory_order_relaxed)) break;
    const std::vector<int64_t> chunk(
        windows.begin() + static_cast<std::ptrdiff_t>(i),
        windows.begin() + static_cast<std::ptrdiff_t>(std::min(i + kChunk, windows.size())));
    for (const analysis::MmuPoint& p : calc.Curve(chunk)) curve.push_back(p);
    points_done_.store(static_cast<int>(curve.size() * kPoints / windows.size()),
                       std::memory_order_relaxed);
  }
  if (cancel_.load(std::memory_order_relaxed)) {
    done_.store(true, std::memory_order_release);
    return;
  }
  curve_ = std::move(curve);
  {
    absl::MutexLock lock(&mu_);
    worst_.resize(curve_.size());
  }
  curve_ready_.store(true, std::memory_order_release);
  // Worst windows, on demand: the UI asks for the width it shows.
  for (;;) {
    size_t next = 0;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &MmuJob::HasWork));
      if (cancel_.load(std::memory_order_relaxed)) break;
      next = static_cast<size_t>(wanted_);
    }
    auto list = std::make_unique<std::vector<analysis::WorstWindow>>(
        calc.Worst(curve_[next].window_ns, kWorst));
    absl::MutexLock lock(&mu_);
    worst_[next] = std::move(list);
  }
  done_.store(true, std::memory_order_release);
}

}  // namespace tracelane::gui
