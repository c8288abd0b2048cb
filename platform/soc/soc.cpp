#include "platform/soc/soc.h"

namespace minconv::platform {

namespace {
unsigned irq_lines(const SocConfig& c) { return c.dma.channels + (c.accel ? 1 : 0); }
}  // namespace

Soc::Soc(const sc_core::sc_module_name& name, const SocConfig& config, CpuStub::Program program)
    : sc_core::sc_module(name),
      config_(config),
      bus_("bus", config.bus),
      dram_("dram", config.dram),
      dma_("dma", config.dma),
      irqc_("irq", irq_lines(config)),
      cpu_("cpu", config.cpu, std::move(program)),
      loader_("loader"),
      dma_irq_("dma_irq", config.dma.channels),
      accel_irq_("accel_irq"),
      accel_busy_("accel_busy"),
      cpu_irq_("cpu_irq") {
  // Initiators, in binding order.
  cpu_.socket.bind(bus_.target_socket);
  bus_.add_initiator("cpu");
  dma_.bus_socket.bind(bus_.target_socket);
  bus_.add_initiator("dma");
  loader_.socket.bind(bus_.target_socket);
  bus_.add_initiator("loader");

  // Targets, in the order of SocConfig::regions().
  const std::vector<AddressRange> regions = config_.regions();
  bus_.initiator_socket.bind(dram_.socket);
  bus_.initiator_socket.bind(dma_.csr_socket);
  bus_.initiator_socket.bind(irqc_.socket);
  if (config_.accel) {
    accel_ = std::make_unique<accel::Accelerator>("accel", *config_.accel);
    bus_.initiator_socket.bind(accel_->csr_socket);
    bus_.initiator_socket.bind(accel_->sram_socket);
  }
  for (const AddressRange& r : regions) bus_.add_target(r);

  // Interrupt lines: DMA channel c -> line c, accelerator -> line `channels`.
  for (unsigned c = 0; c < config_.dma.channels; ++c) {
    dma_.irq[c].bind(dma_irq_[c]);
    irqc_.irq_in[c].bind(dma_irq_[c]);
  }
  if (accel_) {
    accel_->irq.bind(accel_irq_);
    accel_->busy.bind(accel_busy_);
    irqc_.irq_in[config_.dma.channels].bind(accel_irq_);
  }
  irqc_.irq_out.bind(cpu_irq_);
  cpu_.irq.bind(cpu_irq_);
}

std::vector<const StatsSource*> Soc::stats_sources() const {
  std::vector<const StatsSource*> s = {&cpu_, &dma_, &bus_, &dram_};
  if (accel_) s.push_back(accel_.get());
  return s;
}

void Soc::attach_trace(trace::TraceSink* sink) {
  cpu_.set_trace(sink);  // tracks in this order: cpu, dma channels, accel
  dma_.set_trace(sink);
  if (accel_) accel_->set_trace(sink);
  dram_.set_trace(sink);
  bus_.set_trace(sink);
}

void Soc::trace(sc_core::sc_trace_file* file) const {
  sc_core::sc_trace(file, cpu_irq_, std::string(name()) + ".cpu_irq");
  for (const auto& line : dma_irq_) sc_core::sc_trace(file, line, line.name());
  if (accel_) {
    sc_core::sc_trace(file, accel_irq_, accel_irq_.name());
    sc_core::sc_trace(file, accel_busy_, accel_busy_.name());
  }
}

}  // namespace minconv::platform
