#include "cli/table.h"

#include <algorithm>
#include <numeric>

namespace spard::cli {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";
constexpr size_t kMinWidth = 4;  // "sub…": still says which column it is

// Decodes the UTF-8 character at s[i]: its length, and *cp (-1 for a byte that does not start a
// valid sequence; then the length is 1).
size_t Decode(std::string_view s, size_t i, int32_t* cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  *cp = -1;
  size_t len;
  int32_t v;
  int32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, v = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, v = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 1;
  }
  if (i + len > s.size()) return 1;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 1;
    v = (v << 6) | (byte(i + k) & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 1;
  *cp = v;
  return len;
}

bool In(int32_t cp, int32_t lo, int32_t hi) { return cp >= lo && cp <= hi; }

size_t CodepointWidth(int32_t cp) {
  if (cp < 0) return 1;
  if (In(cp, 0x0300, 0x036F) || In(cp, 0x1AB0, 0x1AFF) || In(cp, 0x1DC0, 0x1DFF) ||
      In(cp, 0x20D0, 0x20FF) || In(cp, 0xFE20, 0xFE2F) || In(cp, 0x200B, 0x200F) || cp == 0xFEFF) {
    return 0;
  }
  if (In(cp, 0x1100, 0x115F) || In(cp, 0x2E80, 0x303E) || In(cp, 0x3041, 0x33FF) ||
      In(cp, 0x3400, 0x4DBF) || In(cp, 0x4E00, 0x9FFF) || In(cp, 0xA000, 0xA4CF) ||
      In(cp, 0xAC00, 0xD7A3) || In(cp, 0xF900, 0xFAFF) || In(cp, 0xFE30, 0xFE4F) ||
      In(cp, 0xFF00, 0xFF60) || In(cp, 0xFFE0, 0xFFE6) || In(cp, 0x1F300, 0x1F64F) ||
      In(cp, 0x1F900, 0x1F9FF) || In(cp, 0x20000, 0x3FFFD)) {
    return 2;
  }
  return 1;
}

// Characters that must not reach a terminal from log data: controls, and the bidirectional
// overrides that make text display in another order than it is stored.
bool Unsafe(int32_t cp) {
  return cp < 0 || cp < 0x20 || In(cp, 0x7F, 0x9F) || In(cp, 0x202A, 0x202E) ||
         In(cp, 0x2066, 0x2069);
}

}  // namespace

size_t DisplayWidth(std::string_view s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    int32_t cp;
    i += Decode(s, i, &cp);
    w += CodepointWidth(cp);
  }
  return w;
}

std::string SanitizeCell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    int32_t cp;
    size_t n = Decode(s, i, &cp);
    if (cp == '\t') {
      out.push_back(' ');
    } else if (Unsafe(cp)) {
      out.append(kReplacement);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string Truncate(std::string_view s, size_t width) {
  if (DisplayWidth(s) <= width) return std::string(s);
  if (width == 0) return "";
  std::string out;
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    int32_t cp;
    size_t n = Decode(s, i, &cp);
    size_t cw = CodepointWidth(cp);
    if (w + cw > width - 1) break;
    out.append(s.substr(i, n));
    w += cw;
    i += n;
  }
  out.append(kEllipsis);
  return out;
}

std::vector<size_t> FitWidths(const std::vector<size_t>& natural,
                              const std::vector<size_t>& minimum, size_t total, size_t gap) {
  std::vector<size_t> w = natural;
  if (w.empty()) return w;
  size_t gaps = gap * (w.size() - 1);
  size_t avail = total > gaps ? total - gaps : 0;
  size_t sum = std::accumulate(w.begin(), w.end(), size_t{0});
  while (sum > avail) {
    // Narrow the widest column that may still give, down to the next widest (or as far as
    // needed), so that wide free-text columns give way before short ones are touched.
    size_t best = w.size();
    size_t next = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      size_t floor = std::min(minimum[i], natural[i]);
      if (w[i] <= floor) continue;
      if (best == w.size() || w[i] > w[best]) {
        if (best != w.size()) next = std::max(next, w[best]);
        best = i;
      } else {
        next = std::max(next, w[i]);
      }
    }
    if (best == w.size()) break;
    size_t floor = std::min(minimum[best], natural[best]);
    size_t target = std::max({floor, next, w[best] > sum - avail ? w[best] - (sum - avail) : 0});
    if (target >= w[best]) target = w[best] - 1;  // ties: one column at a time
    sum -= w[best] - target;
    w[best] = target;
  }
  return w;
}

Table::Table(std::vector<Column> columns, size_t width, bool color, Output* out, ColorFn color_fn)
    : columns_(std::move(columns)),
      width_(width),
      color_(color),
      out_(out),
      color_fn_(std::move(color_fn)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (std::string& c : cells) c = SanitizeCell(c);
  ++rows_;
  if (!widths_.empty()) {
    WriteRow(cells, false);
    return;
  }
  held_.push_back(std::move(cells));
  if (held_.size() >= kSampleRows) Flush();
}

void Table::Flush() {
  if (widths_.empty()) Layout();
  for (const auto& row : held_) WriteRow(row, false);
  held_.clear();
  held_.shrink_to_fit();
}

void Table::Layout() {
  std::vector<size_t> natural(columns_.size()), minimum(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    size_t header = DisplayWidth(columns_[i].name);
    natural[i] = std::max(header, held_.empty() ? columns_[i].idle_width : 0);
    for (const auto& row : held_) natural[i] = std::max(natural[i], DisplayWidth(row[i]));
    minimum[i] = columns_[i].min_width != 0 ? columns_[i].min_width : kMinWidth;
  }
  widths_ = width_ != 0 ? FitWidths(natural, minimum, width_, kGap) : natural;
  std::vector<std::string> names;
  for (const Column& c : columns_) names.push_back(c.name);
  WriteRow(names, true);
}

void Table::WriteRow(const std::vector<std::string>& cells, bool header) {
  line_.clear();
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string text = width_ != 0 ? Truncate(cells[i], widths_[i]) : cells[i];
    size_t w = DisplayWidth(text);
    std::string_view sgr;
    if (color_) sgr = header ? kBold : (color_fn_ ? color_fn_(i, cells[i]) : std::string_view());
    if (!sgr.empty()) line_.append(sgr);
    line_.append(text);
    if (!sgr.empty()) line_.append(kReset);
    if (i + 1 < cells.size()) line_.append(widths_[i] - std::min(w, widths_[i]) + kGap, ' ');
  }
  line_.push_back('\n');
  out_->Write(line_);
}

}  // namespace spard::cli
