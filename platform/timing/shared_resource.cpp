#include "platform/timing/shared_resource.h"

#include <algorithm>

namespace minconv::platform::timing {

SharedResource::Slot SharedResource::reserve(const sc_core::sc_time& arrival, const sc_core::sc_time& latency,
                                             const sc_core::sc_time& occupancy) {
  const sc_core::sc_time ready = arrival + latency;
  Slot slot;
  slot.start = std::max(ready, free_from_);
  slot.end = slot.start + occupancy;
  wait_ += slot.start - ready;
  busy_ += occupancy;
  free_from_ = slot.end;
  return slot;
}

}  // namespace minconv::platform::timing
