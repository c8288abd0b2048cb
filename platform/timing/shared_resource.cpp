#include "platform/timing/shared_resource.h"

#include <algorithm>

namespace minconv::platform::timing {

SharedResource::Slot SharedResource::reserve(const sc_core::sc_time& arrival, const sc_core::sc_time& latency,
                                             const sc_core::sc_time& occupancy) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (!booked_.empty() && booked_.begin()->second <= now) booked_.erase(booked_.begin());
  const sc_core::sc_time ready = arrival + latency;
  Slot slot;
  slot.start = ready;
  // The first booking that could overlap [ready, ...): the one before the first starting after ready.
  auto it = booked_.upper_bound(ready);
  if (it != booked_.begin()) --it;
  for (; it != booked_.end(); ++it) {
    if (it->second <= slot.start) continue;          // ends before the candidate start
    if (slot.start + occupancy <= it->first) break;  // fits the gap before this booking
    slot.start = it->second;                         // else try right after it
  }
  slot.end = slot.start + occupancy;
  if (occupancy > sc_core::SC_ZERO_TIME) booked_.emplace(slot.start, slot.end);
  wait_ += slot.start - ready;
  busy_ += occupancy;
  free_from_ = std::max(free_from_, slot.end);
  return slot;
}

}  // namespace minconv::platform::timing
