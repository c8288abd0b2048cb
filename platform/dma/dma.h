#pragma once
// Multi-channel DMA engine: moves 3-D strided blocks (planes x rows x row_bytes) between bus addresses, in
// bursts of at most `burst_bytes` that never cross a row. Register map: sw/hal/regs/dma_regs.h.
//
// Behaviour (what the driver can rely on):
// - Each channel has its own SC_THREAD; channels run concurrently and contend on the bus through the
//   annotated delays the targets return (a job ends when every access it issued has completed, in
//   simulated time; descriptor fetches wait for each delay they are given).
// - Per burst: `setup_cycles` DMA cycles of issue overhead, a read of the source into a local buffer, a
//   write of the buffer to the destination. Up to `outstanding` bursts are in flight per channel: reads
//   are issued ahead while earlier bursts are read or written (platform/dma/burst_window.h has the exact
//   rules; outstanding = 1 is the serial engine). The channel thread synchronises (wait) to each access's
//   issue time and calls b_transport with a zero delay, so accesses reach the shared bus and DRAM in time
//   order. Each payload starts as TLM_INCOMPLETE_RESPONSE; any response other than TLM_OK_RESPONSE stops
//   the job with an error code and kErrorAddr = the burst's address; the bursts before it are still
//   written, nothing from it on is. kBytesDone counts the bytes of successful writes.
// - Writing kCtrl with kCtrlStart: the transfer registers are copied into the job (later register writes
//   affect only the next job), kStatus becomes busy with done/error/error code, kBytesDone and kErrorAddr
//   cleared, and the job starts at the writer's local time when the write arrives (sc_time_stamp() + the
//   b_transport delay as received, before the CSR latency is added).
//   Start while busy: error kErrStartBusy is set and the running job continues (the write is otherwise
//   ignored except for kCtrlIrqEnable, which always takes effect).
// - Descriptor mode (kCtrlDescMode): kNext is the address of the first descriptor (kDescWords words, the
//   layout of kSrc..kNext, little endian). Each descriptor is fetched, validated and run; the chain ends at
//   next == 0. The channel's registers are not modified by descriptor fetches.
// - A zero row_bytes, rows or planes, or a misaligned descriptor address, is error kErrBadConfig.
// - kStatus done/error are write-1-to-clear; the channel's irq line is high while (done | error) and
//   kCtrlIrqEnable is set.
// - CSR accesses follow platform/regs/register_bank.h (error statuses, debug reads without side effects);
//   each access costs one DMA cycle.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm>

#include "platform/config/yaml_map.h"
#include "platform/dma/burst_window.h"
#include "platform/regs/register_bank.h"
#include "platform/stats/stats.h"
#include "platform/trace/trace_sink.h"
#include "sw/hal/regs/dma_regs.h"

namespace minconv::platform {

constexpr unsigned kMaxOutstanding = 64;

struct DmaParams {
  unsigned channels = 2;       // number of channels, 1..8
  unsigned burst_bytes = 256;  // max bytes per bus transaction, a power of two in 4..4096
  double clock_mhz = 500;      // DMA clock: CSR access latency and per-burst setup cost
  unsigned setup_cycles = 2;   // per-burst issue overhead in DMA cycles (per read issue)
  unsigned outstanding = 4;    // bursts in flight per channel, 1..kMaxOutstanding (1: serial)

  // Reads the keys above (all optional, defaults as above, range-checked). Does not call finish(): the
  // caller owns the map.
  static DmaParams from_yaml(const config::YamlMap& m);
  nlohmann::json to_json() const;
  // Empty if valid, else a description of the first invalid field.
  std::string validate() const;
};

class Dma : public sc_core::sc_module, public StatsSource {
 public:
  tlm_utils::simple_target_socket<Dma> csr_socket;     // registers, local offsets 0..csr_size(channels)-1
  tlm_utils::simple_initiator_socket<Dma> bus_socket;  // memory traffic
  sc_core::sc_vector<sc_core::sc_out<bool>> irq;       // one level-sensitive line per channel

  Dma(const sc_core::sc_module_name& name, const DmaParams& params);

  // Bytes of register space for `channels` channels.
  static constexpr uint32_t csr_size(unsigned channels) {
    return regs::dma::kChannelBase + channels * regs::dma::kChannelStride;
  }
  uint32_t csr_size() const { return csr_size(params_.channels); }
  const DmaParams& params() const { return params_; }

