#include "sw/apps/dma_selftest.h"

#include <algorithm>
#include <sstream>

#include "sw/driver/dma_driver.h"
#include "sw/driver/irq.h"
#include "sw/hal/regs/dma_regs.h"

namespace minconv::sw {

bool DmaSelftestResult::passed() const {
  return !cases.empty() &&
         std::all_of(cases.begin(), cases.end(), [](const DmaSelftestCase& c) { return c.passed; });
}

namespace {

constexpr uint8_t kFill = 0xEE;  // destination background: gaps must keep it

// A pattern that differs for every byte address and run.
uint8_t pattern(uint32_t i, uint32_t seed) { return static_cast<uint8_t>((i * 2654435761u + seed) >> 13); }

class Selftest {
 public:
  Selftest(hal::Hal& hal, const hal::SocInfo& soc, DmaSelftestResult& result)
      : hal_(hal), soc_(soc), irq_(hal, soc), dma_(hal, soc, irq_), result_(result) {
    // Scratch: the upper half of DRAM: a source area, a destination area and the descriptors.
    scratch_ = soc.dram_base + soc.dram_size / 2;
    area_ = soc.dram_size / 8;
  }

  uint32_t src() const { return scratch_; }
  uint32_t dst() const { return scratch_ + area_; }
  uint32_t area() const { return area_; }

  void fill(uint32_t address, uint32_t bytes, uint32_t seed) {
    std::vector<uint8_t> data(bytes);
    for (uint32_t i = 0; i < bytes; ++i) data[i] = seed == 0 ? kFill : pattern(i, seed);
    hal_.write_block(address, data.data(), bytes);
  }

  // Expected destination of `job` over [dst, dst + span): copied bytes from the pattern, kFill elsewhere.
  bool check(const std::vector<DmaJob>& jobs, uint32_t span, uint32_t seed, std::string& detail) {
    std::vector<uint8_t> expect(span, kFill);
    for (const DmaJob& job : jobs)
      for (uint32_t p = 0; p < job.planes; ++p)
        for (uint32_t r = 0; r < job.rows; ++r)
          for (uint32_t b = 0; b < job.row_bytes; ++b) {
            const uint32_t s = p * job.src_plane_stride + r * job.src_row_stride + b + (job.src - src());
            const uint32_t d = p * job.dst_plane_stride + r * job.dst_row_stride + b + (job.dst - dst());
            expect[d] = pattern(s, seed);
          }
    std::vector<uint8_t> got(span);
    hal_.read_block(dst(), got.data(), span);
    const auto mismatch = std::mismatch(expect.begin(), expect.end(), got.begin());
    if (mismatch.first == expect.end()) return true;
    const auto at = mismatch.first - expect.begin();
    std::ostringstream msg;
    msg << "byte " << at << " of the destination is 0x" << std::hex << int(*mismatch.second)
        << ", expected 0x" << int(*mismatch.first);
    detail = msg.str();
    return false;
  }

  // Runs one job on channel 0 (or a descriptor list when `list` is not empty) and checks it.
  void run_case(const std::string& name, const DmaJob& job, uint32_t span, uint32_t seed,
                const std::vector<DmaJob>& list = {}) {
    DmaSelftestCase c;
    c.name = name;
    fill(src(), source_span(list.empty() ? std::vector<DmaJob>{job} : list), seed);
    fill(dst(), span, 0);
    const uint64_t t0 = hal_.cycles();
    if (list.empty()) {
      dma_.start(0, job);
    } else {
      dma_.write_descriptors(descriptors(), list);
      dma_.start_list(0, descriptors());
    }
    dma_.wait(0);
    c.cpu_cycles = hal_.cycles() - t0;
    c.seconds = static_cast<double>(c.cpu_cycles) / (soc_.cpu_clock_mhz * 1e6);
    const std::vector<DmaJob> jobs = list.empty() ? std::vector<DmaJob>{job} : list;
    for (const DmaJob& j : jobs) c.bytes += j.bytes();
    const uint32_t reported = dma_.bytes_done(0);
    c.passed = true;
    if (list.empty() && reported != c.bytes) {
      c.passed = false;
      c.detail =
          "bytes-done register says " + std::to_string(reported) + ", expected " + std::to_string(c.bytes);
    }
    c.passed = check(jobs, span, seed, c.detail) && c.passed;
    result_.cases.push_back(c);
  }

