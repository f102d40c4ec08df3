// Tokens: created, listed, revoked and expired against a real store; names stay unique; the
// last admin token stays.
#include "query/auth.h"

#include <catch2/catch.hpp>

#include "common/metrics.h"
#include "tests/test_util.h"

namespace spard {
namespace {

struct Fixture {
  testing::TempDir dir;
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<TokenStore> tokens;
  Fixture() {
    StoreOptions options;
    options.data_dir = dir.path();
    auto s = Store::Open(options, &metrics);
    REQUIRE(s.ok());
    store = std::move(*s);
    tokens = std::make_unique<TokenStore>(store.get());
  }
};

Principal Make(std::string name, Role role, std::vector<std::string> systems = {}) {
  Principal p;
  p.name = std::move(name);
  p.role = role;
  p.systems = std::move(systems);
  return p;
}

TEST_CASE("a token works from its creation until it is revoked or expires", "[query][auth]") {
  Fixture f;
  Principal p = Make("anna.dso", Role::kInvestigator, {"procapita"});
  p.expires_us = 2000;
  auto secret = f.tokens->Create(&p);
  REQUIRE(secret.ok());
  CHECK(secret->starts_with("spard_"));
  CHECK(p.id.size() == 16);

  auto who = f.tokens->Authenticate("Bearer " + *secret, 1000);
  REQUIRE(who.ok());
  CHECK(who->name == "anna.dso");
  CHECK(who->role == Role::kInvestigator);
  CHECK(who->systems == std::vector<std::string>{"procapita"});
  CHECK(who->id == p.id);
  CHECK(who->MaySee("procapita"));
  CHECK_FALSE(who->MaySee("treserva"));
  CHECK_FALSE(who->MaySee("spard"));

  auto expired = f.tokens->Authenticate("Bearer " + *secret, 2000);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.status().message() == "token expired");

  auto list = f.tokens->List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].id == p.id);

  auto revoked = f.tokens->Revoke(p.id);
  REQUIRE(revoked.ok());
  CHECK(revoked->name == "anna.dso");
  CHECK_FALSE(f.tokens->Authenticate("Bearer " + *secret, 1000).ok());
  CHECK(f.tokens->Revoke(p.id).status().IsNotFound());
  CHECK(f.tokens->List()->empty());
}

TEST_CASE("token names are unique and well formed; admins are never limited", "[query][auth]") {
  Fixture f;
  Principal a = Make("bo", Role::kReviewer);
  REQUIRE(f.tokens->Create(&a).ok());
  Principal again = Make("bo", Role::kIngest);
  CHECK(f.tokens->Create(&again).status().code() == Status::Code::kConflict);
  for (const char* bad : {"", "-", "has space", "ö"}) {
    Principal p = Make(bad, Role::kIngest);
    CHECK(f.tokens->Create(&p).status().IsInvalidArgument());
  }
  Principal admin = Make("ops", Role::kAdmin, {"procapita"});
  CHECK(f.tokens->Create(&admin).status().IsInvalidArgument());
  Principal spard = Make("x", Role::kInvestigator, {"spard"});
  CHECK(f.tokens->Create(&spard).status().IsInvalidArgument());
  Principal unlimited = Make("all", Role::kInvestigator);
  REQUIRE(f.tokens->Create(&unlimited).ok());
  auto who = f.tokens->List();
  REQUIRE(who.ok());
  CHECK(who->size() == 2);
}

TEST_CASE("the last admin token cannot be revoked", "[query][auth]") {
  Fixture f;
  testing::TempDir files;
  auto made = f.tokens->EnsureAdminToken(files.path() + "/admin.token");
  REQUIRE(made.ok());
  REQUIRE(*made);
  auto list = f.tokens->List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  const std::string first = (*list)[0].id;
  CHECK(f.tokens->Revoke(first).status().code() == Status::Code::kConflict);
  Principal second = Make("ops2", Role::kAdmin);
  REQUIRE(f.tokens->Create(&second).ok());
  CHECK(f.tokens->Revoke(first).ok());
  CHECK(f.tokens->Revoke(second.id).status().code() == Status::Code::kConflict);
}

}  // namespace
}  // namespace spard
