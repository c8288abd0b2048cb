#include "accel/accelerator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#ifdef MINCONV_HAVE_RTL
#include "accel/engine/rtl_tile_engine.h"
#endif

namespace minconv::accel {

namespace ra = regs::accel;

namespace {
uint64_t counter_value(const PerfCounters& c, unsigned index) {
  const uint64_t values[ra::kNumCounters] = {c.busy_cycles,    c.active_pe_cycles, c.stall_cycles,
                                             c.buf_read_bytes, c.buf_write_bytes,  c.tiles,
                                             c.folds};
  return values[index];
}

const AccelParams& checked(const AccelParams& p) {
  p.validate();
  return p;
}

// Called while the Accelerator is being constructed: an RTL engine's clock and bridge become its children.
std::unique_ptr<TileEngine> make_engine(const std::string& owner, const AccelParams& p,
                                        const sc_core::sc_time& period) {
  if (p.engine == EngineKind::kRtl) {
    const std::string problem = rtl_engine_problem(p.rows, p.cols, p.pe);
    if (!problem.empty()) throw config::ConfigError("accel: error: " + problem);
#ifdef MINCONV_HAVE_RTL
    return std::make_unique<RtlTileEngine>(owner, p, period);
#endif
  }
  (void)owner;
  (void)period;
  return std::make_unique<CppTileEngine>();
}
}  // namespace

Accelerator::Accelerator(const sc_core::sc_module_name& name, const AccelParams& params)
    : sc_core::sc_module(name),
      csr_socket("csr_socket"),
      sram_socket("sram_socket"),
      irq("irq"),
      busy("busy"),
      params_(checked(params)),
      period_(sc_core::sc_time(1e3 / params.clock_mhz, sc_core::SC_NS)),
      engine_(make_engine(this->name(), params, period_)),
      sram_(params.sram_bytes(), 0),
      csr_(
          ra::kBlock, [this](const platform::RegAccess& a) { return csr_read(a); },
          [this](const platform::RegAccess& a, uint32_t v) { csr_write(a, v); }, period_) {
  csr_socket.register_b_transport(this, &Accelerator::csr_b_transport);
  csr_socket.register_transport_dbg(this, &Accelerator::csr_transport_dbg);
  sram_socket.register_b_transport(this, &Accelerator::sram_b_transport);
  sram_socket.register_transport_dbg(this, &Accelerator::sram_transport_dbg);
  SC_HAS_PROCESS(Accelerator);
  SC_THREAD(tile_thread);
  SC_METHOD(drive_outputs);
  sensitive << outputs_ev_;
}

Accelerator::~Accelerator() = default;

uint64_t Accelerator::tile_cycles(const AccelParams& p, unsigned K, unsigned out_c, unsigned pixels) {
  return accel::tile_cycles(p.rows, p.cols, K, out_c, pixels);
}

void Accelerator::trace_engine(sc_core::sc_trace_file* file) const { engine_->trace(file); }

nlohmann::json Accelerator::engine_stats() const { return engine_->stats_json(); }

uint64_t Accelerator::to_cycles(const sc_core::sc_time& t) const {
  return static_cast<uint64_t>(std::floor(t / period_ + 1e-9));
}

PerfCounters Accelerator::counters(const sc_core::sc_time& now) const {
  PerfCounters c = counters_;
  sc_core::sc_time stall = stall_time_;
  if (in_layer_ && !tile_running_ && now > idle_since_) stall += now - idle_since_;
  c.stall_cycles = to_cycles(stall);
  return c;
}

// ---------------------------------------------------------------------------------------------------------
// CSR window

uint32_t Accelerator::capability(uint32_t offset) const {
  switch (offset) {
    case ra::kPeKind:
      return static_cast<uint32_t>(params_.pe);
    case ra::kRows:
      return params_.rows;
    case ra::kCols:
      return params_.cols;
    case ra::kClockKhz:
      return static_cast<uint32_t>(std::lround(params_.clock_mhz * 1000.0));
    case ra::kInBufOffset:
      return params_.in_buf_offset();
    case ra::kInBufBytes:
      return params_.input_buffer_bytes;
    case ra::kWtBufOffset:
      return params_.wt_buf_offset();
    case ra::kWtBufBytes:
      return params_.weight_buffer_bytes;
    case ra::kOutBufOffset:
      return params_.out_buf_offset();
    case ra::kOutBufBytes:
      return params_.output_buffer_bytes;
    case ra::kMaxPool:
      return params_.pooling ? ra::kMaxPoolValue : 0u;
    default:  // identity and datapath limits: the table's reset values
      return ra::kBlock.registers.at(offset).reset;
  }
}

uint32_t Accelerator::counter_word(uint32_t offset, const sc_core::sc_time& now, bool latch) {
  const unsigned index = (offset - ra::kCntBusyLo) / 8;
  if ((offset - ra::kCntBusyLo) % 8 == ra::kHiOffset) {
    // A bus read of HI returns what the LO read latched; a debug read sees the live value.
    return latch ? hi_latch_[index] : static_cast<uint32_t>(counter_value(counters(now), index) >> 32);
  }
  const uint64_t v = counter_value(counters(now), index);
  if (latch) hi_latch_[index] = static_cast<uint32_t>(v >> 32);
  return static_cast<uint32_t>(v);
}

uint32_t Accelerator::csr_read(const platform::RegAccess& a) {
  if (a.offset >= ra::kCntBusyLo) {
    const sc_core::sc_time now =
        a.debug ? sc_core::sc_time_stamp() : sc_core::sc_time_stamp() + a.delay + period_;
    return counter_word(a.offset, now, !a.debug);
  }
  if (a.offset >= ra::kInAddr) return desc_regs_[ra::desc_index(a.offset)];
  switch (a.offset) {
    case ra::kStatus:
      return status_ | (busy_ ? ra::kStatusBusy : 0u);
    case ra::kIrqEnable:
      return irq_enable_;
    default:
      return capability(a.offset);
  }
}

void Accelerator::control(uint32_t value, const sc_core::sc_time& now, const sc_core::sc_time& delay) {
  if (value & ra::kCtrlResetCounters) {
    counters_ = PerfCounters{};
    stall_time_ = sc_core::SC_ZERO_TIME;
    if (in_layer_ && !tile_running_) idle_since_ = now;
  }
  if ((value & ra::kCtrlLayerEnd) && in_layer_) {
    if (!tile_running_ && now > idle_since_) stall_time_ += now - idle_since_;
    in_layer_ = false;
  }
  if ((value & ra::kCtrlLayerBegin) && !in_layer_) {
    in_layer_ = true;
    idle_since_ = now;
  }
  if (value & ra::kCtrlStart) start(delay);
}

void Accelerator::csr_write(const platform::RegAccess& a, uint32_t value) {
  // The bank refuses writes to the read-only registers (identity, capabilities, counters).
  const sc_core::sc_time delay = a.delay + period_;
  if (a.offset >= ra::kInAddr) {
    desc_regs_[ra::desc_index(a.offset)] = value;
    return;
  }
  switch (a.offset) {
    case ra::kCtrl:
      control(value, sc_core::sc_time_stamp() + delay, delay);
      break;
    case ra::kStatus: {
      const uint32_t clear = value & ra::kStatusW1C;
      status_ &= ~clear;
      if (clear & ra::kStatusError) status_ &= ~ra::kStatusErrCodeMask;
      update_outputs(delay);
      break;
    }
    default:  // ra::kIrqEnable
      irq_enable_ = value & (ra::kIrqOnDone | ra::kIrqOnError);
      update_outputs(delay);
      break;
  }
}

void Accelerator::start(const sc_core::sc_time& delay) {
  if (busy_) {
    raise_error(ra::kErrStartBusy);  // the running tile continues
    update_outputs(delay);
    return;
  }
  busy_ = true;
  pending_desc_ = TileDescriptor(ra::unpack(desc_regs_));
  start_ev_.notify(delay);  // the tile starts at the initiator's local time
  update_outputs(delay);
}

void Accelerator::raise_error(ra::ErrorCode code) {
  ++errors_;
  status_ = (status_ & ~ra::kStatusErrCodeMask) | ra::kStatusError |
            ((static_cast<uint32_t>(code) << ra::kStatusErrCodeShift) & ra::kStatusErrCodeMask);
  std::ostringstream msg;
  msg << "tile rejected: " << ra::error_name(code) << " (error code " << static_cast<uint32_t>(code) << ")";
  SC_REPORT_WARNING(name(), msg.str().c_str());
}

void Accelerator::update_outputs(const sc_core::sc_time& delay) { outputs_ev_.notify(delay); }

void Accelerator::drive_outputs() {
  const bool irq_level = ((status_ & ra::kStatusDone) && (irq_enable_ & ra::kIrqOnDone)) ||
                         ((status_ & ra::kStatusError) && (irq_enable_ & ra::kIrqOnError));
  irq.write(irq_level);
  busy.write(busy_);
}

// ---------------------------------------------------------------------------------------------------------
// The tile thread

void Accelerator::tile_thread() {
  for (;;) {
    sc_core::wait(start_ev_);
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    const TileDescriptor d = pending_desc_;

    ra::ErrorCode err = validate(d, params_);
    TileJob& job = job_;  // a member, not on the thread's stack: freed even if the simulation stops mid-tile
    job = TileJob{};
    if (err == ra::kErrNone) {
      job.desc = d;
      job.array = ArrayShape{params_.pe, params_.rows, params_.cols};
      const uint8_t* in = &sram_[params_.in_buf_offset() + d.in_addr];
      const uint8_t* wt = &sram_[params_.wt_buf_offset() + d.wt_addr];
      const uint8_t* q = &sram_[params_.wt_buf_offset() + d.q_addr];
      job.input.resize(d.input_bytes());
      std::memcpy(job.input.data(), in, job.input.size());
      job.weights.resize(d.weight_bytes());
      std::memcpy(job.weights.data(), wt, job.weights.size());
      if (!d.psum_out) {
        job.post.resize(d.out_c);
        std::memcpy(job.post.data(), q, d.post_bytes());
      }
      if (d.psum_in) {
        job.psum.resize(d.pixels() * d.out_c);
        std::memcpy(job.psum.data(), &sram_[params_.out_buf_offset() + d.out_addr], d.psum_bytes());
      }
      err = validate_post_scale(job.post, d.raw_output);
    }
    if (err != ra::kErrNone) {
      busy_ = false;
      raise_error(err);
      update_outputs(sc_core::SC_ZERO_TIME);
      continue;
    }

    tile_running_ = true;
    if (in_layer_ && t0 > idle_since_) stall_time_ += t0 - idle_since_;
    update_outputs(sc_core::SC_ZERO_TIME);

    result_ = engine_->run(job);
    const TileResult& r = result_;
    const sc_core::sc_time total = period_ * static_cast<double>(r.cycles);
    const sc_core::sc_time spent = sc_core::sc_time_stamp() - t0;
    if (total > spent) sc_core::wait(total - spent);

    std::memcpy(&sram_[params_.out_buf_offset() + d.out_addr], r.output.data(), r.output.size());
    counters_.busy_cycles += r.cycles;
    counters_.active_pe_cycles += r.counters.macs;
    counters_.buf_read_bytes += r.counters.buf_read_bytes;
    counters_.buf_write_bytes += r.counters.buf_write_bytes;
    counters_.folds += r.counters.folds;
    counters_.tiles += 1;
    if (trace_ != nullptr) trace_tile(t0, d, r);
    tile_running_ = false;
    idle_since_ = sc_core::sc_time_stamp();
    busy_ = false;
    status_ |= ra::kStatusDone;
    update_outputs(sc_core::SC_ZERO_TIME);
  }
}

// ---------------------------------------------------------------------------------------------------------
// SRAM window

void Accelerator::sram_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const tlm::tlm_command cmd = trans.get_command();
  const uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  const unsigned width = params_.sram_width_bytes;
  delay += period_ * static_cast<double>(params_.sram_latency_cycles + (len + width - 1) / width);
  if (addr > sram_.size() || len > sram_.size() - addr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (trans.get_streaming_width() < len) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  const unsigned char* be = trans.get_byte_enable_ptr();
  const unsigned be_len = trans.get_byte_enable_length();
  if (be != nullptr && be_len == 0) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (cmd != tlm::TLM_IGNORE_COMMAND) {
    uint8_t* mem = &sram_[addr];
    unsigned char* data = trans.get_data_ptr();
    if (be == nullptr) {  // every byte enabled (DMA bursts): one copy
      if (cmd == tlm::TLM_READ_COMMAND) {
        std::memcpy(data, mem, len);
      } else {
        std::memcpy(mem, data, len);
      }
    } else {
      for (unsigned i = 0; i < len; ++i) {
        if (be[i % be_len] != TLM_BYTE_ENABLED) continue;
        if (cmd == tlm::TLM_READ_COMMAND) {
          data[i] = mem[i];
        } else {
          mem[i] = data[i];
        }
      }
    }
  }
  sram_traffic_.record(cmd, len, sc_core::SC_ZERO_TIME);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Accelerator::sram_transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address();
  if (addr >= sram_.size()) return 0;
  const unsigned len =
      static_cast<unsigned>(std::min<uint64_t>(trans.get_data_length(), sram_.size() - addr));
  if (trans.get_command() == tlm::TLM_READ_COMMAND) {
    std::memcpy(trans.get_data_ptr(), &sram_[addr], len);
  } else if (trans.get_command() == tlm::TLM_WRITE_COMMAND) {
    std::memcpy(&sram_[addr], trans.get_data_ptr(), len);
  } else {
    return 0;
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return len;
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

platform::TrafficStats Accelerator::traffic() const {
  platform::TrafficStats t = sram_traffic_;
  t.busy = period_ * static_cast<double>(counters_.busy_cycles);
  return t;
}

nlohmann::json Accelerator::stats_json() const {
  const PerfCounters c = counters(sc_core::sc_time_stamp());
  nlohmann::json j = traffic().to_json();
  j["busy_cycles"] = c.busy_cycles;
  j["active_pe_cycles"] = c.active_pe_cycles;
  j["macs"] = c.active_pe_cycles;
  j["stall_cycles"] = c.stall_cycles;
  j["buf_read_bytes"] = c.buf_read_bytes;
  j["buf_write_bytes"] = c.buf_write_bytes;
  j["tiles"] = c.tiles;
  j["folds"] = c.folds;
  j["errors"] = errors_;
  j["csr_reads"] = csr_.reads();
  j["csr_writes"] = csr_.writes();
  j["pe_utilization"] =
      c.busy_cycles == 0
          ? 0.0
          : static_cast<double>(c.active_pe_cycles) /
                (static_cast<double>(params_.rows) * params_.cols * static_cast<double>(c.busy_cycles));
  j["params"] = params_.to_json();
  const nlohmann::json engine = engine_->stats_json();
  if (!engine.is_null()) j["cosim"] = engine;
  return j;
}

}  // namespace minconv::accel
