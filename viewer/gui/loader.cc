#include "viewer/gui/loader.h"

namespace tracelane::gui {

Loader::~Loader() {
  Cancel();
  Join();
}

void Loader::Join() {
  if (worker_.joinable()) worker_.join();
}

void Loader::Start(const std::string& path, bool salvage) {
  Cancel();
  Join();
  path_ = path;
  salvage_ = salvage;
  progress_ = std::make_unique<LoadProgress>();
  {
    absl::MutexLock lock(&mu_);
    running_ = true;
    result_.reset();
  }
  LoadProgress* progress = progress_.get();
  worker_ = std::thread([this, path, salvage, progress] {
    absl::StatusOr<std::unique_ptr<Document>> doc = LoadDocument(path, salvage, progress);
    absl::MutexLock lock(&mu_);
    result_ = std::move(doc);
    running_ = false;
  });
}

void Loader::Cancel() {
  if (progress_) progress_->cancel.store(true);
}

bool Loader::busy() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

float Loader::fraction() const {
  if (!progress_) return 0;
  if (progress_->indexing.load()) return 1;
  const uint64_t total = progress_->total.load();
  return total == 0 ? 0 : static_cast<float>(progress_->done.load()) / static_cast<float>(total);
}

std::optional<absl::StatusOr<std::unique_ptr<Document>>> Loader::TakeResult() {
  std::optional<absl::StatusOr<std::unique_ptr<Document>>> out;
  {
    absl::MutexLock lock(&mu_);
    if (running_ || !result_.has_value()) return std::nullopt;
    out = std::move(result_);
    result_.reset();
  }
  Join();
  return out;
}

void Loader::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](bool* running) { return !*running; }, &running_));
}

}  // namespace tracelane::gui
