#pragma once
// The portable dot_int8 kernel (int8_dot.cpp), exposed so that tests check it on any host; dot_int8 itself
// runs the fastest kernel of the CPU (int8_ops.h). Not part of the golden model's interface.
#include <cstddef>
#include <cstdint>

#include "sw/golden/pe_kind.h"

namespace minconv::golden::detail {

int64_t dot_int8_portable(PeKind kind, const int8_t* a, const int8_t* b, std::size_t n);

}  // namespace minconv::golden::detail
