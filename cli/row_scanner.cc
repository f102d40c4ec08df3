#include "cli/row_scanner.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>

#include "common/time_format.h"

namespace spard::cli {

size_t RowScanner::RowEnd(std::string_view s) {
  if (format_ == WireFormat::kNdjson) {
    size_t nl = s.find('\n');
    return nl == std::string_view::npos ? nl : nl + 1;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    i = s.find_first_of(in_quotes_ ? std::string_view("\"") : std::string_view("\"\n"), i);
    if (i == std::string_view::npos) return i;
    if (s[i] == '"') {
      in_quotes_ = !in_quotes_;
    } else {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

Status RowScanner::Feed(std::string_view piece, const RowFn& on_row) {
  auto emit = [&](std::string_view row) {
    if (format_ == WireFormat::kNdjson) row.remove_suffix(1);  // the '\n'
    return on_row(row);
  };
  if (!partial_.empty()) {
    // Only the new bytes are scanned: the quote state already covers what partial_ holds.
    size_t end = RowEnd(piece);
    if (end == std::string_view::npos) {
      partial_.append(piece);
      return Status::Ok();
    }
    partial_.append(piece.substr(0, end));
    piece.remove_prefix(end);
    SPARD_RETURN_IF_ERROR(emit(partial_));
    partial_.clear();  // keeps its capacity for the next straddling row
  }
  while (!piece.empty()) {
    size_t end = RowEnd(piece);
    if (end == std::string_view::npos) {
      partial_.assign(piece);
      return Status::Ok();
    }
    SPARD_RETURN_IF_ERROR(emit(piece.substr(0, end)));
    piece.remove_prefix(end);
  }
  return Status::Ok();
}

Status RowScanner::Finish() const {
  if (!partial_.empty()) {
    return Status::Corruption("the answer ended inside a row; the output is incomplete");
  }
  return Status::Ok();
}

namespace {

Status BadRow(std::string_view row) {
  return Status::Corruption("unexpected row from spard: " + std::string(row.substr(0, 80)));
}

bool ParseId(std::string_view s, uint64_t* id) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  return ec == std::errc() && p == s.data() + s.size();
}

// The general path for an ndjson row whose first fields are not in spard's usual order.
Status JsonPosition(std::string_view row, uint64_t* id, int64_t* ts_us) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(row);
  auto doc = parser.iterate(padded);
  std::string_view ts;
  if (doc.error() || doc.find_field_unordered("id").get_uint64().get(*id) ||
      doc.find_field_unordered("ts").get_string().get(ts) || !ParseRfc3339(ts, ts_us)) {
    return BadRow(row);
  }
  return Status::Ok();
}

}  // namespace

Status RowPosition(WireFormat format, std::string_view row, uint64_t* id, int64_t* ts_us) {
  if (format == WireFormat::kCsv) {
    size_t c1 = row.find(',');
    size_t c2 = c1 == std::string_view::npos ? c1 : row.find(',', c1 + 1);
    if (c2 == std::string_view::npos || !ParseId(row.substr(0, c1), id) ||
        !ParseRfc3339(row.substr(c1 + 1, c2 - c1 - 1), ts_us)) {
      return BadRow(row);
    }
    return Status::Ok();
  }
  // Fast path: {"id":N,"ts":"T", — how spard writes every row.
  constexpr std::string_view kId = "{\"id\":";
  constexpr std::string_view kTs = ",\"ts\":\"";
  if (row.starts_with(kId)) {
    size_t id_end = row.find(',', kId.size());
    if (id_end != std::string_view::npos &&
        ParseId(row.substr(kId.size(), id_end - kId.size()), id) &&
        row.substr(id_end).starts_with(kTs)) {
      size_t ts_begin = id_end + kTs.size();
      size_t ts_end = row.find('"', ts_begin);
      if (ts_end != std::string_view::npos &&
          ParseRfc3339(row.substr(ts_begin, ts_end - ts_begin), ts_us)) {
        return Status::Ok();
      }
    }
  }
  return JsonPosition(row, id, ts_us);
}

}  // namespace spard::cli
