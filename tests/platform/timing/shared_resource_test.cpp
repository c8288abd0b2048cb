// Tests of the shared contention model. Expectations are worked out by hand from the rule
//   start = max(arrival + latency, free_from), end = start + occupancy, free_from = end.
#include "platform/timing/shared_resource.h"

#include <gtest/gtest.h>

namespace minconv::platform::timing {
namespace {

using sc_core::SC_NS;
using sc_core::sc_time;

sc_time ns(double v) { return sc_time(v, SC_NS); }

TEST(SharedResourceTest, StartsIdleAtTimeZero) {
  const SharedResource r;
  EXPECT_EQ(r.free_from(), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(r.wait_time(), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(r.busy_time(), sc_core::SC_ZERO_TIME);
}

TEST(SharedResourceTest, LoneRequestPaysItsWholeLatency) {
  SharedResource r;
  const SharedResource::Slot s = r.reserve(ns(100), ns(10), ns(8));
  EXPECT_EQ(s.start, ns(110));
  EXPECT_EQ(s.end, ns(118));
  EXPECT_EQ(r.free_from(), ns(118));
  EXPECT_EQ(r.wait_time(), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(r.busy_time(), ns(8));
}

TEST(SharedResourceTest, RequestsInFlightKeepTheResourceBusy) {
  // Three requests arrive together: their latencies overlap, their occupancies follow each other.
  SharedResource r;
  const SharedResource::Slot a = r.reserve(ns(0), ns(10), ns(8));
  const SharedResource::Slot b = r.reserve(ns(0), ns(10), ns(8));
  const SharedResource::Slot c = r.reserve(ns(0), ns(10), ns(8));
  EXPECT_EQ(a.start, ns(10));
  EXPECT_EQ(a.end, ns(18));
  EXPECT_EQ(b.start, ns(18));
  EXPECT_EQ(b.end, ns(26));
  EXPECT_EQ(c.start, ns(26));
  EXPECT_EQ(c.end, ns(34));
  EXPECT_EQ(r.wait_time(), ns(8 + 16));
  EXPECT_EQ(r.busy_time(), ns(24));  // busy from 10 to 34 without a gap
}

TEST(SharedResourceTest, LatencyOverlapsAnotherRequestsOccupancy) {
  SharedResource r;
  EXPECT_EQ(r.reserve(ns(0), ns(10), ns(20)).end, ns(30));  // occupies [10, 30)
  // Ready at 5 + 10 = 15, inside the first occupancy: waits 15 ns, not its latency again.
  const SharedResource::Slot second = r.reserve(ns(5), ns(10), ns(8));
  EXPECT_EQ(second.start, ns(30));
  EXPECT_EQ(second.end, ns(38));
  // Ready at 50, after the resource went idle at 38: no wait, the gap stays idle.
  const SharedResource::Slot third = r.reserve(ns(40), ns(10), ns(4));
  EXPECT_EQ(third.start, ns(50));
  EXPECT_EQ(third.end, ns(54));
  EXPECT_EQ(r.wait_time(), ns(15));
  EXPECT_EQ(r.busy_time(), ns(32));
  EXPECT_EQ(r.free_from(), ns(54));
}

TEST(SharedResourceTest, AnEarlierRequestReservedLaterUsesTheGapBeforeALaterOne) {
  // A CPU running ahead books [100, 110) first; a DMA burst that arrives at 50 is booked afterwards but
  // is earlier in simulated time: it is served at once, not queued behind the later booking.
  SharedResource r;
  EXPECT_EQ(r.reserve(ns(100), ns(0), ns(10)).start, ns(100));
  const SharedResource::Slot early = r.reserve(ns(50), ns(0), ns(10));
  EXPECT_EQ(early.start, ns(50));
  EXPECT_EQ(early.end, ns(60));
  EXPECT_EQ(r.wait_time(), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(r.free_from(), ns(110));
}

TEST(SharedResourceTest, ARequestThatDoesNotFitTheGapWaitsForTheEndOfTheBooking) {
  SharedResource r;
  r.reserve(ns(100), ns(0), ns(10));                               // [100, 110)
  r.reserve(ns(115), ns(0), ns(10));                               // [115, 125)
  const SharedResource::Slot s = r.reserve(ns(95), ns(0), ns(8));  // [95, 103) overlaps; [110, 118) too
  EXPECT_EQ(s.start, ns(125));
  EXPECT_EQ(s.end, ns(133));
  EXPECT_EQ(r.wait_time(), ns(30));
  EXPECT_EQ(r.busy_time(), ns(28));
}

TEST(SharedResourceTest, ZeroOccupancyTakesNoResourceTime) {
  SharedResource r;
  const SharedResource::Slot address_only = r.reserve(ns(0), ns(10), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(address_only.start, ns(10));
  EXPECT_EQ(address_only.end, ns(10));
  EXPECT_EQ(r.busy_time(), sc_core::SC_ZERO_TIME);
  // Nothing is booked: the next request (no latency) starts when it arrives.
  EXPECT_EQ(r.reserve(ns(0), ns(0), ns(5)).start, ns(0));
  EXPECT_EQ(r.free_from(), ns(10));
}

TEST(SharedResourceTest, NonIntegerPeriodsAddExactly) {
  // 800 MHz: 1.25 ns per cycle; 2 cycles after time 0 the request arrives, 10 cycles latency, 32 beats.
  SharedResource r;
  const SharedResource::Slot s = r.reserve(ns(2.5), ns(12.5), ns(40));
  EXPECT_EQ(s.start, ns(15));
  EXPECT_EQ(s.end, ns(55));
}

}  // namespace
}  // namespace minconv::platform::timing
