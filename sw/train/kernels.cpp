#include "sw/train/kernels.h"

#include <algorithm>

namespace minconv::train {

void im2col(const float* x, const golden::Shape& in, const golden::ConvGeometry& g, const golden::Shape& out,
            float* col) {
  const std::size_t run = static_cast<std::size_t>(in.c);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ky = 0; ky < g.kh; ++ky) {
        const int iy = oy * g.stride_h - g.pad_top + ky;
        for (int kx = 0; kx < g.kw; ++kx) {
          const int ix = ox * g.stride_w - g.pad_left + kx;
          if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) {
            std::fill(col, col + run, 0.0f);
          } else {
            const float* src = x + (static_cast<std::size_t>(iy) * in.w + ix) * run;
            std::copy(src, src + run, col);
          }
          col += run;
        }
      }
    }
  }
}

void col2im(const float* dcol, const golden::Shape& in, const golden::ConvGeometry& g,
            const golden::Shape& out, float* dx) {
  const std::size_t run = static_cast<std::size_t>(in.c);
  std::fill(dx, dx + volume(in), 0.0f);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int ky = 0; ky < g.kh; ++ky) {
        const int iy = oy * g.stride_h - g.pad_top + ky;
        for (int kx = 0; kx < g.kw; ++kx) {
          const int ix = ox * g.stride_w - g.pad_left + kx;
          if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
            float* d = dx + (static_cast<std::size_t>(iy) * in.w + ix) * run;
            for (std::size_t c = 0; c < run; ++c) d[c] += dcol[c];
          }
          dcol += run;
        }
      }
    }
  }
}

void pool_forward(const float* x, const golden::Shape& in, const golden::Shape& out, int k, int stride,
                  bool is_max, float* y, uint32_t* argmax) {
  const float inv = 1.0f / static_cast<float>(k * k);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int c = 0; c < out.c; ++c) {
        const std::size_t oi = (static_cast<std::size_t>(oy) * out.w + ox) * out.c + c;
        float best = 0.0f, sum = 0.0f;
        uint32_t best_i = 0;
        bool first = true;
        for (int ky = 0; ky < k; ++ky) {
          for (int kx = 0; kx < k; ++kx) {
            const std::size_t ii =
                (static_cast<std::size_t>(oy * stride + ky) * in.w + (ox * stride + kx)) * in.c + c;
            const float v = x[ii];
            sum += v;
            if (first || v > best) {
              best = v;
              best_i = static_cast<uint32_t>(ii);
              first = false;
            }
          }
        }
        if (is_max) {
          y[oi] = best;
          argmax[oi] = best_i;
        } else {
          y[oi] = sum * inv;
        }
      }
    }
  }
}

void pool_backward(const float* dy, const golden::Shape& in, const golden::Shape& out, int k, int stride,
                   bool is_max, const uint32_t* argmax, float* dx) {
  std::fill(dx, dx + volume(in), 0.0f);
  const std::size_t n = volume(out);
  if (is_max) {
    for (std::size_t j = 0; j < n; ++j) dx[argmax[j]] += dy[j];
    return;
  }
  const float inv = 1.0f / static_cast<float>(k * k);
  for (int oy = 0; oy < out.h; ++oy) {
    for (int ox = 0; ox < out.w; ++ox) {
      for (int c = 0; c < out.c; ++c) {
        const float g = dy[(static_cast<std::size_t>(oy) * out.w + ox) * out.c + c] * inv;
        for (int ky = 0; ky < k; ++ky) {
          for (int kx = 0; kx < k; ++kx) {
            dx[(static_cast<std::size_t>(oy * stride + ky) * in.w + (ox * stride + kx)) * in.c + c] += g;
          }
        }
      }
    }
  }
}

}  // namespace minconv::train

