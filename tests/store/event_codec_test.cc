#include "store/event_codec.h"

#include <catch2/catch.hpp>

namespace spard {
namespace {

Event Sample() {
  Event e(
      std::string("<34>1 2026-10-05T08:15:00Z host procapita - - [a user=\"u1\"] \xff msg", 60));
  std::string_view raw = e.raw();
  e.set_field(Field::kSystem, raw.substr(raw.find("procapita"), 9));  // slice of raw
  e.set_field(Field::kUser, raw.substr(raw.find("u1"), 2));
  e.set_field(Field::kObject, "case \"7\"");  // unescaped: not in raw, stored inline
  e.add_attr(raw.substr(raw.find("host"), 4), "value not in raw");
  e.ts_us = 1759652100000000;
  e.has_ts = true;
  e.received_us = 1759652100250000;
  e.format = Format::kRfc5424;
  e.listener = Listener::kTcp;
  e.flags = kEventFlagTruncated;
  e.peer = "10.0.0.7:51234";
  return e;
}

TEST_CASE("events round-trip, fields in raw stored as references", "[store][event_codec]") {
  Event e = Sample();
  CHECK(e.field_in_raw(Field::kSystem));
  CHECK_FALSE(e.field_in_raw(Field::kObject));
  std::string value;
  EncodeEvent(e, &value);
  EventView v;
  REQUIRE(DecodeEvent(value, &v));
  CHECK(v.raw == e.raw());
  CHECK(v.ts_us == e.ts_us);
  CHECK(v.received_us == e.received_us);
  CHECK(v.format == Format::kRfc5424);
  CHECK(v.listener == Listener::kTcp);
  CHECK(v.flags == kEventFlagTruncated);
  CHECK(v.peer == "10.0.0.7:51234");
  for (Field f : kAllFields) CHECK(v.field(f) == e.field(f));
  REQUIRE(v.attrs.size() == 1);
  CHECK(v.attrs[0].first == "host");
  CHECK(v.attrs[0].second == "value not in raw");
  // A reference costs a couple of bytes, not the value again.
  Event copied = Sample();
  copied.set_field(Field::kSystem, std::string("procapita"));
  copied.set_field(Field::kUser, std::string("u1"));
  CHECK_FALSE(copied.field_in_raw(Field::kSystem));
  std::string inline_value;
  EncodeEvent(copied, &inline_value);
  CHECK(inline_value.size() >= value.size() + 9 + 2 - 4);

  Event back = ToEvent(v);
  std::string again;
  EncodeEvent(back, &again);
  CHECK(again == value);
}

TEST_CASE("truncated or corrupted event values are rejected, not over-read",
          "[store][event_codec]") {
  std::string value;
  EncodeEvent(Sample(), &value);
  EventView v;
  for (size_t cut = 0; cut < value.size(); ++cut) {
    CHECK_FALSE(DecodeEvent(std::string_view(value).substr(0, cut), &v));
  }
  std::string bad = value;
  bad[0] = 0x02;  // unknown version
  CHECK_FALSE(DecodeEvent(bad, &v));
}

}  // namespace
}  // namespace spard
