// StreamFramer: splits a TCP byte stream into syslog messages (RFC 6587).
//
// Framing is detected per message, as rsyslog's imtcp does: at a message boundary, a decimal
// length (no leading zero, at most 10 digits) followed by one SP starts an octet-counted frame
// ("123 <34>1 ..."); anything else is a line ended by LF (non-transparent framing; a CR before
// the LF and NUL bytes at a boundary are dropped). Empty lines are skipped.
//
// A message longer than `max_message_bytes` is emitted cut to that length with
// `truncated = true`; the rest of it is consumed and discarded (and counted by the caller).
// The framer is incremental: Feed() may be called with any split of the stream (a test splits
// at every byte boundary) and emits exactly the same messages.
//
// Thread-safety: one framer per connection.

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace spard {

struct Frame {
  std::string_view message;  // valid only during the callback
  bool truncated = false;    // cut at max_message_bytes
  bool incomplete = false;   // only from Finish(): the stream ended inside this message
  bool octet_counted = false;
};

class StreamFramer {
 public:
  using Emit = std::function<void(const Frame&)>;

  explicit StreamFramer(size_t max_message_bytes);

  // Consumes all of `data`, emitting every message completed by it.
  void Feed(std::string_view data, const Emit& emit);

  // End of stream: emits the partial message still buffered, if any, with incomplete = true.
  void Finish(const Emit& emit);

  // Bytes held for a message not yet complete (bounded by max_message_bytes + 11).
  size_t buffered() const { return buf_.size(); }

  // True between messages: everything fed so far was emitted (or skipped as an empty line or
  // padding), so the stream may be cut here and framing restarted on the rest (spar import
  // records its progress at such points).
  bool at_boundary() const { return state_ == State::kBoundary && buf_.empty(); }

 private:
  enum class State { kBoundary, kCount, kOctets, kLine, kDiscardLine, kDiscardOctets };

  // Emits one LF-framed line: drops one trailing CR, skips it if empty, cuts it at max_.
  void EmitLine(std::string_view line, bool incomplete, const Emit& emit);
  // After an octet-counted frame was emitted: back to a boundary, or skip what was cut off.
  void FinishOctets(bool truncated);

  size_t max_;
  State state_ = State::kBoundary;
  std::string buf_;          // bytes of the current message when it spans Feed() calls
  uint64_t count_ = 0;       // kCount: the digits so far; kOctets: MSG-LEN
  size_t count_digits_ = 0;  // kCount: how many digits count_ holds
  uint64_t discard_ = 0;     // kDiscardOctets: octets still to skip
};

}  // namespace spard
