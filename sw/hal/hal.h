#pragma once
// The only door from software to hardware. The driver and runtime in sw/ use nothing else, so the same
// code could be compiled for a real core with a HAL of memory-mapped loads and stores.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace minconv::hal {

// A bus access that the interconnect or the target answered with an error (a bus fault on a real core).
class BusError : public std::runtime_error {
 public:
  BusError(uint32_t address, const std::string& what) : std::runtime_error(what), address_(address) {}
  uint32_t address() const { return address_; }

 private:
  uint32_t address_;
};

// wait_for_interrupt() gave up: no interrupt arrived within the CPU's watchdog time.
class InterruptTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Hal {
 public:
  virtual ~Hal() = default;
  // 32-bit register access (address must be 4-byte aligned).
  virtual uint32_t read32(uint32_t address) = 0;
  virtual void write32(uint32_t address, uint32_t value) = 0;
  // CPU loads/stores of a block of memory (modelled as cache-line bursts).
  virtual void read_block(uint32_t address, void* dst, std::size_t bytes) = 0;
  virtual void write_block(uint32_t address, const void* src, std::size_t bytes) = 0;
  // WFI: returns once the CPU's interrupt input is asserted (immediately if it already is).
  // Software then reads the interrupt controller to learn which line fired.
  virtual void wait_for_interrupt() = 0;
  // An instrumentation read (a debug probe, as a trace unit or JTAG reads): the value at the CPU's current
  // time, without bus time or side effects. The runtime reads the accelerator's performance counters for
  // its per-layer report this way, so that measuring does not change what is measured. Defaults to read32.
  virtual uint32_t probe32(uint32_t address) { return read32(address); }
  // The CPU cycle counter.
  virtual uint64_t cycles() const = 0;
  // Accounts CPU-side computation (an operation's cost model in CPU cycles).
  virtual void spend(uint64_t cpu_cycles) = 0;
  // Trace annotations (docs/trace.md): the software enters and leaves a named phase (an image, a layer, a
  // driver step); phases nest. `step` marks a driver step, which traces show from --trace-detail tiles on.
  // They change nothing else (no time, no bus access); a HAL without traces ignores them.
  virtual void phase_begin(std::string_view /*name*/, bool /*step*/) {}
  virtual void phase_end() {}
};

// A trace phase for the extent of a scope.
class Phase {
 public:
  Phase(Hal& hal, std::string_view name, bool step = false) : hal_(hal) { hal_.phase_begin(name, step); }
  ~Phase() { hal_.phase_end(); }
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

 private:
  Hal& hal_;
};

}  // namespace minconv::hal