namespace minconv::train {

void im2col_t(const float* x, const golden::Shape& in, const golden::ConvGeometry& g,
              const golden::Shape& out, float* colT) {
  const std::size_t P = static_cast<std::size_t>(out.h) * out.w;
  for (int ky = 0; ky < g.kh; ++ky) {
    for (int kx = 0; kx < g.kw; ++kx) {
      for (int c = 0; c < in.c; ++c) {
        float* row = colT + ((static_cast<std::size_t>(ky) * g.kw + kx) * in.c + c) * P;
        for (int oy = 0; oy < out.h; ++oy) {
          const int iy = oy * g.stride_h - g.pad_top + ky;
          float* r = row + static_cast<std::size_t>(oy) * out.w;
          if (iy < 0 || iy >= in.h) {
            std::fill(r, r + out.w, 0.0f);
            continue;
          }
          const float* src = x + static_cast<std::size_t>(iy) * in.w * in.c + c;
          for (int ox = 0; ox < out.w; ++ox) {
            const int ix = ox * g.stride_w - g.pad_left + kx;
            r[ox] = (ix < 0 || ix >= in.w) ? 0.0f : src[static_cast<std::size_t>(ix) * in.c];
          }
        }
      }
    }
  }
}

void col2im_t(const float* dcolT, const golden::Shape& in, const golden::ConvGeometry& g,
              const golden::Shape& out, float* dx) {
  const std::size_t P = static_cast<std::size_t>(out.h) * out.w;
  std::fill(dx, dx + volume(in), 0.0f);
  for (int ky = 0; ky < g.kh; ++ky) {
    for (int kx = 0; kx < g.kw; ++kx) {
      for (int c = 0; c < in.c; ++c) {
        const float* row = dcolT + ((static_cast<std::size_t>(ky) * g.kw + kx) * in.c + c) * P;
        for (int oy = 0; oy < out.h; ++oy) {
          const int iy = oy * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= in.h) continue;
          const float* r = row + static_cast<std::size_t>(oy) * out.w;
          float* dst = dx + static_cast<std::size_t>(iy) * in.w * in.c + c;
          for (int ox = 0; ox < out.w; ++ox) {
            const int ix = ox * g.stride_w - g.pad_left + kx;
            if (ix >= 0 && ix < in.w) dst[static_cast<std::size_t>(ix) * in.c] += r[ox];
          }
        }
      }
    }
  }
}

void conv_t_forward(const float* colT, std::size_t K, std::size_t P, const float* w, std::size_t oc,
                    float* zT) {
  for (std::size_t o = 0; o < oc; ++o) {
    float* __restrict z = zT + o * P;
    const float* wo = w + o * K;
    std::fill(z, z + P, 0.0f);
    std::size_t k = 0;
    for (; k + 4 <= K; k += 4) {  // four rows per pass over z; the sums keep the order of k
      const float* __restrict x0 = colT + k * P;
      const float* __restrict x1 = x0 + P;
      const float* __restrict x2 = x1 + P;
      const float* __restrict x3 = x2 + P;
      for (std::size_t p = 0; p < P; ++p) {
        z[p] = (((z[p] + wo[k] * x0[p]) + wo[k + 1] * x1[p]) + wo[k + 2] * x2[p]) + wo[k + 3] * x3[p];
      }
    }
    for (; k < K; ++k) axpy(z, wo[k], colT + k * P, P);
  }
}

namespace {
inline float min_term(float x, float aw, float sw) {
  return sw * std::copysign(std::min(std::fabs(x), aw), x);
}
}  // namespace

void minconv_t_forward(const float* colT, std::size_t K, std::size_t P, const float* abs_w,
                       const float* sign_w, std::size_t oc, float* zT) {
  for (std::size_t o = 0; o < oc; ++o) {
    float* __restrict z = zT + o * P;
    const float* aw = abs_w + o * K;
    const float* sw = sign_w + o * K;
    std::fill(z, z + P, 0.0f);
    std::size_t k = 0;
    for (; k + 4 <= K; k += 4) {  // four rows per pass over z; the sums keep the order of k
      const float* __restrict x0 = colT + k * P;
      const float* __restrict x1 = x0 + P;
      const float* __restrict x2 = x1 + P;
      const float* __restrict x3 = x2 + P;
      for (std::size_t p = 0; p < P; ++p) {
        z[p] = (((z[p] + min_term(x0[p], aw[k], sw[k])) + min_term(x1[p], aw[k + 1], sw[k + 1])) +
                min_term(x2[p], aw[k + 2], sw[k + 2])) +
               min_term(x3[p], aw[k + 3], sw[k + 3]);
      }
    }
    for (; k < K; ++k) {
      const float* x = colT + k * P;
      for (std::size_t p = 0; p < P; ++p) z[p] += min_term(x[p], aw[k], sw[k]);
    }
  }
}

