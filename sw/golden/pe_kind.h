#pragma once
// The one PE kind of the whole project: the golden model, the accelerator (AccelParams::pe, YAML
// `pe: min | mul`), the RTL bridge and the accelerator's PE_KIND register (whose value is the enumerator's).
#include <cstdint>

namespace minconv::golden {

enum class PeKind : uint32_t { kMin = 0, kMul = 1 };

}  // namespace minconv::golden