  // Trace (docs/trace.md): a track per channel ("dma chN") with each job as a slice (its bytes in args; with
  // --trace-detail folds, each descriptor of a list inside it) and a "dma" busy counter. nullptr: no trace.
  void set_trace(trace::TraceSink* sink);

  // StatsSource.
  std::string stats_name() const override { return name(); }
  TrafficStats traffic() const override;
  nlohmann::json stats_json() const override;

 private:
  using Transfer = DmaTransfer;  // the transfer registers kSrc..kNext, also the descriptor layout

  struct ChannelStats {
    uint64_t jobs = 0;         // jobs finished (done or error)
    uint64_t bytes = 0;        // bytes written
    uint64_t errors = 0;       // error events, including start while busy
    uint64_t descriptors = 0;  // descriptors fetched
  };

  struct Channel {
    Transfer regs{};  // as written by software
    uint32_t ctrl = 0;
    uint32_t status = 0;
    uint32_t bytes_done = 0;
    uint32_t error_addr = 0;
    Transfer job{};  // snapshot taken at start
    bool desc_mode = false;
    bool pending = false;  // a start was accepted and the thread has not picked it up yet
    sc_core::sc_event start_event;
    ChannelStats stats;
  };

  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) { bank_.b_transport(t, d); }
  unsigned transport_dbg(tlm::tlm_generic_payload& t) { return bank_.transport_dbg(t); }
  // The register at a CSR offset (the global table, then one channel table per channel), or nullptr.
  const regs::Register* find_reg(uint32_t offset) const;
  // Register behaviour (the bank has checked the access).
  uint32_t read_reg(const RegAccess& access) const;
  void write_reg(const RegAccess& access, uint32_t value);
  void write_ctrl(unsigned c, uint32_t value, const sc_core::sc_time& delay);

  void channel_thread(unsigned c);
  // Runs one transfer; returns false (with the channel's error set and the job finished) if it failed.
  // `desc_address` is the descriptor's address (0 in register mode), reported for a bad configuration.
  bool run_transfer(unsigned c, const Transfer& t, uint32_t desc_address);
  bool fetch_descriptor(unsigned c, uint32_t address, Transfer& t);
  // One bus transaction from the channel's thread; waits for the annotated delay (which starts at
  // `delay`). Returns the response status.
  tlm::tlm_response_status bus_access(tlm::tlm_command cmd, uint64_t address, uint8_t* data, unsigned length,
                                      sc_core::sc_time delay);
  // One bus transaction without waiting: `delay` in, the annotated delay out; counts successful traffic.
  tlm::tlm_response_status transport(tlm::tlm_command cmd, uint64_t address, uint8_t* data, unsigned length,
                                     sc_core::sc_time& delay);
  // BurstWindow's issue callback: waits until access.at, then one transport(); `done` = completion time.
  tlm::tlm_response_status timed_access(const BurstWindow::Access& access, sc_core::sc_time& done);
  // Waits until the absolute time `t` (no-op if it has passed).
  void sync_to(const sc_core::sc_time& t);
  void finish_job(unsigned c, uint32_t error_code, uint32_t error_addr);
  void set_error(unsigned c, uint32_t error_code);
  sc_core::sc_time setup_time() const;
  bool irq_level(unsigned c) const;
  void drive_irqs();  // SC_METHOD: the only writer of the irq lines

  void channel_active(bool active);
  // A finished job as a slice on the channel's track: it began at `start`, when the channel had written
  // `bytes0` bytes and fetched `descriptors0` descriptors.
  void trace_job(unsigned c, const sc_core::sc_time& start, uint64_t bytes0, uint64_t descriptors0);

  DmaParams params_;
  sc_core::sc_time cycle_;
  std::vector<std::unique_ptr<Channel>> channels_;
  sc_core::sc_event irq_event_;
  RegisterBank bank_;

  TrafficStats traffic_;
  unsigned active_channels_ = 0;
  sc_core::sc_time active_since_ = sc_core::SC_ZERO_TIME;

  trace::TraceSink* trace_ = nullptr;
  std::vector<trace::TrackId> tracks_;  // per channel
  trace::CounterId busy_counter_ = 0;
};

}  // namespace minconv::platform