void conv_t_backward(const float* colT, std::size_t K, std::size_t P, const float* w, std::size_t oc,
                     const float* dzT, float* dw, float* dcolT) {
  for (std::size_t o = 0; o < oc; ++o) {
    const float* dz = dzT + o * P;
    for (std::size_t k = 0; k < K; ++k) dw[o * K + k] += dot(dz, colT + k * P, P);
  }
  if (dcolT == nullptr) return;
  for (std::size_t k = 0; k < K; ++k) {
    float* __restrict d = dcolT + k * P;
    std::size_t o = 0;
    for (; o + 4 <= oc; o += 4) {  // four outputs per pass over d; the sums keep the order of o
      const float w0 = w[o * K + k], w1 = w[(o + 1) * K + k], w2 = w[(o + 2) * K + k],
                  w3 = w[(o + 3) * K + k];
      const float* __restrict g0 = dzT + o * P;
      const float* __restrict g1 = g0 + P;
      const float* __restrict g2 = g1 + P;
      const float* __restrict g3 = g2 + P;
      for (std::size_t p = 0; p < P; ++p)
        d[p] = (((d[p] + w0 * g0[p]) + w1 * g1[p]) + w2 * g2[p]) + w3 * g3[p];
    }
    for (; o < oc; ++o) axpy(d, w[o * K + k], dzT + o * P, P);
  }
}

namespace {

// One (o, k) pair of minconv_t_backward over the P positions; kDx: accumulate dcolT, kXw: accumulate the
// x-side sum Σ g·x (for the gradient through mu_w). Eight partial-sum lanes.
template <bool kDx, bool kXw>
void minconv_pair_backward(const float* __restrict ax, const float* __restrict sx, const float* __restrict gr,
                           std::size_t P, float aw, float sw, float* __restrict d, float& dw, float& xw) {
  float acc[8] = {}, xacc[8] = {};
  std::size_t p = 0;
  for (; p + 8 <= P; p += 8) {
    for (int j = 0; j < 8; ++j) {
      const float w_side = static_cast<float>(ax[p + j] >= aw);  // 1: the weight is the minimum
      acc[j] += w_side * gr[p + j] * sx[p + j];
      if (kDx) d[p + j] += (1.0f - w_side) * gr[p + j] * sw;
      if (kXw) xacc[j] += (1.0f - w_side) * gr[p + j] * sx[p + j] * ax[p + j];
    }
  }
  float s = 0.0f, xs = 0.0f;
  for (; p < P; ++p) {
    const float w_side = static_cast<float>(ax[p] >= aw);
    s += w_side * gr[p] * sx[p];
    if (kDx) d[p] += (1.0f - w_side) * gr[p] * sw;
    if (kXw) xs += (1.0f - w_side) * gr[p] * sx[p] * ax[p];
  }
  for (int j = 0; j < 8; ++j) {
    s += acc[j];
    xs += xacc[j];
  }
  dw += s;
  xw += xs;
}

}  // namespace

void minconv_t_backward(const float* absT, const float* signT, std::size_t K, std::size_t P,
                        const float* abs_w, const float* sign_w, std::size_t oc, const float* gT, float* dw,
                        float* dcolT, float* xw) {
  float unused = 0.0f;
  for (std::size_t o = 0; o < oc; ++o) {
    const float* gr = gT + o * P;
    for (std::size_t k = 0; k < K; ++k) {
      const std::size_t j = o * K + k;
      const float aw = abs_w[j], sw = sign_w[j];
      const float* ax = absT + k * P;
      const float* sx = signT + k * P;
      float* d = dcolT == nullptr ? nullptr : dcolT + k * P;
      float& x = xw == nullptr ? unused : xw[j];
      if (d != nullptr && xw != nullptr) {
        minconv_pair_backward<true, true>(ax, sx, gr, P, aw, sw, d, dw[j], x);
      } else if (d != nullptr) {
        minconv_pair_backward<true, false>(ax, sx, gr, P, aw, sw, d, dw[j], x);
      } else if (xw != nullptr) {
        minconv_pair_backward<false, true>(ax, sx, gr, P, aw, sw, d, dw[j], x);
      } else {
        minconv_pair_backward<false, false>(ax, sx, gr, P, aw, sw, d, dw[j], x);
      }
    }
  }
}

}  // namespace minconv::train
