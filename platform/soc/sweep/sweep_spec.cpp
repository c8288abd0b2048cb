#include "platform/soc/sweep/sweep_spec.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace minconv::platform::sweep {

namespace {

constexpr uint64_t kMaxPoints = 100000;

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string relative_to(const std::string& folder, const std::string& path) {
  return path.empty() || path[0] == '/' ? path : folder + "/" + path;
}

std::string safe(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  return out;
}

std::vector<std::string> split_path(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream in(key);
  for (std::string p; std::getline(in, p, '.');) parts.push_back(p);
  return parts;
}

// The node at a dotted path of the base configuration (must exist).
// (YAML::Node::operator= assigns through to the tree: walk with reset(), which only rebinds.)
YAML::Node at_path(YAML::Node root, const std::string& key, const std::string& where) {
  YAML::Node node;
  node.reset(root);
  for (const std::string& part : split_path(key)) {
    if (!node.IsMap() || !node[part]) {
      throw config::ConfigError(where + ": error: axis key '" + key +
                                "' is not in the base SoC configuration");
    }
    YAML::Node child = node[part];
    node.reset(child);
  }
  return node;
}

// iso_area: the min array keeps its rows and gets the columns that fit the multiplier array's area.
void apply_iso_area(YAML::Node root, double min_pe, double mul_pe) {
  const YAML::Node accel = root["accel"];
  if (!accel || accel["pe"].Scalar() != "min") return;
  const unsigned rows = accel["rows"].as<unsigned>(), cols = accel["cols"].as<unsigned>();
  const auto fit = static_cast<unsigned>(std::floor(double(rows) * cols * mul_pe / min_pe / rows));
  root["accel"]["cols"] = std::min(64u, std::max(1u, fit));
}

}  // namespace

Spec Spec::from_yaml(const config::YamlMap& root) {
  Spec s;
  s.source = root.file();
  const std::string folder = folder_of(s.source);
  s.name = root.str("name");
  if (s.name.empty() || safe(s.name) != s.name) root.fail("name", "use letters, digits, '.', '-' only");
  s.config_path = relative_to(folder, root.str_or("config", ""));
  s.workload_path = relative_to(folder, root.str_or("workload", ""));
  s.images = root.str_or("images", "");
  s.batch = root.str_or("batch", "");
  std::vector<std::string> keys;
  for (const config::YamlMap& a : root.maps("axes")) {
    Axis axis;
    axis.key = a.str("key");
    if (std::find(keys.begin(), keys.end(), axis.key) != keys.end())
      a.fail("key", "axis '" + axis.key + "' twice");
    keys.push_back(axis.key);
    axis.values = a.scalars("values");
    a.finish();
    s.axes.push_back(axis);
  }
  root.finish();
  if (s.point_count() > kMaxPoints) root.fail("axes", "more than " + std::to_string(kMaxPoints) + " points");
  return s;
}

Spec Spec::load_file(const std::string& path) { return from_yaml(config::YamlMap::load_file(path)); }

uint64_t Spec::point_count() const {
  uint64_t n = 1;
  for (const Axis& a : axes) n = std::min<uint64_t>(n * a.values.size(), kMaxPoints + 1);
  return n;
}

std::vector<Point> expand(const Spec& spec) {
  std::vector<Point> points;
  std::vector<std::size_t> index(spec.axes.size(), 0);
  for (uint64_t n = 0; n < spec.point_count(); ++n) {
    Point p;
    p.index = index;
    for (std::size_t a = 0; a < spec.axes.size(); ++a) {
      const std::string& v = spec.axes[a].values[index[a]];
      p.values.push_back(v);
      const std::string leaf = split_path(spec.axes[a].key).back();
      p.id += (p.id.empty() ? "" : "_") + safe(leaf) + "=" + safe(v);
    }
    if (p.id.empty()) p.id = "base";
    points.push_back(p);
    for (std::size_t a = spec.axes.size(); a-- > 0;) {  // the last axis varies fastest
      if (++index[a] < spec.axes[a].values.size()) break;
      index[a] = 0;
    }
  }
  return points;
}

std::string point_batch(const Spec& spec, const Point& point) {
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    if (spec.axes[a].key == "batch") return point.values[a];
  }
  return spec.batch;
}

std::string point_config(const Spec& spec, const std::string& base_yaml, const Point& point,
                         double min_pe_area, double mul_pe_area) {
  YAML::Node root = YAML::Load(base_yaml);
  bool iso = false;
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    if (spec.axes[a].key == "iso_area") {
      iso = point.values[a] == "true";
      continue;
    }
    if (spec.axes[a].key == "batch") continue;  // a command-line option of the point (point_batch)
    YAML::Node node = at_path(root, spec.axes[a].key, spec.source);
    node = point.values[a];  // sets the value in the tree
  }
  if (iso) apply_iso_area(root, min_pe_area, mul_pe_area);
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace minconv::platform::sweep
