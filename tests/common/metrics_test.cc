#include "common/metrics.h"

#include <catch2/catch.hpp>

namespace spard {
namespace {

TEST_CASE("metrics render in the Prometheus text format", "[common][metrics]") {
  Metrics m;
  Counter* c = m.GetCounter("spard_x_total", "Things", {{"listener", "tcp"}});
  c->Inc(3);
  CHECK(m.GetCounter("spard_x_total", "Things", {{"listener", "tcp"}}) == c);
  m.GetCounter("spard_x_total", "Things", {{"listener", "udp"}})->Inc();
  m.GetGauge("spard_g", "A gauge")->Set(-2);
  m.AddCallbackGauge("spard_cb", "Computed", [] { return 1.5; });
  Histogram* h = m.GetHistogram("spard_h_seconds", "Latency", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = m.Render();
  CHECK(text.find("# TYPE spard_x_total counter\n") != std::string::npos);
  CHECK(text.find("spard_x_total{listener=\"tcp\"} 3\n") != std::string::npos);
  CHECK(text.find("spard_x_total{listener=\"udp\"} 1\n") != std::string::npos);
  CHECK(text.find("spard_g -2\n") != std::string::npos);
  CHECK(text.find("spard_cb 1.5\n") != std::string::npos);
  CHECK(text.find("spard_h_seconds_bucket{le=\"0.1\"} 1\n") != std::string::npos);
  CHECK(text.find("spard_h_seconds_bucket{le=\"1\"} 2\n") != std::string::npos);
  CHECK(text.find("spard_h_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("spard_h_seconds_count 3\n") != std::string::npos);
}

}  // namespace
}  // namespace spard
