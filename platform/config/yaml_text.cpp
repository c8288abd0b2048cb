#include "platform/config/yaml_text.h"

#include <map>

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

}  // namespace

YAML::Node parse_yaml_text(const std::string& text, const std::string& name) {
  check_nul(text, name);
  check_quotes(text, name);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(at(name, e.mark.line + 1, e.mark.column + 1) + "YAML syntax: " + e.msg);
  }
  if (docs.size() > 1) {
    throw ConfigError(at(name, docs[1].Mark().line + 1, 1) +
                      "a second YAML document ('---'): a configuration file holds exactly one");
  }
  if (docs.empty() || !docs[0].IsMap()) {
    throw ConfigError(at(name, 1, 1) + "the document must be a mapping of keys to values");
  }
  check_duplicates(docs[0], name);
  return docs[0];
}

}  // namespace minconv::config
