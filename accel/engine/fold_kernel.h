#pragma once
// The C++ engine's datapath for one fold (CppTileEngine::accumulate): every PE (r, c) of the R x C array sums
// its K steps, acc[r * C + c] = Σ_k pe_step(pe, w[r * K + k], x[c * K + k]), in two's complement int32 (the
// hardware adders wrap). The engine's own code: it does not call the golden model.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sw/golden/pe_kind.h"

namespace minconv::accel {

// Buffers a kernel reuses from fold to fold (no allocation per fold once they have grown).
struct FoldScratch {
  std::vector<int8_t> tails;
};

// The fastest kernel this CPU runs (AVX2 on x86-64 when present, else the portable one). Equal results.
void accumulate_fold(golden::PeKind pe, const int8_t* w, unsigned rows, const int8_t* x, unsigned cols,
                     std::size_t k_steps, int32_t* acc, FoldScratch& scratch);

// The portable kernel (branch-free scalar code), exposed so that tests check it on any host.
void accumulate_fold_portable(golden::PeKind pe, const int8_t* w, unsigned rows, const int8_t* x,
                              unsigned cols, std::size_t k_steps, int32_t* acc);

}  // namespace minconv::accel
