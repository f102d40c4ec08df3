#include "cli/table.h"

#include <catch2/catch.hpp>

#include <sstream>

namespace spard::cli {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<Table::Column> Columns() {
  return {{"ts", 19, 19}, {"user", 0, 12}, {"object", 0, 20}, {"outcome", 0, 7}};
}

TEST_CASE("display width counts characters, not bytes", "[cli][table]") {
  CHECK(DisplayWidth("anna") == 4);
  CHECK(DisplayWidth("Hemtjänst Norr") == 14);           // ä is two bytes, one column
  CHECK(DisplayWidth("\xE6\x97\xA5\xE6\x9C\xAC") == 4);  // 日本: wide
  CHECK(DisplayWidth("e\xCC\x81") == 1);                 // e + combining acute
  CHECK(DisplayWidth("\xFF") == 1);                      // not UTF-8: one per byte
  CHECK(DisplayWidth("") == 0);
}

TEST_CASE("truncation cuts to the width and ends in an ellipsis", "[cli][table]") {
  CHECK(Truncate("procapita:000123", 20) == "procapita:000123");
  CHECK(Truncate("procapita:000123", 16) == "procapita:000123");
  CHECK(Truncate("procapita:000123", 10) == "procapita\xE2\x80\xA6");
  CHECK(DisplayWidth(Truncate("procapita:000123", 10)) == 9 + 1);
  CHECK(Truncate("Hemtjänst Norr", 6) == "Hemtj\xE2\x80\xA6");
  CHECK(Truncate("abc", 1) == "\xE2\x80\xA6");
  CHECK(Truncate("abc", 0).empty());
  // A wide character that does not fit is left out whole, not split.
  CHECK(Truncate("a\xE6\x97\xA5\xE6\x9C\xAC", 3) == "a\xE2\x80\xA6");
}

TEST_CASE("control characters from log data never reach the terminal", "[cli][table]") {
  CHECK(SanitizeCell("anna\x1b[2Jevil") == "anna\xEF\xBF\xBD[2Jevil");
  CHECK(SanitizeCell("line1\nline2\r") == "line1\xEF\xBF\xBDline2\xEF\xBF\xBD");
  CHECK(SanitizeCell("a\tb") == "a b");
  CHECK(SanitizeCell("\xC2\x9B"
                     "31m") ==
        "\xEF\xBF\xBD"
        "31m");  // C1 CSI
  CHECK(SanitizeCell("\xE2\x80\xAE"
                     "gpj.exe") ==
        "\xEF\xBF\xBD"
        "gpj.exe");  // RLO
  CHECK(SanitizeCell("Hemtjänst") == "Hemtjänst");
}

TEST_CASE("widths: natural when they fit, the widest narrowed first otherwise", "[cli][table]") {
  std::vector<size_t> natural = {19, 8, 40, 7};
  std::vector<size_t> minimum = {19, 4, 6, 7};
  CHECK(FitWidths(natural, minimum, 200, 2) == natural);
  // 19+8+40+7 + 3*2 = 80: exactly fits.
  CHECK(FitWidths(natural, minimum, 80, 2) == natural);
  // 20 columns too many: only the widest gives.
  CHECK(FitWidths(natural, minimum, 60, 2) == std::vector<size_t>{19, 8, 20, 7});
  // So narrow that the wide column reaches the others; then they share the cut.
  auto w = FitWidths({19, 12, 30, 12}, {19, 4, 4, 7}, 50, 2);
  CHECK(w[0] == 19);
  CHECK(w[0] + w[1] + w[2] + w[3] + 6 == 50);
  CHECK(w[2] >= w[1]);
  CHECK(w[2] - w[1] <= 1);
  CHECK(w[3] >= 7);
  // Never below the minimums, even when that does not fit.
  CHECK(FitWidths(natural, minimum, 10, 2) == minimum);
}

TEST_CASE("a table aligns columns, cuts to the terminal width and streams after the sample",
          "[cli][table]") {
  StringOutput out;
  Table t(Columns(), 60, false, &out);
  t.AddRow({"2026-10-05 10:15:00", "anna.a", "procapita:000123", "success"});
  t.AddRow({"2026-10-05 10:16:00", "bo", "treserva:77", "denied"});
  CHECK(out.text().empty());  // held to size the columns
  t.Flush();
  auto lines = Lines(out.text());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "ts                   user    object            outcome");
  CHECK(lines[1] == "2026-10-05 10:15:00  anna.a  procapita:000123  success");
  CHECK(lines[2] == "2026-10-05 10:16:00  bo      treserva:77       denied");
  // After the layout is fixed, rows are written at once, and long values are cut.
  t.AddRow({"2026-10-05 10:17:00", "a.very.long.user.name", "x", "success"});
  lines = Lines(out.text());
  REQUIRE(lines.size() == 4);
  CHECK(lines[3] == "2026-10-05 10:17:00  a.ver\xE2\x80\xA6  x                 success");
  CHECK(t.rows() == 3);
}

