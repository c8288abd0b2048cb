#pragma once
// The only door from software to hardware. The driver and runtime in sw/ use nothing else, so the same
// code could be compiled for a real core with a HAL of memory-mapped loads and stores.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

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
  // The CPU cycle counter.
  virtual uint64_t cycles() const = 0;
  // Accounts CPU-side computation (an operation's cost model in CPU cycles).
  virtual void spend(uint64_t cpu_cycles) = 0;
};

}  // namespace minconv::hal
