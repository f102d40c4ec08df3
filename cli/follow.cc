#include "cli/follow.h"

#include <algorithm>
#include <set>
#include <utility>

#include "cli/interrupt.h"
#include "common/time_format.h"

namespace spard::cli {

namespace {

// Passes on rows not printed before; remembers the printed ones inside the window.
class FollowSink final : public RowSink {
 public:
  FollowSink(EventOutput* out, int64_t start_us, int64_t lag_us)
      : out_(out), start_us_(start_us), lag_us_(lag_us), newest_us_(start_us) {}

  // Where the next poll starts, given the time now.
  int64_t WindowStart(int64_t now_us) const {
    return std::max(start_us_, std::min(newest_us_, now_us) - lag_us_);
  }
  void BeginPoll(int64_t now_us) { now_us_ = now_us; }
  uint64_t printed() const { return printed_; }

  Status Header(std::string_view record) override { return out_->Header(record); }

  Status Row(const EventRow& row) override {
    if (!seen_.emplace(row.ts_us, row.id).second) return Status::Ok();
    newest_us_ = std::max(newest_us_, row.ts_us);
    ++printed_;
    // Forget what the next window cannot contain (the window start only moves forward).
    const int64_t floor = WindowStart(now_us_);
    while (!seen_.empty() && seen_.begin()->first < floor) seen_.erase(seen_.begin());
    return out_->Row(row);
  }

  Status PageEnd() override { return out_->PageEnd(); }

 private:
  EventOutput* out_;
  const int64_t start_us_;
  const int64_t lag_us_;
  int64_t newest_us_;
  int64_t now_us_ = 0;
  uint64_t printed_ = 0;
  std::set<std::pair<int64_t, uint64_t>> seen_;  // (ts, id) printed, ts >= the window start
};

}  // namespace

Status Follow(HttpClient* http, const EventQuery& query, const FollowOptions& options,
              const Clock& clock, EventOutput* out,
              const std::function<void(std::string_view)>& note, uint64_t* rows) {
  FollowSink sink(out, options.start_us,
                  std::chrono::duration_cast<std::chrono::microseconds>(options.lag).count());
  auto stop = options.stop ? options.stop : [] { return Interrupted(); };
  bool down = false;
  Status result;
  while (!stop()) {
    const int64_t now = clock.NowMicros();
    sink.BeginPoll(now);
    EventQuery poll = query;
    poll.filters.emplace_back("from", FormatRfc3339(sink.WindowStart(now)));
    poll.descending = false;
    poll.limit = 0;
    EventPager pager(http, poll);
    Status s = pager.Run(&sink);
    if (Interrupted()) break;
    if (s.ok() && down) {
      note("spard answers again");
      down = false;
    } else if (s.code() == Status::Code::kUnavailable) {
      if (!down) note(s.message() + "; still trying (Ctrl-C stops)");
      down = true;
    } else if (!s.ok()) {
      result = s;
      break;
    }
    SPARD_RETURN_IF_ERROR(sink.PageEnd());
    if (!SleepFor(options.interval)) break;
  }
  *rows = sink.printed();
  return result;
}

}  // namespace spard::cli
