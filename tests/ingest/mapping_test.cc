#include "ingest/mapping.h"

#include <catch2/catch.hpp>

namespace spard {
namespace {

std::vector<std::string> Names(Target t, Source s) {
  std::vector<std::string> names;
  for (const FieldSource& fs : DefaultMapping().targets[TargetIndex(t)]) {
    if (fs.source == s) names.push_back(fs.name);
  }
  return names;
}

using V = std::vector<std::string>;

TEST_CASE("mapping: the default follows SPEC §3, canonical names before ECS", "[ingest]") {
  CHECK(Names(Target::kTs, Source::kJsonKey) == V{"ts", "@timestamp"});
  CHECK(Names(Target::kTs, Source::kSyslogHeader) == V{"TIMESTAMP"});
  CHECK(Names(Target::kSystem, Source::kJsonKey) == V{"system", "service.name"});
  CHECK(Names(Target::kSystem, Source::kSyslogHeader) == V{"APP-NAME", "TAG"});
  CHECK(Names(Target::kUser, Source::kJsonKey) == V{"user", "user.name"});
  CHECK(Names(Target::kAction, Source::kJsonKey) == V{"action", "event.action"});
  CHECK(Names(Target::kObject, Source::kJsonKey) == V{"object", "file.path", "url.path"});
  CHECK(Names(Target::kSubject, Source::kJsonKey) == V{"subject"});
  CHECK(Names(Target::kOutcome, Source::kJsonKey) == V{"outcome", "event.outcome"});
  CHECK(Names(Target::kClientIp, Source::kJsonKey) == V{"client_ip", "source.ip"});
  CHECK(Names(Target::kHost, Source::kJsonKey) == V{"host", "host.name"});
  CHECK(Names(Target::kHost, Source::kSyslogHeader) == V{"HOSTNAME"});
  CHECK(Names(Target::kReason, Source::kJsonKey) == V{"reason"});
  // Every canonical field but system and host comes from SD params, then MSG key=value pairs,
  // under its own name.
  for (Field f : kAllFields) {
    if (f == Field::kSystem || f == Field::kHost) {
      CHECK(Names(TargetOf(f), Source::kSdParam).empty());
      continue;
    }
    CHECK(Names(TargetOf(f), Source::kSdParam) == V{std::string(FieldName(f))});
    CHECK(Names(TargetOf(f), Source::kMsgKeyValue) == V{std::string(FieldName(f))});
  }
}

TEST_CASE("mapping: the CEF column of SPEC §3", "[ingest]") {
  CHECK(Names(Target::kTs, Source::kCefExtension) == V{"rt"});
  CHECK(Names(Target::kSystem, Source::kCefHeader) == V{"deviceProduct"});
  CHECK(Names(Target::kUser, Source::kCefExtension) == V{"suser"});
  CHECK(Names(Target::kAction, Source::kCefExtension) == V{"act"});
  CHECK(Names(Target::kObject, Source::kCefExtension) == V{"fname"});
  CHECK(Names(Target::kSubject, Source::kCefExtension) == V{"duid"});
  CHECK(Names(Target::kOutcome, Source::kCefExtension) == V{"outcome"});
  CHECK(Names(Target::kClientIp, Source::kCefExtension) == V{"src"});
  CHECK(Names(Target::kHost, Source::kCefExtension) == V{"dvchost"});
  CHECK(Names(Target::kReason, Source::kCefExtension) == V{"reason"});
  // CEF keys beat the syslog header they travel in.
  MappingIndex index(DefaultMapping());
  FieldResolver r(&index);
  r.Offer(Source::kSyslogHeader, "HOSTNAME", "relay", 1);
  r.Offer(Source::kCefExtension, "dvchost", "device", 0);
  r.Offer(Source::kSyslogHeader, "TAG", "tag", 2);
  r.Offer(Source::kCefHeader, "deviceProduct", "product", 2);
  r.Offer(Source::kSyslogHeader, "TIMESTAMP", "Oct 11 22:14:15", 0);
  r.Offer(Source::kCefExtension, "rt", "1700000000000", 3);
  CHECK(r.winner(Target::kHost).value == "device");
  CHECK(r.winner(Target::kSystem).value == "product");
  CHECK(r.winner(Target::kTs).value == "1700000000000");
  // A Cisco mnemonic is not mapped by default.
  CHECK(index.Find(Source::kSyslogHeader, "MNEMONIC").empty());
}

TEST_CASE("mapping: target names", "[ingest]") {
  CHECK(TargetName(Target::kTs) == "ts");
  CHECK(TargetName(Target::kClientIp) == "client_ip");
  CHECK(TargetName(TargetOf(Field::kUser)) == "user");
}

TEST_CASE("mapping: the index finds every candidate by source and name", "[ingest]") {
  MappingIndex index(DefaultMapping());
  auto user = index.Find(Source::kJsonKey, "user.name");
  REQUIRE(user.size() == 1);
  CHECK(user[0].target == Target::kUser);
  CHECK(user[0].rank == 1);
  CHECK(index.Find(Source::kJsonKey, "nope").empty());
  CHECK(index.Find(Source::kMsgKeyValue, "user.name").empty());
  CHECK(index.Find(Source::kSyslogHeader, "HOSTNAME").size() == 1);
}

TEST_CASE("mapping: the resolver keeps the best candidate whatever the offer order", "[ingest]") {
  MappingIndex index(DefaultMapping());
  FieldResolver r(&index);
  r.Offer(Source::kJsonKey, "user.name", "ecs", 0);
  r.Offer(Source::kJsonKey, "user", "canonical", 1);
  r.Offer(Source::kJsonKey, "user.name", "ecs again", 2);
  r.Offer(Source::kJsonKey, "other", "x", 3);
  REQUIRE(r.has(Target::kUser));
  CHECK(r.winner(Target::kUser).value == "canonical");
  CHECK(r.winner(Target::kUser).origin == 1);
  CHECK(r.Used(Source::kJsonKey, 1));
  CHECK_FALSE(r.Used(Source::kJsonKey, 0));
  CHECK_FALSE(r.Used(Source::kJsonKey, 3));
  CHECK_FALSE(r.has(Target::kObject));
  r.Offer(Source::kSdParam, "object", "sd", 0);
  r.Offer(Source::kMsgKeyValue, "object", "kv", 0);
  CHECK(r.winner(Target::kObject).value == "sd");
  CHECK(r.winner(Target::kObject).source == Source::kSdParam);
  r.Reset();
  CHECK_FALSE(r.has(Target::kUser));
  CHECK_FALSE(r.Used(Source::kJsonKey, 1));
}

TEST_CASE("mapping: a custom mapping can restrict an SD param to one SD-ID", "[ingest]") {
  // Issue 4's per-system mappings are Mapping values like this one.
  Mapping m;
  m.targets[TargetIndex(Target::kUser)] = {
      FieldSource{Source::kSdParam, "uid", "auth@32473"},
      FieldSource{Source::kMsgKeyValue, "login", ""},
  };
  MappingIndex index(m);
  FieldResolver r(&index);
  r.Offer(Source::kSdParam, "uid", "wrong element", 0, "other@1");
  r.Offer(Source::kMsgKeyValue, "login", "from msg", 0);
  CHECK(r.winner(Target::kUser).value == "from msg");
  r.Offer(Source::kSdParam, "uid", "right element", 1, "auth@32473");
  CHECK(r.winner(Target::kUser).value == "right element");
}

}  // namespace
}  // namespace spard
