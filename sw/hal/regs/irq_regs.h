#pragma once
// Interrupt controller register map (shared by the model, the driver, the tests and docs/platform.md).
// All registers 32 bit.
#include <cstdint>

#include "sw/hal/regs/regmap.h"

namespace minconv::regs::irq {

constexpr uint32_t kStatus = 0x00;
constexpr uint32_t kEnable = 0x04;
constexpr uint32_t kPending = 0x08;
constexpr uint32_t kLines = 0x0C;
constexpr uint32_t kSize = 0x10;  // bytes of register space

constexpr Register kRegisters[] = {
    {"STATUS", kStatus, Access::kRO, 0, {}, "raw level of each input line (bit n = line n)"},
    {"ENABLE",
     kEnable,
     Access::kRW,
     0,
     {},
     "line n forwarded to the CPU when bit n is set (bits above LINES read 0)"},
    {"PENDING", kPending, Access::kRO, 0, {}, "STATUS & ENABLE; the CPU interrupt is asserted when non-zero"},
    {"LINES", kLines, Access::kRO, 0, {}, "number of input lines", Reset::kConfig},
};
constexpr Block kBlock{"irq", kRegisters, kSize};
static_assert(well_formed(kRegisters, kSize));

}  // namespace minconv::regs::irq
