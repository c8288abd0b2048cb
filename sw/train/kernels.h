#pragma once
// Inner loops of the training passes (HWC tensors): im2col and its adjoint, dot products (standard and
// MinConv), pooling forward and backward. Written so that the compiler vectorizes them without
// reassociation flags: fixed partial-sum lanes, so results are bit-identical across builds.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "sw/golden/network.h"

namespace minconv::train {

inline std::size_t volume(const golden::Shape& s) { return static_cast<std::size_t>(s.h) * s.w * s.c; }

// col[p][(ky * kw + kx) * C + c] = x[oy * sh - pad_top + ky][ox * sw - pad_left + kx][c] (0 outside).
void im2col(const float* x, const golden::Shape& in, const golden::ConvGeometry& g, const golden::Shape& out,
            float* col);
// The adjoint of im2col: dx (zeroed here) accumulates dcol.
void col2im(const float* dcol, const golden::Shape& in, const golden::ConvGeometry& g,
            const golden::Shape& out, float* dx);

// Σ a·b with eight partial sums.
inline float dot(const float* a, const float* b, std::size_t n) {
  float acc[8] = {};
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int j = 0; j < 8; ++j) acc[j] += a[k + j] * b[k + j];
  }
  float s = 0.0f;
  for (; k < n; ++k) s += a[k] * b[k];
  for (int j = 0; j < 8; ++j) s += acc[j];
  return s;
}

// Σ sgn(a)·sgn(b)·min(|a|, |b|) with eight partial sums.
inline float min_dot(const float* a, const float* b, std::size_t n) {
  float acc[8] = {};
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    for (int j = 0; j < 8; ++j) {
      acc[j] += std::copysign(std::min(std::fabs(a[k + j]), std::fabs(b[k + j])), a[k + j] * b[k + j]);
    }
  }
  float s = 0.0f;
  for (; k < n; ++k) s += std::copysign(std::min(std::fabs(a[k]), std::fabs(b[k])), a[k] * b[k]);
  for (int j = 0; j < 8; ++j) s += acc[j];
  return s;
}

inline void axpy(float* y, float a, const float* x, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) y[k] += a * x[k];
}

inline float sgn(float v) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); }

// k x k windows, stride, no padding. Max pooling records the input index of each output's maximum
// (the first one on ties) in argmax.
void pool_forward(const float* x, const golden::Shape& in, const golden::Shape& out, int k, int stride,
                  bool is_max, float* y, uint32_t* argmax);
// dx (zeroed here) from dy: max routes each gradient to its argmax, average spreads it evenly.
void pool_backward(const float* dy, const golden::Shape& in, const golden::Shape& out, int k, int stride,
                   bool is_max, const uint32_t* argmax, float* dx);

}  // namespace minconv::train

namespace minconv::train {

// Transposed im2col for convolutions: colT[k][p] (K x P, K = kh·kw·C in (ky, kx, c) order, P = out_h·out_w),
// so that the inner loops run over the P output positions, contiguous. col2im_t is its adjoint (dx zeroed).
void im2col_t(const float* x, const golden::Shape& in, const golden::ConvGeometry& g,
              const golden::Shape& out, float* colT);
void col2im_t(const float* dcolT, const golden::Shape& in, const golden::ConvGeometry& g,
              const golden::Shape& out, float* dx);

// zT[o][p] = Σ_k w[o][k]·colT[k][p]  (accumulated over k in order; zT is overwritten).
void conv_t_forward(const float* colT, std::size_t K, std::size_t P, const float* w, std::size_t oc,
                    float* zT);
// zT[o][p] = Σ_k sgn(w'[o][k])·sgn(x)·min(|x|, |w'[o][k]|), x = colT[k][p]; abs_w = |w'|, sign_w = sgn(w').
void minconv_t_forward(const float* colT, std::size_t K, std::size_t P, const float* abs_w,
                       const float* sign_w, std::size_t oc, float* zT);
// dw[o][k] += Σ_p dzT[o][p]·colT[k][p];  dcolT[k][p] += Σ_o w[o][k]·dzT[o][p] (when dcolT is not null).
void conv_t_backward(const float* colT, std::size_t K, std::size_t P, const float* w, std::size_t oc,
                     const float* dzT, float* dw, float* dcolT);
// The MinConv term's gradients (backprop.h) with gT = dz·mu_w: where |x| < |w'|: dcolT += gT·sgn(w')
// (when dcolT is not null) and xw[o][k] += gT·x (when xw is not null); elsewhere dw[o][k] += gT·sgn(x).
// absT, signT: |x| and sgn(x) of colT.
void minconv_t_backward(const float* absT, const float* signT, std::size_t K, std::size_t P,
                        const float* abs_w, const float* sign_w, std::size_t oc, const float* gT, float* dw,
                        float* dcolT, float* xw = nullptr);

}  // namespace minconv::train
