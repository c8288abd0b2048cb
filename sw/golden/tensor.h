#pragma once
// Dense HWC tensors (channel fastest), the layout used in DRAM and in the accelerator's buffers.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace minconv::golden {

template <typename T>
struct Tensor {
  int h = 0;
  int w = 0;
  int c = 0;
  std::vector<T> data;  // size h * w * c

  Tensor() = default;
  Tensor(int h_, int w_, int c_) : h(h_), w(w_), c(c_), data(static_cast<std::size_t>(h_) * w_ * c_) {}
  std::size_t index(int y, int x, int ch) const { return (static_cast<std::size_t>(y) * w + x) * c + ch; }
  T& at(int y, int x, int ch) { return data[index(y, x, ch)]; }
  const T& at(int y, int x, int ch) const { return data[index(y, x, ch)]; }
  std::size_t size() const { return data.size(); }
};

using Tensor8 = Tensor<int8_t>;
using Tensor32 = Tensor<int32_t>;
using TensorF = Tensor<float>;

}  // namespace minconv::golden
