#include "platform/dma/burst_window.h"

#include <algorithm>
#include <deque>

namespace minconv::platform {

namespace r = regs::dma;

namespace {
constexpr unsigned word(uint32_t offset) { return offset / 4; }
}  // namespace

// ---------------------------------------------------------------------------------------------------------
// BurstSequence

BurstSequence::BurstSequence(const DmaTransfer& t, unsigned burst_bytes) : t_(t), burst_bytes_(burst_bytes) {}

bool BurstSequence::next(DmaBurst& b) {
  const uint32_t row_bytes = t_[word(r::kRowBytes)];
  if (row_bytes == 0 || burst_bytes_ == 0 || row_ >= t_[word(r::kRows)] || plane_ >= t_[word(r::kPlanes)]) {
    return false;
  }
  const uint32_t src_row =
      t_[word(r::kSrc)] + plane_ * t_[word(r::kSrcPlaneStride)] + row_ * t_[word(r::kSrcRowStride)];
  const uint32_t dst_row =
      t_[word(r::kDst)] + plane_ * t_[word(r::kDstPlaneStride)] + row_ * t_[word(r::kDstRowStride)];
  b.src = src_row + offset_;
  b.dst = dst_row + offset_;
  b.bytes = std::min<uint32_t>(burst_bytes_, row_bytes - offset_);
  offset_ += b.bytes;
  if (offset_ >= row_bytes) {
    offset_ = 0;
    if (++row_ >= t_[word(r::kRows)]) {
      row_ = 0;
      ++plane_;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// BurstWindow

BurstWindow::BurstWindow(unsigned depth, unsigned burst_bytes, const sc_core::sc_time& setup)
    : depth_(std::max(depth, 1u)),
      burst_bytes_(burst_bytes),
      setup_(setup),
      buffers_(static_cast<std::size_t>(depth_) * burst_bytes) {}

BurstWindow::Result BurstWindow::run(BurstSequence& bursts, const sc_core::sc_time& start, const Issue& issue,
                                     const Written& written) {
  struct Pending {  // read issued, write not yet issued
    DmaBurst burst;
    unsigned slot;
    sc_core::sc_time data_at;  // the read's completion
  };
  std::vector<sc_core::sc_time> slot_free(depth_, start);  // completion of the slot's last write
  std::deque<Pending> pending;
  sc_core::sc_time last_read = start;
  sc_core::sc_time last_write = start;
  uint64_t reads = 0;
  Result result;
  result.end = start;
  DmaBurst next{};
  bool more = bursts.next(next);

  for (;;) {
    const bool can_read = more && pending.size() < depth_;
    const bool can_write = !pending.empty();
    if (!can_read && !can_write) break;
    const unsigned read_slot = static_cast<unsigned>(reads % depth_);
    const sc_core::sc_time read_at = can_read ? std::max(last_read, slot_free[read_slot]) + setup_ : start;
    const sc_core::sc_time write_at = can_write ? std::max(pending.front().data_at, last_write) : start;
    sc_core::sc_time done;
    if (can_write && (!can_read || write_at <= read_at)) {
      const Pending p = pending.front();
      pending.pop_front();
      const Access a{tlm::TLM_WRITE_COMMAND, p.burst.dst, &buffers_[std::size_t{p.slot} * burst_bytes_],
                     p.burst.bytes, write_at};
      const tlm::tlm_response_status status = issue(a, done);
      last_write = write_at;
      slot_free[p.slot] = done;
      result.end = std::max(result.end, done);
      if (status != tlm::TLM_OK_RESPONSE) {
        result.error_code = r::kErrWriteBus;
        result.error_address = p.burst.dst;
        break;  // nothing more is issued; reads already issued have completed by result.end
      }
      written(p.burst.bytes);
    } else {
      const Access a{tlm::TLM_READ_COMMAND, next.src, &buffers_[std::size_t{read_slot} * burst_bytes_],
                     next.bytes, read_at};
      const tlm::tlm_response_status status = issue(a, done);
      last_read = read_at;
      ++reads;
      result.end = std::max(result.end, done);
      if (status != tlm::TLM_OK_RESPONSE) {
        result.error_code = r::kErrReadBus;
        result.error_address = next.src;
        more = false;  // earlier bursts are still written; this one and later ones are not
        continue;
      }
      pending.push_back({next, read_slot, done});
      more = bursts.next(next);
    }
  }
  return result;
}

}  // namespace minconv::platform