TEST_CASE("a narrow terminal narrows the widest column; no line exceeds the width",
          "[cli][table]") {
  StringOutput out;
  Table t(Columns(), 50, false, &out);
  t.AddRow({"2026-10-05 10:15:00", "anna.a", "procapita:a-very-long-record-id-0001", "success"});
  t.Flush();
  for (const std::string& line : Lines(out.text())) {
    INFO(line);
    CHECK(DisplayWidth(line) <= 50);
  }
  CHECK(Lines(out.text())[1] == "2026-10-05 10:15:00  anna.a  procapita:a\xE2\x80\xA6  success");
}

TEST_CASE("not a terminal: no width limit, nothing cut", "[cli][table]") {
  StringOutput out;
  Table t(Columns(), 0, false, &out);
  t.AddRow({"2026-10-05 10:15:00", "anna", "procapita:a-very-long-record-id-0001", "success"});
  t.Flush();
  t.AddRow({"2026-10-05 10:15:00", "a-user-longer-than-the-sample", "x", "success"});
  CHECK(out.text().find("procapita:a-very-long-record-id-0001") != std::string::npos);
  CHECK(out.text().find("a-user-longer-than-the-sample") != std::string::npos);
}

TEST_CASE("the layout is fixed after the sample rows", "[cli][table]") {
  StringOutput out;
  Table t(Columns(), 200, false, &out);
  for (size_t i = 0; i < Table::kSampleRows; ++i) t.AddRow({"t", "u", "o", "success"});
  CHECK(Lines(out.text()).size() == Table::kSampleRows + 1);  // written without a Flush
}

TEST_CASE("follow: with no rows yet the header uses idle widths", "[cli][table]") {
  StringOutput out;
  Table t(Columns(), 200, false, &out);
  t.Flush();
  CHECK(out.text() == "ts                   user          object                outcome\n");
}

TEST_CASE("colors wrap cells but do not count toward widths", "[cli][table]") {
  StringOutput out;
  Table t(Columns(), 80, true, &out, [](size_t column, std::string_view cell) {
    return column == 3 && cell == "denied" ? std::string_view("\x1b[31m") : std::string_view();
  });
  t.AddRow({"2026-10-05 10:16:00", "bo", "treserva:77", "denied"});
  t.AddRow({"2026-10-05 10:16:00", "bo", "treserva:77", "success"});
  t.Flush();
  auto lines = Lines(out.text());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].starts_with("\x1b[1mts\x1b[0m"));
  CHECK(lines[1] == "2026-10-05 10:16:00  bo    treserva:77  \x1b[31mdenied\x1b[0m");
  CHECK(lines[2] == "2026-10-05 10:16:00  bo    treserva:77  success");
}

}  // namespace
}  // namespace spard::cli
