#pragma once
// One shared, pipelined resource of the loosely-timed model (the DRAM data bus, the interconnect's data
// bus): it serves one occupancy (a burst of data beats) at a time, in the order reservations are made.
//
// The rule (docs/platform.md, "Contention"): a request that arrives at `arrival` with a pipeline latency
// `latency` is ready at `arrival + latency`; its occupancy starts at
//     start = max(arrival + latency, free_from)
// and ends at `end = start + occupancy`, which becomes the new free_from. The latency is a pipeline
// latency: while one request waits out its latency, other requests' occupancies may use the resource. A
// lone request therefore takes `latency + occupancy`; requests issued back to back keep the resource busy
// 100% of the time. Time spent waiting for the resource (`start - ready`) and the occupancies are summed.
//
// Plain C++ on sc_time: no module, no process, never calls wait().
#include <systemc>

namespace minconv::platform::timing {

class SharedResource {
 public:
  struct Slot {
    sc_core::sc_time start;  // the occupancy begins (after the latency and any waiting)
    sc_core::sc_time end;    // the occupancy ends: the request's data is complete
  };

  // Reserves `occupancy` for a request arriving at the absolute time `arrival` with pipeline latency
  // `latency`. Reservations are served in call order (first come, first served), so initiators should
  // make them in non-decreasing arrival order; one that arrives earlier than the current free_from simply
  // waits.
  Slot reserve(const sc_core::sc_time& arrival, const sc_core::sc_time& latency,
               const sc_core::sc_time& occupancy);

  // The time from which the resource is free.
  const sc_core::sc_time& free_from() const { return free_from_; }
  // Sum over all reservations of `start - (arrival + latency)`: time spent waiting for other requests.
  const sc_core::sc_time& wait_time() const { return wait_; }
  // Sum of all occupancies: the time the resource was busy (never more than the time that passed).
  const sc_core::sc_time& busy_time() const { return busy_; }

 private:
  sc_core::sc_time free_from_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time wait_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
};

}  // namespace minconv::platform::timing
