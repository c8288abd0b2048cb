#pragma once
// The SoC top level: CPU stub, DMA, DRAM, interrupt controller and (optionally) the MinConv accelerator
// on one interconnect, built from a SocConfig.
//
//   cpu ────┐                 ┌──► dram
//   dma ────┼──► bus (router) ┼──► dma CSRs, irq CSRs
//   loader ─┘                 └──► accel CSRs, accel SRAM
//   irq lines: dma channels, accel ──► irq controller ──► cpu
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "accel/accelerator.h"
#include "platform/cpu/cpu_stub.h"
#include "platform/dma/dma.h"
#include "platform/irq/irq_ctrl.h"
#include "platform/loader/loader.h"
#include "platform/memory/memory.h"
#include "platform/router/router.h"
#include "platform/soc/soc_config.h"
#include "platform/trace/trace_sink.h"

namespace minconv::platform {

class Soc : public sc_core::sc_module {
 public:
  Soc(const sc_core::sc_module_name& name, const SocConfig& config, CpuStub::Program program);

  const SocConfig& config() const { return config_; }
  hal::SocInfo soc_info() const { return config_.soc_info(); }
  CpuStub& cpu() { return cpu_; }
  const CpuStub& cpu() const { return cpu_; }
  Loader& loader() { return loader_; }
  Router& bus() { return bus_; }
  Memory& dram() { return dram_; }
  Dma& dma() { return dma_; }
  accel::Accelerator* accel() { return accel_.get(); }
  const accel::Accelerator* accel() const { return accel_.get(); }

  // Everything that keeps statistics, for the summary table and the JSON report.
  std::vector<const StatsSource*> stats_sources() const;
  // The simulated time this SoC's program ran.
  sc_core::sc_time elapsed() const { return cpu_.end_time() - cpu_.start_time(); }
  // The accelerator's busy line and the CPU's interrupt line, for VCD traces.
  void trace(sc_core::sc_trace_file* file) const;
  // Makes every component report to `sink` (a timeline trace, docs/trace.md); nullptr detaches them.
  void attach_trace(trace::TraceSink* sink);

 private:
  SocConfig config_;
  Router bus_;
  Memory dram_;
  Dma dma_;
  IrqCtrl irqc_;
  std::unique_ptr<accel::Accelerator> accel_;
  CpuStub cpu_;
  Loader loader_;
  sc_core::sc_vector<sc_core::sc_signal<bool>> dma_irq_;
  sc_core::sc_signal<bool> accel_irq_;
  sc_core::sc_signal<bool> accel_busy_;
  sc_core::sc_signal<bool> cpu_irq_;
};

}  // namespace minconv::platform
