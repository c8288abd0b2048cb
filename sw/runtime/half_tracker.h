#pragma once
// Which half of a ping-pong buffer holds which item (an input block, a weight chunk, or their slices): the
// runtime places loads with it (sw/runtime/layer_run.h) and the tile planner's cost model counts the loads
// with it (sw/runtime/plan_cost.h), so both count the same.
#include <cstddef>
#include <vector>

namespace minconv::sw {

class HalfTracker {
 public:
  // The half tile i reads for `item`; `load` says whether the item must be loaded into it. A half that
  // already holds the item is reused; otherwise the half that tile i - 1 does not read is filled.
  int place(std::size_t i, int item, bool& load) {
    if (half_of_.size() <= i) half_of_.resize(i + 1, 0);
    for (int h = 0; h < 2; ++h) {
      if (holds_[h] == item) {
        half_of_[i] = h;
        load = false;
        return h;
      }
    }
    const int h = i == 0 ? 0 : 1 - half_of_[i - 1];  // tile i - 1 is running while tile i's data loads
    holds_[h] = item;
    half_of_[i] = h;
    load = true;
    return h;
  }
  // The half already holds the item (loaded before this layer's first tile).
  void preload(int half, int item) { holds_[half] = item; }

 private:
  int holds_[2] = {-1, -1};
  std::vector<int> half_of_;
};

}  // namespace minconv::sw
