#include "platform/config/yaml_text.h"

#include <map>
#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>

#include "platform/config/yaml_map.h"

namespace minconv::config {

namespace {

std::string at(const std::string& name, std::size_t line, std::size_t col) {
  return name + ":" + std::to_string(line) + ":" + std::to_string(col) + ": error: ";
}

void check_nul(const std::string& text, const std::string& name) {
  const std::size_t nul = text.find('\0');
  if (nul == std::string::npos) return;
  const std::size_t line_start = text.rfind('\n', nul) == std::string::npos ? 0 : text.rfind('\n', nul) + 1;
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + nul, '\n'));
  throw ConfigError(at(name, line, nul - line_start + 1) + "a NUL byte: this is not a text file");
}

// A quoted value must end on the line where it starts (our files never need multi-line quoted scalars,
// and an unterminated quote otherwise swallows the following keys).
void check_quotes(const std::string& text, const std::string& name) {
  std::size_t line = 1, col = 0, open_col = 0;
  char quote = 0;
  bool comment = false;
  char prev = ' ';
  for (char c : text) {
    ++col;
    if (c == '\n') {
      if (quote != 0) {
        throw ConfigError(at(name, line, open_col) + "unterminated quoted value (the " +
                          std::string(quote == '"' ? "double" : "single") +
                          " quote opened here is not closed on its line)");
      }
      ++line;
      col = 0;
      comment = false;
      prev = ' ';
      continue;
    }
    if (comment) continue;
    if (quote == 0 && c == '#' && (prev == ' ' || prev == '\t' || col == 1))
      comment = true;
    else if (quote == 0 && (c == '"' || c == '\'') &&
             (prev == ' ' || prev == ':' || prev == '[' || prev == '{' || prev == ',' || prev == '-' ||
              col == 1)) {
      quote = c;
      open_col = col;
    } else if (quote == '"' && c == '"' && prev != '\\') {
      quote = 0;
    } else if (quote == '\'' && c == '\'') {
      quote = 0;  // '' inside a single-quoted value reopens at once: still balanced per line
    }
    prev = c;
  }
  if (quote != 0)
    throw ConfigError(at(name, line, open_col) + "unterminated quoted value at the end of the file");
}

void check_duplicates(const YAML::Node& node, const std::string& name) {
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) check_duplicates(item, name);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, std::size_t> seen;  // key -> line
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Mark m = it->first.Mark();
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    const auto [where, fresh] = seen.emplace(key, m.line + 1);
    if (!fresh) {
      throw ConfigError(at(name, m.line + 1, m.column + 1) + "key '" + key +
                        "' is given twice in this mapping " + "(first on line " +
                        std::to_string(where->second) + ")");
    }
    check_duplicates(it->second, name);
  }
}

// Where each document of a stream starts (the mark of its root node) and whether its root is empty. Used
// instead of YAML::LoadAll, which loops forever, allocating, on a stray ',' outside [ ] / { } (yaml-cpp
// 0.7, jbeder/yaml-cpp#1040, fixed upstream by #1319 the same way: stop at the first empty root).
class DocumentRoots : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> roots;
  bool empty_root = false;
  void OnDocumentStart(const YAML::Mark&) override { depth_ = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { empty_root = root(m) || empty_root; }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { root(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override {
    root(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    root(m);
    ++depth_;
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    root(m);
    ++depth_;
  }
  void OnMapEnd() override { --depth_; }

 private:
  bool root(const YAML::Mark& m) {  // true for a document's root node
    if (depth_ != 0) return false;
    roots.push_back(m);
    return true;
  }
  int depth_ = 0;
};

// The root marks of the first documents of `text`, at most two, stopping at an empty one.
std::vector<YAML::Mark> document_roots(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentRoots docs;
  while (docs.roots.size() < 2 && !docs.empty_root && parser.HandleNextDocument(docs)) {
  }
  return docs.roots;
}

}  // namespace

YAML::Node parse_yaml_text(const std::string& text, const std::string& name) {
  check_nul(text, name);
  check_quotes(text, name);
  std::vector<YAML::Mark> roots;
  YAML::Node doc;
  try {
    roots = document_roots(text);
    if (!roots.empty()) doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(at(name, e.mark.line + 1, e.mark.column + 1) + "YAML syntax: " + e.msg);
  }
  if (roots.size() > 1) {
    throw ConfigError(at(name, roots[1].line + 1, 1) +
                      "a second YAML document ('---'): a configuration file holds exactly one");
  }
  if (!doc.IsMap()) throw ConfigError(at(name, 1, 1) + "the document must be a mapping of keys to values");
  check_duplicates(doc, name);
  return doc;
}

}  // namespace minconv::config
