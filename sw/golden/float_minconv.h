#pragma once
// What the float convolution kernel's set-up and dispatch (float_conv.cpp) need of its MinConv arrangements
// (float_minconv.cpp). Not part of the golden model's interface.
#include <cstddef>

namespace minconv::golden::detail {

// MinConv blocks: 4·V output channels (V registers), V in [2, 12], the fewest lanes in all (the largest V of
// those): 6 -> 8, 10 -> 12, 16 -> 16, 64 -> 32, 84 -> 28, 120 -> 40, 125 -> 32.
int min_lanes(int out_c);

// Whether any of v[0, n) has the sign bit set, whether any is a NaN. The AVX-512 kernels' range operation
// returns the number for a NaN operand: inputs with a NaN take the AVX2 kernel, whose term for it is |x| as
// in the definition's form. Without an input with the sign bit set, sgn(x) = 1 and the kernels leave the sign
// out.
struct InputSigns {
  bool negative = false, nan = false;
};
InputSigns input_signs(const float* v, std::size_t n);

}  // namespace minconv::golden::detail
