#include "sw/hal/regs/regdoc.h"

#include <cstdio>

#include "sw/hal/regs/accel_regs.h"
#include "sw/hal/regs/dma_regs.h"
#include "sw/hal/regs/irq_regs.h"

namespace minconv::regs {

namespace {

std::string hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}

std::string bits(const Field& f) {
  const int msb = f.lsb + f.width - 1;
  return f.width == 1 ? std::to_string(f.lsb) : std::to_string(msb) + ":" + std::to_string(f.lsb);
}

std::string fields_text(const Register& r) {
  std::string out;
  for (const Field& f : r.fields) {
    if (!out.empty()) out += ", ";
    out += bits(f) + " " + f.name;
    if (f.access != r.access) out += std::string(" (") + access_name(f.access) + ")";
  }
  return out.empty() ? "31:0" : out;
}

std::string reset_text(const Register& r) {
  if (r.reset_kind == Reset::kConfig) return "config";
  return r.reset < 0x1000 ? std::to_string(r.reset) : hex(r.reset, 8);
}

}  // namespace

const std::vector<DocRegion>& doc_regions() {
  static const std::vector<DocRegion> regions = {
      {"accel", &accel::kBlock},
      {"dma", &dma::kGlobalBlock},
      {"dma_channel", &dma::kChannelBlock},
      {"irq", &irq::kBlock},
  };
  return regions;
}

std::string markdown_table(const Block& block) {
  std::string out =
      "| offset | name | access | reset | fields | meaning |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const Register& r : block.registers) {
    out += "| " + hex(r.offset, 3) + " | " + r.name + " | " + access_name(r.access) + " | " + reset_text(r) +
           " | " + fields_text(r) + " | " + r.doc + " |\n";
  }
  return out;
}

std::string regenerate(const std::string& text, int* found) {
  std::string out = text;
  int n = 0;
  for (const DocRegion& region : doc_regions()) {
    const std::string begin = std::string("<!-- regs:") + region.marker + " begin";
    const std::string end = std::string("<!-- regs:") + region.marker + " end -->";
    const std::size_t b = out.find(begin);
    if (b == std::string::npos) continue;
    const std::size_t body = out.find("-->\n", b);
    const std::size_t e = out.find(end, b);
    if (body == std::string::npos || e == std::string::npos || body > e) continue;
    out.replace(body + 4, e - (body + 4), markdown_table(*region.block));
    ++n;
  }
  if (found != nullptr) *found = n;
  return out;
}

}  // namespace minconv::regs
