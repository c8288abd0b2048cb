#pragma once
// One shared, pipelined resource of the loosely-timed model (the DRAM data bus, the interconnect's data
// bus): it serves one occupancy (a burst of data beats) at a time.
//
// The rule (docs/platform.md, "Contention"): a request that arrives at `arrival` with a pipeline latency
// `latency` is ready at `arrival + latency`; its occupancy is placed in the earliest free interval of the
// resource's calendar that starts at or after `ready` and is long enough:
//     start = the first time >= ready from which [start, start + occupancy) overlaps no reservation
// The latency is a pipeline latency: while one request waits out its latency, other requests' occupancies
// may use the resource. A lone request therefore takes `latency + occupancy`; requests issued back to back
// keep the resource busy 100% of the time. Because initiators are temporally decoupled, reservations are
// not made in time order (a CPU running ahead reserves the bus for its local time before a DMA burst that
// comes earlier in simulated time): the calendar lets the earlier request use the gap before the later
// reservation instead of queueing behind it, so the timing does not depend on the order in which the
// kernel happens to run same-time processes. Time spent waiting (`start - ready`) and occupancies are summed.
//
// Plain C++ on sc_time: no module, no process, never calls wait(). Reservations that ended before the
// current simulation time are forgotten (no initiator can arrive before it).
#include <map>
#include <systemc>

namespace minconv::platform::timing {

class SharedResource {
 public:
  struct Slot {
    sc_core::sc_time start;  // the occupancy begins (after the latency and any waiting)
    sc_core::sc_time end;    // the occupancy ends: the request's data is complete
  };

  // Reserves `occupancy` for a request arriving at the absolute time `arrival` (not before the current
  // simulation time) with pipeline latency `latency`, in the earliest gap that fits (see above).
  Slot reserve(const sc_core::sc_time& arrival, const sc_core::sc_time& latency,
               const sc_core::sc_time& occupancy);

  // The end of the latest reservation: from then on the resource is free.
  const sc_core::sc_time& free_from() const { return free_from_; }
  // Sum over all reservations of `start - (arrival + latency)`: time spent waiting for other requests.
  const sc_core::sc_time& wait_time() const { return wait_; }
  // Sum of all occupancies: the time the resource was busy (never more than the time that passed).
  const sc_core::sc_time& busy_time() const { return busy_; }

 private:
  std::map<sc_core::sc_time, sc_core::sc_time> booked_;  // start -> end, disjoint intervals
  sc_core::sc_time free_from_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time wait_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_ = sc_core::SC_ZERO_TIME;
};

}  // namespace minconv::platform::timing
