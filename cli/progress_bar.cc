#include "cli/progress_bar.h"

#include <cmath>

#include "cli/table.h"

namespace spard::cli {

namespace {

constexpr auto kRedraw = std::chrono::milliseconds(100);  // at most ten times a second
constexpr size_t kBarWidth = 20;

}  // namespace

std::string GroupDigits(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string FormatBytes(uint64_t n) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (n < 1024) return std::to_string(n) + " B";
  double v = static_cast<double>(n);
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf,
                v < 10    ? "%.2f %s"
                : v < 100 ? "%.1f %s"
                          : "%.0f %s",
                v, kUnits[unit]);
  return buf;
}

std::string FormatDuration(double seconds) {
  if (!(seconds >= 0) || seconds > 360000) return "?";
  auto s = static_cast<uint64_t>(std::llround(seconds));
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

std::string FormatProgress(const ProgressSnapshot& s, size_t width) {
  std::string bar;
  std::string rest;
  const bool sized = s.total_bytes.has_value() && *s.total_bytes > 0;
  if (sized) {
    const double fraction =
        std::min(1.0, static_cast<double>(s.done_bytes) / static_cast<double>(*s.total_bytes));
    const auto filled = static_cast<size_t>(fraction * kBarWidth);
    bar = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]";
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(fraction * 100));
    rest += pct;
    rest += "  " + FormatBytes(s.done_bytes) + "/" + FormatBytes(*s.total_bytes);
  } else {
    rest += FormatBytes(s.done_bytes);
  }
  if (s.checking) {
    rest += "  checking what is stored";
  } else {
    rest += "  " + GroupDigits(static_cast<uint64_t>(std::max(0.0, s.events_per_s))) + " events/s";
  }
  if (sized && s.eta_s) rest += "  ETA " + FormatDuration(*s.eta_s);
  rest += "  " + GroupDigits(s.events) + (s.events == 1 ? " event" : " events");
  rest += "  " + GroupDigits(s.quarantined) + " quarantined";

  std::string line = bar.empty() ? rest : bar + " " + rest;
  if (DisplayWidth(line) > width && !bar.empty()) line = rest;  // the bar goes first
  if (DisplayWidth(line) > width) return Truncate(line, width);
  const size_t room = width - DisplayWidth(line);
  if (room >= 6) line += "  " + Truncate(SanitizeCell(s.name), room - 2);
  return line;
}

ProgressBar::ProgressBar(FILE* err, size_t width) : err_(err), width_(width > 1 ? width - 1 : 1) {}

ProgressBar::~ProgressBar() { Stop(); }

void ProgressBar::Start(const ImportLive* live, std::string name, std::optional<uint64_t> total) {
  Stop();
  live_ = live;
  name_ = std::move(name);
  total_ = total;
  samples_ = 0;
  {
    std::lock_guard lock(mu_);
    running_ = true;
  }
  thread_ = std::thread([this] { Loop(); });
}

void ProgressBar::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_ && !thread_.joinable()) return;
    running_ = false;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::fputs("\r\x1b[K", err_);  // clear the line for what comes next
  std::fflush(err_);
}

void ProgressBar::Loop() {
  std::unique_lock lock(mu_);
  while (running_) {
    cv_.wait_for(lock, kRedraw, [&] { return !running_; });
    if (running_) Draw();
  }
}

void ProgressBar::Draw() {
  const auto now = std::chrono::steady_clock::now();
  Sample cur{now, live_->input_bytes.load(), live_->events.load() + live_->quarantined.load()};
  const size_t n = std::size(window_);
  const Sample& oldest = samples_ < n ? window_[0] : window_[samples_ % n];
  window_[samples_ % n] = cur;
  ++samples_;

  ProgressSnapshot s;
  s.name = name_;
  s.done_bytes = cur.bytes;
  s.total_bytes = total_;
  s.events = live_->events.load();
  s.quarantined = live_->quarantined.load();
  s.checking = live_->skipped_bytes.load() > 0 && s.events == 0 && s.quarantined == 0;
  const double dt = std::chrono::duration<double>(now - oldest.t).count();
  if (samples_ > 1 && dt > 0) {
    s.events_per_s = static_cast<double>(cur.events - oldest.events) / dt;
    const double bytes_per_s = static_cast<double>(cur.bytes - oldest.bytes) / dt;
    if (total_ && bytes_per_s > 0 && *total_ >= cur.bytes) {
      s.eta_s = static_cast<double>(*total_ - cur.bytes) / bytes_per_s;
    }
  }
  const std::string line = "\r" + FormatProgress(s, width_) + "\x1b[K";
  std::fputs(line.c_str(), err_);
  std::fflush(err_);
}

}  // namespace spard::cli
