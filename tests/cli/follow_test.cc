#include "cli/follow.h"

#include <catch2/catch.hpp>

#include "fake_spard.h"

namespace spard::cli {
namespace {

using testing::FakeSpard;

constexpr int64_t kT = 1'790'000'000'000'000;
constexpr int64_t kSecond = 1'000'000;

struct Ids final : public EventOutput {
  std::vector<uint64_t> ids;
  Status Header(std::string_view) override { return Status::Ok(); }
  Status Row(const EventRow& row) override {
    ids.push_back(row.id);
    return Status::Ok();
  }
  Status PageEnd() override { return Status::Ok(); }
  Status Finish(uint64_t, bool) override { return Status::Ok(); }
};

struct Run {
  FakeSpard fake;
  ManualClock clock{kT};
  Ids out;
  std::vector<std::string> notes;
  int polls = 0;
  int max_polls = 0;
  uint64_t rows = 0;

  Status Go(int n) {
    max_polls = n;
    FollowOptions o;
    o.start_us = kT;
    o.interval = std::chrono::milliseconds(0);
    o.lag = std::chrono::seconds(10);
    o.stop = [this] { return polls >= max_polls; };
    fake.before = [this](FakeSpard* f) { Between(f, ++polls); };
    EventQuery q;
    q.filters = {{"system", "procapita"}};
    return Follow(
        &fake, q, o, clock, &out, [this](std::string_view note) { notes.emplace_back(note); },
        &rows);
  }
  std::function<void(FakeSpard*, int)> between;
  void Between(FakeSpard* f, int poll) {
    if (between) between(f, poll);
  }
};

TEST_CASE("follow prints new events once, late ones within the lag, in arrival order",
          "[cli][follow]") {
  Run r;
  r.fake.Add(kT - 20 * kSecond);  // 1: before the start
  r.fake.Add(kT + 1 * kSecond);   // 2
  r.between = [&](FakeSpard* f, int poll) {
    if (poll == 2) {
      r.clock.Set(kT + 60 * kSecond);
      f->Add(kT + 30 * kSecond);  // 3: new
      f->Add(kT + kSecond / 2);   // 4: late, but within --lag of the newest seen
    } else if (poll == 3) {
      f->Add(kT + 15 * kSecond);    // 5: later than --lag behind the newest (30s): missed
      f->Add(kT + 25 * kSecond);    // 6: within
      f->Add(kT + 3600 * kSecond);  // 7: a source with its clock an hour ahead
    } else if (poll == 4) {
      f->Add(kT + 55 * kSecond);  // 8: the future event must not hide this one
    }
  };
  REQUIRE(r.Go(5).ok());
  CHECK(r.out.ids == std::vector<uint64_t>{2, 4, 3, 6, 7, 8});
  CHECK(r.rows == 6);
  // Every poll asks from a window start, ascending, for everything.
  for (const std::string& req : r.fake.requests) {
    CHECK(req.find("system=procapita") != std::string::npos);
    CHECK(req.find("from=") != std::string::npos);
    CHECK(req.find("order=desc") == std::string::npos);
  }
  CHECK(r.fake.requests.size() == 5);
}

TEST_CASE("follow rides out a lost connection and says so once each way", "[cli][follow]") {
  Run r;
  r.fake.Add(kT + kSecond);
  r.between = [&](FakeSpard* f, int poll) {
    if (poll == 2 || poll == 3) f->fail_transport = Status::Unavailable("cannot connect to x");
    if (poll == 3) f->Add(kT + 2 * kSecond);
  };
  REQUIRE(r.Go(5).ok());
  CHECK(r.out.ids == std::vector<uint64_t>{1, 2});
  REQUIRE(r.notes.size() == 2);
  CHECK(r.notes[0].starts_with("cannot connect to x"));
  CHECK(r.notes[1] == "spard answers again");
}

TEST_CASE("follow stops on an error that retrying cannot fix", "[cli][follow]") {
  Run r;
  r.between = [&](FakeSpard* f, int poll) {
    if (poll == 2) f->fail_status = 401;
  };
  Status s = r.Go(5);
  CHECK(s.code() == Status::Code::kUnauthenticated);
  CHECK(r.polls == 2);
}

}  // namespace
}  // namespace spard::cli
