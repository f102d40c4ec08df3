#include "common/metrics.h"

#include <fmt/format.h>

#include <cmath>

namespace spard {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0) sum_micro_.fetch_add(static_cast<uint64_t>(v * 1e6), std::memory_order_relaxed);
}

double Histogram::sum() const { return static_cast<double>(sum_micro_.load()) / 1e6; }

Metrics::Series* Metrics::FindOrAdd(std::string_view name, std::string_view help, Kind kind,
                                    const Labels& labels, bool* created) {
  Family* family = nullptr;
  for (auto& f : families_) {
    if (f->name == name) {
      family = f.get();
      break;
    }
  }
  if (family == nullptr) {
    families_.push_back(
        std::make_unique<Family>(Family{std::string(name), std::string(help), kind, {}}));
    family = families_.back().get();
  }
  for (auto& s : family->series) {
    if (s->labels == labels) {
      *created = false;
      return s.get();
    }
  }
  family->series.push_back(std::make_unique<Series>());
  family->series.back()->labels = labels;
  *created = true;
  return family->series.back().get();
}

Counter* Metrics::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  bool created;
  Series* s = FindOrAdd(name, help, Kind::kCounter, labels, &created);
  if (created) s->counter = std::make_unique<Counter>();
  return s->counter.get();
}

Gauge* Metrics::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  bool created;
  Series* s = FindOrAdd(name, help, Kind::kGauge, labels, &created);
  if (created) s->gauge = std::make_unique<Gauge>();
  return s->gauge.get();
}

Histogram* Metrics::GetHistogram(std::string_view name, std::string_view help,
                                 std::vector<double> bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  bool created;
  Series* s = FindOrAdd(name, help, Kind::kHistogram, labels, &created);
  if (created) s->histogram = std::make_unique<Histogram>(std::move(bounds));
  return s->histogram.get();
}

void Metrics::AddCallbackGauge(std::string_view name, std::string_view help,
                               std::function<double()> fn, const Labels& labels) {
  std::lock_guard lock(mu_);
  bool created;
  Series* s = FindOrAdd(name, help, Kind::kCallback, labels, &created);
  s->fn = std::move(fn);
}

namespace {

std::string LabelText(const Labels& labels, std::string_view extra_key = {},
                      std::string_view extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return {};
  std::string out = "{";
  bool first = true;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_key.empty()) add(extra_key, extra_value);
  out += '}';
  return out;
}

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

}  // namespace

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& f : families_) {
    std::string_view type = f->kind == Kind::kCounter     ? "counter"
                            : f->kind == Kind::kHistogram ? "histogram"
                                                          : "gauge";
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", f->name, f->help,
                   f->name, type);
    for (const auto& s : f->series) {
      switch (f->kind) {
        case Kind::kCounter:
          fmt::format_to(std::back_inserter(out), "{}{} {}\n", f->name, LabelText(s->labels),
                         s->counter->value());
          break;
        case Kind::kGauge:
          fmt::format_to(std::back_inserter(out), "{}{} {}\n", f->name, LabelText(s->labels),
                         s->gauge->value());
          break;
        case Kind::kCallback:
          fmt::format_to(std::back_inserter(out), "{}{} {}\n", f->name, LabelText(s->labels),
                         Number(s->fn()));
          break;
        case Kind::kHistogram: {
          const Histogram& h = *s->histogram;
          uint64_t cumulative = 0;
          for (size_t i = 0; i <= h.bounds().size(); ++i) {
            cumulative += h.bucket(i);
            std::string le = i < h.bounds().size() ? Number(h.bounds()[i]) : "+Inf";
            fmt::format_to(std::back_inserter(out), "{}_bucket{} {}\n", f->name,
                           LabelText(s->labels, "le", le), cumulative);
          }
          fmt::format_to(std::back_inserter(out), "{}_sum{} {}\n{}_count{} {}\n", f->name,
                         LabelText(s->labels), Number(h.sum()), f->name, LabelText(s->labels),
                         h.count());
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace spard
