#include "platform/soc/golden_ahead.h"

namespace minconv::platform {

GoldenAhead::GoldenAhead(const golden::QuantModel& model, const std::vector<golden::TensorF>& images,
                         unsigned workers, std::size_t window)
    : model_(model), images_(images), window_(window < 1 ? 1 : window) {
  for (unsigned t = 0; t < workers; ++t) workers_.emplace_back([this] { work(); });
}

GoldenAhead::~GoldenAhead() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : workers_) t.join();
}

golden::Tensor8 GoldenAhead::input(std::size_t k) const {
  return golden::quantize_input(model_, images_.at(k));
}

GoldenAhead::Outputs GoldenAhead::compute(std::size_t k) const { return golden::run_int8(model_, input(k)); }

void GoldenAhead::work() {
  for (;;) {
    std::size_t k = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || next_ >= images_.size() || next_ < taken_ + window_; });
      if (stop_ || next_ >= images_.size()) return;
      k = next_++;
    }
    Outputs im;
    std::exception_ptr error;
    try {
      im = compute(k);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (error) {
        failed_[k] = error;
      } else {
        ready_[k] = std::move(im);
      }
    }
    changed_.notify_all();
  }
}

GoldenAhead::Outputs GoldenAhead::take(std::size_t k) {
  if (workers_.empty()) return compute(k);
  std::unique_lock<std::mutex> lock(mutex_);
  taken_ = k;
  changed_.notify_all();  // the workers may run further ahead
  changed_.wait(lock, [&] { return ready_.count(k) != 0 || failed_.count(k) != 0; });
  taken_ = k + 1;
  if (const auto f = failed_.find(k); f != failed_.end()) std::rethrow_exception(f->second);
  Outputs im = std::move(ready_.at(k));
  ready_.erase(k);
  return im;
}

}  // namespace minconv::platform
