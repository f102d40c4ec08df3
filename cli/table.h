// Table: spar's output on a terminal — aligned columns sized from the first rows, cut to the
// terminal's width with an ellipsis, streamed row by row after that (never all rows in memory).
//
// Log data is untrusted: cells are sanitised so that control characters in a user name or an
// object cannot move the cursor or restyle the terminal.
//
// Thread-safety: the free functions are pure; a Table is used by one thread.

#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output.h"

namespace spard::cli {

// Columns a UTF-8 string takes on a terminal: East Asian wide characters and most emoji count 2,
// combining marks and zero-width characters 0, every other character (and every byte that is not
// valid UTF-8) 1.
size_t DisplayWidth(std::string_view s);

// s for a terminal cell: C0 and C1 control characters and DEL become U+FFFD, tab a space.
std::string SanitizeCell(std::string_view s);

// s cut to at most `width` display columns, ending in "…" when it was cut.
std::string Truncate(std::string_view s, size_t width);

// Column widths for a table at most `total` columns wide with `gap` columns between neighbours:
// `natural` when that fits; otherwise the widest columns are narrowed first, none below its
// `minimum` (when even the minimums do not fit, the minimums).
std::vector<size_t> FitWidths(const std::vector<size_t>& natural,
                              const std::vector<size_t>& minimum, size_t total, size_t gap);

class Table {
 public:
  struct Column {
    std::string name;
    size_t min_width = 0;    // never narrowed below this (0: 4 columns, or natural if narrower)
    size_t idle_width = 12;  // the width when no row has been seen yet (`events --follow`)
  };
  // An ANSI SGR sequence ("\x1b[31m") for a cell, or "" for none. Only called when coloring.
  using ColorFn = std::function<std::string_view(size_t column, std::string_view cell)>;

  static constexpr size_t kGap = 2;
  static constexpr size_t kSampleRows = 1000;

  // width: the terminal's width; 0 when not a terminal (columns then never cut a value).
  Table(std::vector<Column> columns, size_t width, bool color, Output* out, ColorFn color_fn = {});
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // Adds a row (one cell per column). The first kSampleRows rows are held to size the columns.
  void AddRow(std::vector<std::string> cells);
  // Fixes the layout if not yet done (from the rows held, or idle widths when none) and writes
  // what is held. Called at page ends, so a terminal sees rows without waiting for the sample.
  void Flush();
  size_t rows() const { return rows_; }

 private:
  void Layout();
  void WriteRow(const std::vector<std::string>& cells, bool header);

  std::vector<Column> columns_;
  size_t width_;
  bool color_;
  Output* out_;
  ColorFn color_fn_;
  std::vector<std::vector<std::string>> held_;
  std::vector<size_t> widths_;  // empty until Layout()
  size_t rows_ = 0;
  std::string line_;
};

}  // namespace spard::cli
