// minconv-regdoc: the register tables of docs/*.md, generated from the register maps in sw/hal/regs/.
//   minconv-regdoc                 print every table
//   minconv-regdoc --check FILE... exit 1 if a file's generated regions differ from the register maps
//   minconv-regdoc --update FILE.. rewrite the generated regions in place
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "sw/hal/regs/regdoc.h"

namespace {

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

int process(const std::string& mode, const std::string& path) {
  std::string text;
  if (!read_file(path, text)) {
    std::cerr << "minconv-regdoc: error: cannot read " << path << "\n";
    return 2;
  }
  int found = 0;
  const std::string generated = minconv::regs::regenerate(text, &found);
  if (found == 0) {
    std::cerr << "minconv-regdoc: error: " << path << " has no <!-- regs:NAME begin --> region\n";
    return 1;
  }
  if (generated == text) return 0;
  if (mode == "--check") {
    std::cerr << "minconv-regdoc: " << path
              << ": register tables differ from sw/hal/regs/ (run minconv-regdoc --update " << path << ")\n";
    return 1;
  }
  std::ofstream out(path, std::ios::binary);
  out << generated;
  return out ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) {
    for (const auto& region : minconv::regs::doc_regions()) {
      std::cout << "<!-- regs:" << region.marker << " begin -->\n"
                << minconv::regs::markdown_table(*region.block) << "<!-- regs:" << region.marker
                << " end -->\n\n";
    }
    return 0;
  }
  const std::string mode = argv[1];
  if ((mode != "--check" && mode != "--update") || argc < 3) {
    std::cerr << "usage: minconv-regdoc [--check|--update FILE...]\n";
    return 2;
  }
  int status = 0;
  for (int i = 2; i < argc; ++i) {
    const int s = process(mode, argv[i]);
    if (s > status) status = s;
  }
  return status;
}
