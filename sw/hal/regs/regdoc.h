#pragma once
// Markdown register tables generated from the register maps, and the docs regions that hold them. The
// docs mark each generated table with `<!-- regs:NAME begin -->` ... `<!-- regs:NAME end -->`;
// minconv-regdoc rewrites or checks them (ctest docs.register_tables). Plain C++, no SystemC.
#include <string>
#include <vector>

#include "sw/hal/regs/regmap.h"

namespace minconv::regs {

// One generated region: its marker name and the block it documents.
struct DocRegion {
  const char* marker;  // NAME in the markers
  const Block* block;
};

// Every register table in the docs: accel (docs/accelerator.md), dma, dma_channel, irq (docs/platform.md).
const std::vector<DocRegion>& doc_regions();

// The markdown table of a block: offset, name, access, reset value, fields, meaning.
std::string markdown_table(const Block& block);

// `text` with every generated region for which it has markers replaced by the generated table. `found`
// receives the number of regions replaced.
std::string regenerate(const std::string& text, int* found = nullptr);

}  // namespace minconv::regs
