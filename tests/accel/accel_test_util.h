#pragma once
// Helpers shared by the accelerator tests: random operands and conversions to the golden model's types.
#include <cstdint>
#include <random>
#include <vector>

#include "accel/accel_params.h"
#include "sw/golden/int8_ops.h"
#include "sw/hal/regs/accel_regs.h"

namespace minconv::accel::test {

// Tile timing as docs/accelerator.md states it, written here by hand and independently of the engine's
// accel::fold_count / tile_cycles: folds = ceil(out_c / R) * ceil(pixels / C) run back to back on the
// double-buffered array, one every P = max(K, R, C) cycles, the last one K + R + C - 1 cycles from its start
// to its last drained row, plus 4 setup and 3 post-scale cycles per tile.
inline uint64_t documented_folds(uint64_t rows, uint64_t cols, uint64_t out_c, uint64_t pixels) {
  return ((out_c + rows - 1) / rows) * ((pixels + cols - 1) / cols);
}
inline uint64_t documented_tile_cycles(uint64_t rows, uint64_t cols, uint64_t k, uint64_t out_c,
                                       uint64_t pixels) {
  uint64_t p = k;
  if (rows > p) p = rows;
  if (cols > p) p = cols;
  return 4 + (documented_folds(rows, cols, out_c, pixels) - 1) * p + (k + rows + cols - 1) + 3;
}

// Writes a descriptor's registers kInAddr..kFlags with `write(offset, value)`, packed by the register map.
template <class Write>
void write_descriptor(Write&& write, const regs::accel::TileDesc& d) {
  const regs::accel::DescWords words = regs::accel::pack(d);
  for (uint32_t i = 0; i < regs::accel::kDescWords; ++i) write(regs::accel::kInAddr + 4 * i, words[i]);
}

inline std::vector<int8_t> random_int8(std::mt19937& rng, size_t n, int lo = -127, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// Post-scale records that keep most int8 outputs inside [-127, 127] (some saturate).
inline std::vector<regs::accel::PostScale> random_post(std::mt19937& rng, int out_c, PeKind pe) {
  std::uniform_int_distribution<int32_t> bias(-3000, 3000);
  std::uniform_int_distribution<int32_t> mult(pe == PeKind::kMin ? (1 << 18) : (1 << 14),
                                              pe == PeKind::kMin ? (1 << 19) : (1 << 15));
  std::vector<regs::accel::PostScale> v(static_cast<size_t>(out_c));
  for (auto& q : v) q = {bias(rng), mult(rng), 24};
  return v;
}

inline std::vector<golden::PostScale> to_golden(const std::vector<regs::accel::PostScale>& post) {
  std::vector<golden::PostScale> v;
  for (const auto& q : post) v.push_back({q.bias, q.multiplier, q.shift});
  return v;
}

}  // namespace minconv::accel::test
