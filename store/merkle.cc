#include "store/merkle.h"

#include <openssl/sha.h>

#include <bit>
#include <cstring>

#include "common/coding.h"

namespace spard {

namespace {

// OpenSSL's SHA-256 uses the CPU's SHA extensions where present, several times faster than a
// portable implementation; this runs once per event on the writer thread. The low-level
// SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, whose per-call dispatch
// (fetching and reference-counting the algorithm) costs as much as hashing a whole event here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
Hash Sha256Parts(std::initializer_list<std::string_view> parts) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  for (std::string_view p : parts) SHA256_Update(&ctx, p.data(), p.size());
  Hash h;
  SHA256_Final(h.data(), &ctx);
  return h;
}
#pragma GCC diagnostic pop

std::string_view View(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace

Hash HashLeaf(std::string_view data) { return Sha256Parts({std::string_view("\x00", 1), data}); }

Hash HashLeaf2(std::string_view a, std::string_view b) {
  return Sha256Parts({std::string_view("\x00", 1), a, b});
}

Hash HashChildren(const Hash& left, const Hash& right) {
  return Sha256Parts({std::string_view("\x01", 1), View(left), View(right)});
}

Hash EmptyRoot() { return Sha256Parts({}); }

std::string HexOf(const Hash& h) {
  static const char kHex[] = "0123456789abcdef";
  std::string s(64, '0');
  for (size_t i = 0; i < 32; ++i) {
    s[2 * i] = kHex[h[i] >> 4];
    s[2 * i + 1] = kHex[h[i] & 15];
  }
  return s;
}

bool HashFromHex(std::string_view hex, Hash* out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Result<Hash> RangeHash(uint64_t begin, uint64_t end,
                       const std::function<Result<Hash>(uint64_t, int)>& complete) {
  const uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) return complete(begin, std::countr_zero(n));
  const uint64_t k = SplitPoint(n);
  auto left = RangeHash(begin, begin + k, complete);
  if (!left.ok()) return left;
  auto right = RangeHash(begin + k, end, complete);
  if (!right.ok()) return right;
  return HashChildren(*left, *right);
}

namespace {

// PATH(m, D[begin:end]) of §2.1.3.1, appended to *out deepest first.
Status Path(uint64_t m, uint64_t begin, uint64_t end, const SubtreeSource& source,
            std::vector<Hash>* out) {
  const uint64_t n = end - begin;
  if (n == 1) return Status::Ok();
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    SPARD_RETURN_IF_ERROR(Path(m, begin, begin + k, source, out));
    auto h = source(begin + k, end);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  } else {
    SPARD_RETURN_IF_ERROR(Path(m - k, begin + k, end, source, out));
    auto h = source(begin, begin + k);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  return Status::Ok();
}

// SUBPROOF(m, D[begin:end], b) of §2.1.4.1.
Status Subproof(uint64_t m, uint64_t begin, uint64_t end, bool b, const SubtreeSource& source,
                std::vector<Hash>* out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!b) {
      auto h = source(begin, end);
      if (!h.ok()) return h.status();
      out->push_back(*h);
    }
    return Status::Ok();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    SPARD_RETURN_IF_ERROR(Subproof(m, begin, begin + k, b, source, out));
    auto h = source(begin + k, end);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  } else {
    SPARD_RETURN_IF_ERROR(Subproof(m - k, begin + k, end, false, source, out));
    auto h = source(begin, begin + k);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                         const SubtreeSource& source) {
  if (index >= size) return Status::InvalidArgument("leaf index beyond the tree size");
  std::vector<Hash> proof;
  SPARD_RETURN_IF_ERROR(Path(index, 0, size, source, &proof));
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const SubtreeSource& source) {
  if (first == 0 || first > second) {
    return Status::InvalidArgument("need 0 < first <= second");
  }
  std::vector<Hash> proof;
  SPARD_RETURN_IF_ERROR(Subproof(first, 0, second, true, source, &proof));
  return proof;
}

bool VerifyInclusion(const Hash& leaf, uint64_t index, uint64_t size,
                     const std::vector<Hash>& proof, const Hash& root) {
  // §2.1.3.2, step by step.
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = HashChildren(p, r);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                       const Hash& second_root, const std::vector<Hash>& proof) {
  // §2.1.4.2, step by step.
  if (first == second) return proof.empty() && first_root == second_root;
  if (first == 0 || first > second || proof.empty()) return false;
  std::vector<Hash> path = proof;
  if (std::has_single_bit(first)) path.insert(path.begin(), first_root);
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

void CompactRange::Append(
    const Hash& leaf,
    const std::function<void(int level, uint64_t index, const Hash&)>& on_complete) {
  Hash h = leaf;
  int level = 0;
  uint64_t index = size_;
  if (on_complete) on_complete(0, index, h);
  // Each trailing 1 bit of the old size is a subtree of the same size to merge with.
  for (uint64_t s = size_; s & 1; s >>= 1) {
    h = HashChildren(roots_.back(), h);
    roots_.pop_back();
    ++level;
    index >>= 1;
    if (on_complete) on_complete(level, index, h);
  }
  roots_.push_back(h);
  ++size_;
}

void CompactRange::AppendSubtree(int level, const Hash& root) {
  Hash h = root;
  for (uint64_t s = size_ >> level; s & 1; s >>= 1) {
    h = HashChildren(roots_.back(), h);
    roots_.pop_back();
  }
  roots_.push_back(h);
  size_ += uint64_t{1} << level;
}

Hash CompactRange::Root() const {
  if (roots_.empty()) return EmptyRoot();
  Hash h = roots_.back();
  for (size_t i = roots_.size() - 1; i-- > 0;) h = HashChildren(roots_[i], h);
  return h;
}

std::string CompactRange::Encode() const {
  std::string s;
  s.push_back(0x01);
  PutVarint64(&s, size_);
  for (const Hash& h : roots_) s.append(View(h));
  return s;
}

bool CompactRange::Decode(std::string_view in, CompactRange* out) {
  if (in.empty() || in[0] != 0x01) return false;
  in.remove_prefix(1);
  uint64_t size;
  if (!GetVarint64(&in, &size)) return false;
  size_t count = static_cast<size_t>(std::popcount(size));
  if (in.size() != count * 32) return false;
  out->size_ = size;
  out->roots_.resize(count);
  for (size_t i = 0; i < count; ++i) std::memcpy(out->roots_[i].data(), in.data() + 32 * i, 32);
  return true;
}

}  // namespace spard
