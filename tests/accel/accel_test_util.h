#pragma once
// Helpers shared by the accelerator tests: random operands and conversions to the golden model's types.
#include <cstdint>
#include <random>
#include <vector>

#include "accel/accel_params.h"
#include "accel/accel_regs.h"
#include "sw/golden/int8_ops.h"

namespace minconv::accel::test {

inline golden::PeKind to_golden(PeKind k) {
  return k == PeKind::kMin ? golden::PeKind::kMin : golden::PeKind::kMul;
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
