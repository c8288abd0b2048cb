#pragma once
// Register-map description types: each CSR block describes its registers once, as constexpr tables of
// Register (offset, access, reset value, fields) that the driver, the models (through
// platform/regs/register_bank.h), the tests and the generated docs all read. Plain C++17, no SystemC.
#include <cstddef>
#include <cstdint>

namespace minconv::regs {

// How software may access a register. Every register is 32 bit, little endian, 4-byte aligned.
enum class Access : uint8_t {
  kRO,   // read only: a write is answered with TLM_COMMAND_ERROR_RESPONSE and changes nothing
  kRW,   // read/write
  kW1C,  // read; writing 1 to a W1C field clears it (other fields are read only)
  kWO,   // write only (actions); reads return 0
};

constexpr const char* access_name(Access a) {
  switch (a) {
    case Access::kRO:
      return "RO";
    case Access::kRW:
      return "RW";
    case Access::kW1C:
      return "W1C";
    case Access::kWO:
      return "WO";
  }
  return "?";
}

// Where a register's value after reset comes from.
enum class Reset : uint8_t {
  kValue,   // Register::reset
  kConfig,  // the component's configuration (a capability such as the array size)
};

// A bit field [lsb, lsb + width) of a register. Its access refines the register's: in a W1C register a
// field may be RO (a status) or W1C; in a RW register a WO field is an action that reads 0.
struct Field {
  const char* name;
  uint8_t lsb;
  uint8_t width;
  Access access = Access::kRW;

  constexpr uint32_t mask() const { return (width >= 32 ? 0xFFFFFFFFu : (1u << width) - 1u) << lsb; }
  // The field's value in a register value.
  constexpr uint32_t get(uint32_t reg) const { return (reg & mask()) >> lsb; }
  // `value` moved into place (bits above the width are dropped).
  constexpr uint32_t put(uint32_t value) const { return (value << lsb) & mask(); }
  // `reg` with this field replaced by `value`.
  constexpr uint32_t set(uint32_t reg, uint32_t value) const { return (reg & ~mask()) | put(value); }
  constexpr bool fits(uint32_t value) const { return put(value) >> lsb == value; }
};

// The job-status word that the DMA channels and the accelerator share (their drivers handle it alike):
// BUSY, DONE and ERROR (write-1-to-clear; clearing ERROR clears ERR_CODE too) and the last error's code.
namespace job_status {
constexpr Field kBusy{"BUSY", 0, 1, Access::kRO};
constexpr Field kDone{"DONE", 1, 1, Access::kW1C};
constexpr Field kError{"ERROR", 2, 1, Access::kW1C};
constexpr Field kErrCode{"ERR_CODE", 8, 8, Access::kRO};
constexpr Field kFields[] = {kBusy, kDone, kError, kErrCode};
// The STATUS bit masks, brought into each block's namespace with `using namespace job_status::bits`.
namespace bits {
constexpr uint32_t kStatusBusy = kBusy.mask();
constexpr uint32_t kStatusDone = kDone.mask();
constexpr uint32_t kStatusError = kError.mask();
constexpr uint32_t kStatusErrCodeShift = kErrCode.lsb;
constexpr uint32_t kStatusErrCodeMask = kErrCode.mask();
constexpr uint32_t kStatusW1C = kStatusDone | kStatusError;
}  // namespace bits
}  // namespace job_status

// A constexpr view of a constexpr array (a table of fields or registers).
template <class T>
struct Table {
  const T* data = nullptr;
  std::size_t size = 0;
  constexpr Table() = default;
  template <std::size_t N>
  constexpr Table(const T (&items)[N]) : data(items), size(N) {}  // NOLINT: implicit on purpose
  constexpr const T* begin() const { return data; }
  constexpr const T* end() const { return data + size; }
};
using Fields = Table<Field>;

struct Register {
  const char* name;
  uint32_t offset;
  Access access;
  uint32_t reset;  // with Reset::kValue
  Fields fields;   // empty: one field, the whole word
  const char* doc;
  Reset reset_kind = Reset::kValue;
};

// The registers of a block, sorted by offset.
struct Registers : Table<Register> {
  using Table<Register>::Table;
  // The register at `offset`, or nullptr for a hole.
  constexpr const Register* find(uint32_t offset) const {
    for (const Register& r : *this) {
      if (r.offset == offset) return &r;
    }
    return nullptr;
  }
  constexpr const Register& at(uint32_t offset) const { return *find(offset); }
};

// A CSR block: its registers and the bytes of address space they sit in.
struct Block {
  const char* name;
  Registers registers;
  uint32_t size;  // bytes of register space
};

// The table is well formed: offsets aligned, ascending and inside the block; fields inside 32 bits and
// not overlapping. Used in static_asserts next to each table.
constexpr bool well_formed(const Registers& regs, uint32_t size) {
  uint32_t next = 0;
  for (const Register& r : regs) {
    if (r.offset % 4 != 0 || r.offset < next || r.offset + 4 > size) return false;
    next = r.offset + 4;
    uint32_t used = 0;
    for (const Field& f : r.fields) {
      if (f.width == 0 || f.lsb + f.width > 32 || (used & f.mask()) != 0) return false;
      used |= f.mask();
    }
  }
  return true;
}

}  // namespace minconv::regs
