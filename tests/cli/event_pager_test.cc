#include "cli/event_pager.h"

#include <catch2/catch.hpp>

#include "fake_spard.h"

namespace spard::cli {
namespace {

using testing::FakeSpard;

constexpr int64_t kT0 = 1'790'000'000'000'000;  // 2026-09-21, in µs

struct Collected final : public RowSink {
  std::vector<std::pair<int64_t, uint64_t>> rows;  // (ts, id)
  std::string text;
  int headers = 0;
  int pages = 0;
  Status Header(std::string_view record) override {
    ++headers;
    text += record;
    return Status::Ok();
  }
  Status Row(const EventRow& row) override {
    rows.emplace_back(row.ts_us, row.id);
    text += row.text;
    return Status::Ok();
  }
  Status PageEnd() override {
    ++pages;
    return Status::Ok();
  }
};

// 40 events; runs of equal ts (5 at kT0+10s, 12 at kT0+20s) longer than small pages.
void Populate(FakeSpard* fake) {
  for (int i = 0; i < 10; ++i) fake->Add(kT0 + i * 1000);
  for (int i = 0; i < 5; ++i) fake->Add(kT0 + 10'000'000);
  for (int i = 0; i < 12; ++i) fake->Add(kT0 + 20'000'000);
  for (int i = 0; i < 13; ++i) fake->Add(kT0 + 30'000'000 + i);
  std::swap(fake->events[3], fake->events[30]);  // storage order does not matter
}

std::vector<std::pair<int64_t, uint64_t>> Expected(const FakeSpard& fake, bool desc) {
  std::vector<std::pair<int64_t, uint64_t>> all;
  for (const auto& e : fake.events) all.emplace_back(e.ts_us, e.id);
  std::sort(all.begin(), all.end());
  if (desc) std::reverse(all.begin(), all.end());
  return all;
}

TEST_CASE("paging returns every event once, in order, for any page size and order",
          "[cli][pager]") {
  for (bool desc : {false, true}) {
    for (size_t page : {1, 2, 3, 4, 5, 7, 12, 13, 39, 40, 41, 10000}) {
      for (WireFormat wire : {WireFormat::kNdjson, WireFormat::kCsv}) {
        INFO("desc " << desc << " page " << page << " csv " << (wire == WireFormat::kCsv));
        FakeSpard fake;
        Populate(&fake);
        EventQuery q;
        q.descending = desc;
        q.limit = 0;
        q.page_size = page;
        q.wire = wire;
        EventPager pager(&fake, q);
        Collected got;
        REQUIRE(pager.Run(&got).ok());
        CHECK(got.rows == Expected(fake, desc));
        CHECK(pager.rows() == 40);
        CHECK_FALSE(pager.more());
        CHECK(got.headers == (wire == WireFormat::kCsv ? 1 : 0));
      }
    }
  }
}

TEST_CASE("a page costs one request, plus one small one to continue after a full page",
          "[cli][pager]") {
  FakeSpard fake;
  for (int i = 0; i < 25; ++i) fake.Add(kT0 + i);
  EventQuery q;
  q.limit = 0;
  q.page_size = 10;
  EventPager pager(&fake, q);
  Collected got;
  REQUIRE(pager.Run(&got).ok());
  CHECK(got.rows.size() == 25);
  REQUIRE(fake.requests.size() == 5);  // page, resume, page, resume, last (short) page
  CHECK(fake.requests[0] == "/v1/events?limit=10&format=ndjson");
  CHECK(fake.requests[1].find("limit=1&format=json") != std::string::npos);
  CHECK(fake.requests[1].find("from=") != std::string::npos);
  CHECK(fake.requests[2].find("format=ndjson&cursor=") != std::string::npos);
  CHECK(got.pages == 3);
}

TEST_CASE("a limit stops exactly there and tells whether more match", "[cli][pager]") {
  for (uint64_t limit : {1, 9, 10, 11, 25, 39}) {
    INFO("limit " << limit);
    FakeSpard fake;
    Populate(&fake);
    EventQuery q;
    q.limit = limit;
    q.page_size = 10;
    EventPager pager(&fake, q);
    Collected got;
    REQUIRE(pager.Run(&got).ok());
    auto want = Expected(fake, false);
    want.resize(limit);
    CHECK(got.rows == want);
    CHECK(pager.more());
  }
  for (uint64_t limit : {40, 41, 1000}) {
    FakeSpard fake;
    Populate(&fake);
    EventQuery q;
    q.limit = limit;
    q.page_size = 10;
    EventPager pager(&fake, q);
    Collected got;
    REQUIRE(pager.Run(&got).ok());
    CHECK(got.rows.size() == 40);
    CHECK_FALSE(pager.more());
  }
}

TEST_CASE("the user's filters and window stay in every request", "[cli][pager]") {
  FakeSpard fake;
  for (int i = 0; i < 30; ++i) fake.Add(kT0 + i * 1'000'000, i % 2 ? "anna" : "bo");
  EventQuery q;
  q.filters = {{"user", "anna"},
               {"from", FormatRfc3339(kT0 + 4'000'000)},
               {"to", FormatRfc3339(kT0 + 25'000'000)}};
  q.limit = 0;
  q.page_size = 3;
  for (bool desc : {false, true}) {
    q.descending = desc;
    EventPager pager(&fake, q);
    Collected got;
    REQUIRE(pager.Run(&got).ok());
    std::vector<uint64_t> ids;
    for (auto [ts, id] : got.rows) ids.push_back(id);
    std::vector<uint64_t> want = {6, 8, 10, 12, 14, 16, 18, 20, 22, 24};
    if (desc) std::reverse(want.begin(), want.end());
    CHECK(ids == want);
  }
  for (const std::string& r : fake.requests) CHECK(r.find("user=anna") != std::string::npos);
}

TEST_CASE("csv: the header once, then every page's records as the server wrote them",
          "[cli][pager]") {
  FakeSpard fake;
  for (int i = 0; i < 5; ++i) fake.Add(kT0 + i);
  EventQuery q;
  q.limit = 0;
  q.page_size = 2;
  q.wire = WireFormat::kCsv;
  EventPager pager(&fake, q);
  Collected got;
  REQUIRE(pager.Run(&got).ok());
  CHECK(got.headers == 1);
  CHECK(got.text.find("id,ts,") == 0);
  CHECK(got.text.find("id,ts,", 1) == std::string::npos);
  size_t records = 0;
  for (size_t p = 0; (p = got.text.find(",{}\r\n", p)) != std::string::npos; ++p) ++records;
  CHECK(records == 5);
  CHECK(got.text.find("\"multi\r\nline\"") != std::string::npos);
}

TEST_CASE("server errors stop the pager with their status", "[cli][pager]") {
  FakeSpard fake;
  for (int i = 0; i < 5; ++i) fake.Add(kT0 + i);
  EventQuery q;
  q.filters = {{"from", "not-a-time"}};
  EventPager bad(&fake, q);
  Collected got;
  Status s = bad.Run(&got);
  CHECK(s.IsInvalidArgument());
  CHECK(s.message().find("from:") != std::string::npos);

  q.filters.clear();
  q.page_size = 2;
  q.limit = 0;
  int calls = 0;
  fake.before = [&](FakeSpard* f) {
    if (++calls == 3) f->fail_status = 503;
  };
  EventPager failing(&fake, q);
  Collected partial;
  Status down = failing.Run(&partial);
  CHECK(down.code() == Status::Code::kUnavailable);
  CHECK(partial.rows.size() == 2);
}

TEST_CASE("newest first: an event added at the same instant mid-paging is an error, not a gap",
          "[cli][pager]") {
  FakeSpard fake;
  for (int i = 0; i < 4; ++i) fake.Add(kT0);
  EventQuery q;
  q.descending = true;
  q.limit = 0;
  q.page_size = 2;
  int calls = 0;
  fake.before = [&](FakeSpard* f) {
    if (++calls == 2) f->Add(kT0);  // between the first page and its resume
  };
  EventPager pager(&fake, q);
  Collected got;
  Status s = pager.Run(&got);
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.message().find("changed") != std::string::npos);
}

TEST_CASE("oldest first: events added while paging are picked up, none twice", "[cli][pager]") {
  FakeSpard fake;
  for (int i = 0; i < 4; ++i) fake.Add(kT0);
  EventQuery q;
  q.limit = 0;
  q.page_size = 2;
  int calls = 0;
  fake.before = [&](FakeSpard* f) {
    if (++calls == 2) f->Add(kT0);  // same instant, higher id: after everything so far
  };
  EventPager pager(&fake, q);
  Collected got;
  REQUIRE(pager.Run(&got).ok());
  CHECK(got.rows.size() == 5);
}

}  // namespace
}  // namespace spard::cli
