#include "store/segment_builder.h"

#include <rocksdb/sst_file_writer.h>

#include <filesystem>

#include "common/coding.h"
#include "store/chunk_codec.h"

namespace spard {

namespace {
constexpr int64_t kSecond = 1000000;
constexpr char kLayoutVersion = 0x01;
constexpr char kSegmentVersion = 0x01;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
}  // namespace

IndexLayout IndexLayout::Default() {
  IndexLayout l;
  // Per-term indexes: a day. Their terms are sparse in time (a user's or a patient's accesses),
  // so a long bucket lets one chunk hold many entries; a seek that starts inside a day scans at
  // most that term's chunks of the day.
  l.bucket_us[static_cast<size_t>(IndexKind::kUser)] = 86400 * kSecond;
  l.bucket_us[static_cast<size_t>(IndexKind::kObject)] = 86400 * kSecond;
  l.bucket_us[static_cast<size_t>(IndexKind::kSubject)] = 86400 * kSecond;
  l.bucket_us[static_cast<size_t>(IndexKind::kSystem)] = 86400 * kSecond;
  // The time index has one term holding every event: a minute bounds a seek's scan.
  l.bucket_us[static_cast<size_t>(IndexKind::kTime)] = 60 * kSecond;
  l.max_chunk_entries = 1024;
  return l;
}

std::string IndexLayout::Encode() const {
  std::string s;
  s.push_back(kLayoutVersion);
  for (int64_t b : bucket_us) PutVarint64(&s, static_cast<uint64_t>(b));
  PutVarint32(&s, max_chunk_entries);
  return s;
}

bool IndexLayout::Decode(std::string_view in, IndexLayout* out) {
  if (in.empty() || in[0] != kLayoutVersion) return false;
  in.remove_prefix(1);
  for (int64_t& b : out->bucket_us) {
    uint64_t v;
    if (!GetVarint64(&in, &v) || v == 0 || v > (uint64_t{1} << 50)) return false;
    b = static_cast<int64_t>(v);
  }
  return GetVarint32(&in, &out->max_chunk_entries) && out->max_chunk_entries > 0 && in.empty();
}

int64_t IndexLayout::Bucket(IndexKind kind, int64_t ts_us) const {
  return FloorDiv(ts_us, bucket_us[static_cast<size_t>(kind)]);
}

int64_t IndexLayout::BucketStart(IndexKind kind, int64_t bucket) const {
  // Saturates: the buckets at the ends of the int64 range are partial.
  int64_t start;
  if (__builtin_mul_overflow(bucket, bucket_us[static_cast<size_t>(kind)], &start)) {
    return bucket < 0 ? INT64_MIN : INT64_MAX;
  }
  return start;
}

std::string SegmentMetaKey(uint64_t last_id) {
  std::string k(kSegmentMetaPrefix);
  PutFixed64BE(&k, last_id);
  return k;
}

Status BuildSegmentTables(const MemorySegment& segment, const Database& db,
                          const IndexLayout& layout, const std::string& dir, SegmentTables* out) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  const std::string stem = dir + "/segment-" + std::to_string(segment.last_id());

  std::string key, value;
  for (int k = 0; k < kIndexKindCount; ++k) {
    const IndexKind kind = static_cast<IndexKind>(k);
    const std::string path = stem + "-" + std::string(IndexKindName(kind)) + ".sst";
    // Tables of term-keyed indexes overlap every earlier one, land in L0 and are rewritten by
    // compaction: a cheap codec is enough. The time index's tables from a time-ordered stream
    // overlap nothing and go straight to the last level, where they stay: compress them well.
    rocksdb::Options table_options = db.index_options(kind);
    table_options.compression =
        kind == IndexKind::kTime ? rocksdb::kZSTD : rocksdb::kLZ4Compression;
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), table_options, db.index(kind));
    bool opened = false;
    Status status;
    segment.ForEachSortedTerm(
        kind, [&](std::string_view prefix, std::span<const IndexEntry> entries) {
          if (!status.ok()) return;
          if (!opened) {
            status = FromRocks(writer.Open(path), "creating " + path);
            if (!status.ok()) return;
            opened = true;
          }
          // Cut the sorted entries into chunks of at most max_chunk_entries inside one bucket.
          size_t begin = 0;
          while (begin < entries.size()) {
            const int64_t bucket = layout.Bucket(kind, entries[begin].ts_us);
            size_t end = begin + 1;
            while (end < entries.size() && end - begin < layout.max_chunk_entries &&
                   layout.Bucket(kind, entries[end].ts_us) == bucket) {
              ++end;
            }
            key.clear();
            AppendIndexKey(&key, prefix, entries[begin]);
            EncodeChunk(entries[begin], entries.subspan(begin, end - begin), &value);
            status = FromRocks(writer.Put(key, value), "writing " + path);
            if (!status.ok()) return;
            ++out->chunks;
            begin = end;
          }
        });
    SPARD_RETURN_IF_ERROR(status);
    if (!opened) continue;  // no entries of this kind (e.g. no subjects in the segment)
    rocksdb::ExternalSstFileInfo info;
    SPARD_RETURN_IF_ERROR(FromRocks(writer.Finish(&info), "finishing " + path));
    out->bytes += info.file_size;
    out->files.push_back(path);
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = db.index(kind);
    arg.external_files = {path};
    arg.options.move_files = true;
    arg.options.write_global_seqno = false;
    out->args.push_back(std::move(arg));
  }

  // The segment record, ingested in the same atomic step: "indexed through last_id".
  const std::string path = stem + "-meta.sst";
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db.meta_options(), db.meta());
  SPARD_RETURN_IF_ERROR(FromRocks(writer.Open(path), "creating " + path));
  value.clear();
  value.push_back(kSegmentVersion);
  PutVarint64(&value, segment.first_id());
  PutVarint64(&value, segment.last_id());
  SPARD_RETURN_IF_ERROR(
      FromRocks(writer.Put(SegmentMetaKey(segment.last_id()), value), "writing " + path));
  rocksdb::ExternalSstFileInfo info;
  SPARD_RETURN_IF_ERROR(FromRocks(writer.Finish(&info), "finishing " + path));
  out->bytes += info.file_size;
  out->files.push_back(path);
  rocksdb::IngestExternalFileArg arg;
  arg.column_family = db.meta();
  arg.external_files = {path};
  arg.options.move_files = true;
  arg.options.write_global_seqno = false;
  out->args.push_back(std::move(arg));
  return Status::Ok();
}

}  // namespace spard
