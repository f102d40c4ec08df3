#include "store/holds.h"

#include <mutex>

#include "common/coding.h"
#include "common/personnummer.h"

namespace spard {

namespace {

constexpr std::string_view kHoldPrefix = "hold/";
constexpr std::string_view kNextIdKey = "hold_next_id";

std::string HoldKey(uint64_t id) {
  std::string k(kHoldPrefix);
  PutFixed64BE(&k, id);
  return k;
}

std::string Encode(const Hold& h) {
  std::string v;
  v.push_back(0x01);
  v.push_back(static_cast<char>(h.scope));
  PutLengthPrefixed(&v, h.value);
  PutLengthPrefixed(&v, h.system);
  PutVarint64(&v, ZigZagEncode(h.from_us));
  PutVarint64(&v, ZigZagEncode(h.to_us));
  PutLengthPrefixed(&v, h.reason);
  PutLengthPrefixed(&v, h.case_number);
  PutLengthPrefixed(&v, h.created_by);
  PutVarint64(&v, ZigZagEncode(h.created_us));
  return v;
}

bool Decode(std::string_view in, Hold* h) {
  if (in.size() < 2 || in[0] != 0x01 || in[1] < 1 || in[1] > 4) return false;
  h->scope = static_cast<HoldScope>(in[1]);
  in.remove_prefix(2);
  std::string_view value, system, reason, case_number, by;
  uint64_t from, to, created;
  if (!GetLengthPrefixed(&in, &value) || !GetLengthPrefixed(&in, &system) ||
      !GetVarint64(&in, &from) || !GetVarint64(&in, &to) || !GetLengthPrefixed(&in, &reason) ||
      !GetLengthPrefixed(&in, &case_number) || !GetLengthPrefixed(&in, &by) ||
      !GetVarint64(&in, &created) || !in.empty()) {
    return false;
  }
  h->value = value;
  h->system = system;
  h->from_us = ZigZagDecode(from);
  h->to_us = ZigZagDecode(to);
  h->reason = reason;
  h->case_number = case_number;
  h->created_by = by;
  h->created_us = ZigZagDecode(created);
  return true;
}

std::mutex& IdMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

std::string_view HoldScopeName(HoldScope s) {
  switch (s) {
    case HoldScope::kSubject:
      return "subject";
    case HoldScope::kUser:
      return "user";
    case HoldScope::kObject:
      return "object";
    case HoldScope::kSystem:
      return "system";
  }
  return "unknown";
}

bool HoldScopeFromName(std::string_view name, HoldScope* out) {
  for (HoldScope s :
       {HoldScope::kSubject, HoldScope::kUser, HoldScope::kObject, HoldScope::kSystem}) {
    if (HoldScopeName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

bool Hold::Covers(const EventView& e) const {
  if (e.ts_us < from_us || e.ts_us >= to_us) return false;
  switch (scope) {
    case HoldScope::kSubject: {
      std::string_view s = e.field(Field::kSubject);
      return !s.empty() && NormalizeSubject(s, e.ts_us) == value;
    }
    case HoldScope::kUser:
      return e.field(Field::kUser) == value;
    case HoldScope::kObject:
      return e.field(Field::kObject) == value &&
             (system.empty() || e.field(Field::kSystem) == system);
    case HoldScope::kSystem:
      return e.field(Field::kSystem) == value;
  }
  return false;
}

Result<Hold> HoldStore::Create(Hold hold, int64_t now_us) {
  if (hold.value.empty()) return Status::InvalidArgument("value: must not be empty");
  if (hold.from_us >= hold.to_us) return Status::InvalidArgument("from: must be before to");
  if (hold.scope == HoldScope::kSubject) hold.value = NormalizeSubject(hold.value, now_us);
  hold.created_us = now_us;
  std::lock_guard lock(IdMutex());
  auto next = store_->GetMeta(kNextIdKey);
  if (!next.ok()) return next.status();
  uint64_t id = 1;
  if (next->has_value()) {
    std::string_view v = **next;
    if (!GetFixed64BE(&v, &id)) return Status::Corruption("meta hold_next_id");
  }
  hold.id = id;
  std::string next_value;
  PutFixed64BE(&next_value, id + 1);
  SPARD_RETURN_IF_ERROR(store_->PutMeta(kNextIdKey, next_value));
  SPARD_RETURN_IF_ERROR(store_->PutMeta(HoldKey(id), Encode(hold)));
  return hold;
}

Result<std::vector<Hold>> HoldStore::List() const {
  std::vector<Hold> out;
  Database* db = store_->database();
  std::unique_ptr<rocksdb::Iterator> it(db->db()->NewIterator(rocksdb::ReadOptions(), db->meta()));
  const rocksdb::Slice prefix(kHoldPrefix.data(), kHoldPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Hold h;
    std::string_view k(it->key().data() + prefix.size(), it->key().size() - prefix.size());
    if (!GetFixed64BE(&k, &h.id) ||
        !Decode(std::string_view(it->value().data(), it->value().size()), &h)) {
      return Status::Corruption("meta: a hold does not decode");
    }
    out.push_back(std::move(h));
  }
  SPARD_RETURN_IF_ERROR(FromRocks(it->status(), "reading holds"));
  return out;
}

Result<Hold> HoldStore::Remove(uint64_t id) {
  auto value = store_->GetMeta(HoldKey(id));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Status::NotFound("no hold " + std::to_string(id));
  Hold h;
  if (!Decode(**value, &h)) return Status::Corruption("meta: a hold does not decode");
  h.id = id;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  Database* db = store_->database();
  SPARD_RETURN_IF_ERROR(
      FromRocks(db->db()->Delete(wo, db->meta(), HoldKey(id)), "removing a hold"));
  return h;
}

}  // namespace spard
