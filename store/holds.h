// Legal holds: events an investigation needs are exempt from gallring until the hold is
// removed. A hold names a subject, a user, an object or a system, and a period on the event
// time, with the reason and the case number it was placed for.
//
//   meta "hold/<id u64be>" -> 0x01 scope:u8 value:string system:string from:zigzag to:zigzag
//                             reason:string case:string created_by:string created:zigzag
//   meta "hold_next_id"    -> u64be
//
// Thread-safety: HoldStore methods may be called from any thread (RocksDB).

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/event_codec.h"
#include "store/store.h"

namespace spard {

enum class HoldScope : uint8_t { kSubject = 1, kUser = 2, kObject = 3, kSystem = 4 };
std::string_view HoldScopeName(HoldScope s);
bool HoldScopeFromName(std::string_view name, HoldScope* out);

struct Hold {
  uint64_t id = 0;
  HoldScope scope = HoldScope::kSubject;
  std::string value;            // a subject is kept in its normal form (common/personnummer.h)
  std::string system;           // kObject: the object's system ("" = any system)
  int64_t from_us = INT64_MIN;  // period on the event time: [from, to)
  int64_t to_us = INT64_MAX;
  std::string reason;
  std::string case_number;
  std::string created_by;
  int64_t created_us = 0;

  bool Covers(const EventView& e) const;
};

class HoldStore {
 public:
  explicit HoldStore(Store* store) : store_(store) {}
  // Stores a new hold (a subject normalised with `now_us`); returns it with its id.
  Result<Hold> Create(Hold hold, int64_t now_us);
  Result<std::vector<Hold>> List() const;
  // NotFound when there is no such hold; returns the removed hold.
  Result<Hold> Remove(uint64_t id);

 private:
  Store* const store_;
};

}  // namespace spard
