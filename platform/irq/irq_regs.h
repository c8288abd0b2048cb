#pragma once
// Interrupt controller register map (shared by the model and the driver). All registers 32 bit.
#include <cstdint>

namespace minconv::regs::irq {

constexpr uint32_t kStatus = 0x00;   // RO: raw level of each input line (bit n = line n)
constexpr uint32_t kEnable = 0x04;   // RW: line n forwarded to the CPU when bit n is set
constexpr uint32_t kPending = 0x08;  // RO: kStatus & kEnable; the CPU interrupt is asserted when non-zero
constexpr uint32_t kLines = 0x0C;    // RO: number of input lines
constexpr uint32_t kSize = 0x10;     // bytes of register space

}  // namespace minconv::regs::irq
