// Cursors for paging GET /v1/events: an opaque token holding the position of the last event
// returned, bound to the query (filters and order) that produced it, so that a cursor replayed
// with other filters is refused instead of silently returning a different slice.
//
//   cursor := base64url-nopad( 0x01 ts:varint64(zigzag) id:varint64 order:u8 query:8 bytes )
//   query  := first 8 bytes of SHA-256(EventFilter::Canonical())
//
// Thread-safety: pure functions.

#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "query/filter.h"
#include "store/key_codec.h"

namespace spard {

std::string EncodeCursor(const IndexEntry& position, bool descending, const EventFilter& filter);

// InvalidArgument naming "cursor" when malformed or made for another query.
Status DecodeCursor(std::string_view cursor, bool descending, const EventFilter& filter,
                    IndexEntry* position);

}  // namespace spard
