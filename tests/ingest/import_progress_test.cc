// The import progress record: its encoding (docs/storage_format.md) and the input's name.
#include "ingest/import_progress.h"

#include <catch2/catch.hpp>

namespace spard {
namespace {

TEST_CASE("a progress record round-trips and refuses what it does not know",
          "[ingest][import_progress]") {
  ImportProgress p;
  p.complete = true;
  p.offset = 123456789012;
  p.prefix_sha256 = Sha256::Of("abc");
  p.messages = 5'000'001;
  p.events = 5'000'000;
  p.quarantined = 1;
  p.started_us = 1'790'000'000'000'000;
  p.updated_us = -5;
  p.name = "/var/log/archive/procapita.log.gz";
  const std::string v = p.Encode();
  CHECK(v[0] == '\x01');
  ImportProgress q;
  REQUIRE(ImportProgress::Decode(v, &q));
  CHECK(q == p);

  CHECK_FALSE(ImportProgress::Decode("", &q));
  CHECK_FALSE(ImportProgress::Decode("\x02" + v.substr(1), &q));  // unknown version
  CHECK_FALSE(ImportProgress::Decode(v.substr(0, 1) + "\x04" + v.substr(2), &q));  // unknown flag
  CHECK_FALSE(ImportProgress::Decode(v.substr(0, v.size() - 1), &q));              // cut
  CHECK_FALSE(ImportProgress::Decode(v + "x", &q));                                // trailing bytes
}

TEST_CASE("SHA-256 matches the published vectors, incrementally too", "[ingest][import_progress]") {
  // FIPS 180-2 appendix B.1 and B.2.
  CHECK(HexDigest(Sha256::Of("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("abcdbcdecdefdefgefghfghighij");
  CHECK(HexDigest(h.Digest()) == HexDigest(Sha256::Of("abcdbcdecdefdefgefghfghighij")));
  h.Update("hijkijkljklmklmnlmnomnopnopq");  // Digest() did not end the hash
  CHECK(HexDigest(h.Digest()) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("an input is named by its first 64 KiB only", "[ingest][import_progress]") {
  const std::string head(kImportHeadBytes, 'x');
  const std::string key = ImportMetaKey(head);
  CHECK(key.size() == kImportMetaPrefix.size() + 64);
  CHECK(key.starts_with("import/"));
  CHECK(ImportMetaKey(head + "anything after") == key);
  CHECK(ImportMetaKey(head.substr(1)) != key);
  CHECK(ImportMetaKey("short") == "import/" + HexDigest(Sha256::Of("short")));
}

}  // namespace
}  // namespace spard