  // Two channels copying disjoint halves at the same time.
  void run_concurrent(uint32_t bytes) {
    DmaSelftestCase c;
    c.name = "2 channels, 1-D " + std::to_string(bytes / 1024) + " KiB each";
    if (dma_.channels() < 2) {
      c.passed = true;
      c.detail = "skipped: the DMA has one channel";
      result_.cases.push_back(c);
      return;
    }
    fill(src(), 2 * bytes, 7);
    fill(dst(), 2 * bytes, 0);
    const DmaJob a{src(), dst(), bytes};
    const DmaJob b{src() + bytes, dst() + bytes, bytes};
    const uint64_t t0 = hal_.cycles();
    dma_.start(0, a);
    dma_.start(1, b);
    dma_.wait(0);
    dma_.wait(1);
    c.cpu_cycles = hal_.cycles() - t0;
    c.seconds = static_cast<double>(c.cpu_cycles) / (soc_.cpu_clock_mhz * 1e6);
    c.bytes = 2ull * bytes;
    const DmaJob whole{src(), dst(), 2 * bytes};
    c.passed = check({whole}, 2 * bytes, 7, c.detail);
    result_.cases.push_back(c);
  }

  // A read from an unmapped address must end the job with a bus error that software sees.
  void run_error_case() {
    DmaSelftestCase c;
    c.name = "error: source outside DRAM";
    const uint32_t unmapped = soc_.dram_base + soc_.dram_size;  // one past DRAM
    try {
      dma_.start(0, DmaJob{unmapped, dst(), 256});
      dma_.wait(0);
      c.detail = "the job completed without an error";
    } catch (const DmaError& e) {
      c.passed = e.code == regs::dma::kErrReadBus && e.address >= unmapped && e.address < unmapped + 256;
      c.detail = e.what();
    }
    result_.cases.push_back(c);
  }

 private:
  uint32_t descriptors() const { return scratch_ + 2 * area_; }
  // Bytes of the source area the jobs read, from src().
  uint32_t source_span(const std::vector<DmaJob>& jobs) const {
    uint32_t span = 0;
    for (const DmaJob& j : jobs) {
      const uint32_t end = (j.src - src()) + (j.planes - 1) * j.src_plane_stride +
                           (j.rows - 1) * j.src_row_stride + j.row_bytes;
      span = std::max(span, end);
    }
    return span;
  }

  hal::Hal& hal_;
  hal::SocInfo soc_;
  IrqDispatcher irq_;
  DmaDriver dma_;
  DmaSelftestResult& result_;
  uint32_t scratch_ = 0;
  uint32_t area_ = 0;
};

}  // namespace

int dma_selftest(hal::Hal& hal, const hal::SocInfo& soc, const DmaSelftestOptions& options,
                 DmaSelftestResult& result) {
  Selftest t(hal, soc, result);
  const uint32_t bulk = std::min(options.bulk_bytes, t.area());
  t.run_case("1-D " + std::to_string(bulk / 1024) + " KiB", DmaJob{t.src(), t.dst(), bulk}, bulk, 1);
  // 2-D: 64 rows of 100 bytes, source rows 128 apart, destination rows 160 apart (60-byte gaps).
  DmaJob two_d{t.src(), t.dst(), 100, 64};
  two_d.src_row_stride = 128;
  two_d.dst_row_stride = 160;
  t.run_case("2-D 64x100 B, gaps", two_d, 64 * 160, 2);
  // 3-D: a 4-plane tile of 16 rows x 24 bytes out of a 4 x 32 x 40 tensor, into a padded layout.
  DmaJob three_d{t.src() + 3 * 40 + 5, t.dst() + 2 * 30 + 3, 24, 16, 4, 40, 30, 32 * 40, 20 * 30};
  t.run_case("3-D 4x16x24 B, gaps", three_d, 4 * 20 * 30, 3);
  // Descriptor list: three 2-D pieces placed side by side.
  std::vector<DmaJob> list;
  for (uint32_t i = 0; i < 3; ++i) {
    DmaJob j{t.src() + i * 4096, t.dst() + i * 2048, 200, 8};
    j.src_row_stride = 256;
    j.dst_row_stride = 224;
    list.push_back(j);
  }
  t.run_case("descriptor list of 3", DmaJob{}, 3 * 2048, 4, list);
  t.run_concurrent(bulk / 2);
  t.run_error_case();
  return result.passed() ? 0 : 1;
}

}  // namespace minconv::sw
