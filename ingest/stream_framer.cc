// StreamFramer: RFC 6587 framing, octet counting or LF, detected per message.
//
// State machine (one byte of lookahead is never needed across Feed calls; every decision is made
// on bytes already seen, which is what makes any split of the stream emit the same messages):
//
//   kBoundary --'\n' | NUL--> kBoundary                       (empty line / NUL padding dropped)
//   kBoundary --'1'..'9'----> kCount                          (maybe an octet count)
//   kBoundary --other-------> kLine
//   kCount    --digit (<=10)-> kCount
//   kCount    --SP-----------> kOctets                        (count_ = MSG-LEN)
//   kCount    --other--------> kLine                          (the digits start a line)
//   kOctets   --count_ bytes-> kBoundary  emit                (or cut at max_: kDiscardOctets)
//   kLine     --'\n' | NUL---> kBoundary  emit minus one CR   (or cut at max_: kDiscardLine)
//
// NUL ends a line like LF: Python's SysLogHandler and some Java appenders end each message with
// NUL and no LF over TCP (rsyslog's imtcp has AddtlFrameDelimiter for them). A NUL is never
// part of a valid syslog message.
//
// Zero-copy fast path: a message that starts and ends inside one Feed() chunk is emitted as a
// view into that chunk; only a message that spans chunks is copied into buf_, which never holds
// more than max_ + 1 bytes (the +1 is a CR that may turn out to precede the LF).

#include "ingest/stream_framer.h"

#include <algorithm>
#include <cstring>

namespace spard {

namespace {

constexpr size_t kMaxCountDigits = 10;

// The first LF or NUL in data[from..], or nullptr. memchr for LF, then for NUL only up to it:
// linear in the bytes a line spans, whatever the chunk holds after it.
const void* FindDelimiter(std::string_view data, size_t from) {
  const char* begin = data.data() + from;
  const void* lf = std::memchr(begin, '\n', data.size() - from);
  const size_t span =
      lf ? static_cast<size_t>(static_cast<const char*>(lf) - begin) : data.size() - from;
  const void* nul = std::memchr(begin, '\0', span);
  return nul ? nul : lf;
}

}  // namespace

StreamFramer::StreamFramer(size_t max_message_bytes)
    : max_(std::max<size_t>(max_message_bytes, 1)) {}

void StreamFramer::EmitLine(std::string_view line, bool incomplete, const Emit& emit) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;  // empty lines (and a lone CR) are skipped
  Frame frame;
  frame.truncated = line.size() > max_;
  frame.message = frame.truncated ? line.substr(0, max_) : line;
  frame.incomplete = incomplete;
  emit(frame);
}

void StreamFramer::Feed(std::string_view data, const Emit& emit) {
  size_t i = 0;
  const size_t n = data.size();
  while (i < n) {
    switch (state_) {
      case State::kBoundary: {
        const char c = data[i];
        if (c == '\n' || c == '\0') {
          ++i;
        } else if (c >= '1' && c <= '9') {
          state_ = State::kCount;
          count_ = 0;
          count_digits_ = 0;
        } else {
          state_ = State::kLine;
        }
        break;
      }

      case State::kCount: {
        while (i < n && count_digits_ < kMaxCountDigits && data[i] >= '0' && data[i] <= '9') {
          count_ = count_ * 10 + static_cast<uint64_t>(data[i] - '0');
          ++count_digits_;
          ++i;
        }
        if (i == n) break;  // need more bytes to decide
        if (data[i] == ' ') {
          ++i;
          buf_.clear();
          state_ = State::kOctets;
        } else {
          // Not a count after all: the digits (no leading zero, so count_ spells them exactly)
          // are the first bytes of an LF-terminated line.
          buf_ = std::to_string(count_);
          state_ = State::kLine;
        }
        break;
      }

      case State::kOctets: {
        const uint64_t cap = std::min<uint64_t>(count_, max_);
        const bool truncated = count_ > max_;
        if (buf_.empty() && n - i >= cap) {
          Frame frame;
          frame.message = data.substr(i, static_cast<size_t>(cap));
          frame.truncated = truncated;
          frame.octet_counted = true;
          i += static_cast<size_t>(cap);
          FinishOctets(truncated);
          emit(frame);
          break;
        }
        const size_t take = static_cast<size_t>(std::min<uint64_t>(cap - buf_.size(), n - i));
        buf_.append(data.data() + i, take);
        i += take;
        if (buf_.size() == cap) {
          Frame frame;
          frame.message = buf_;
          frame.truncated = truncated;
          frame.octet_counted = true;
          FinishOctets(truncated);
          emit(frame);
          buf_.clear();
        }
        break;
      }

      case State::kLine: {
        const void* nl = FindDelimiter(data, i);
        const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : n;
        if (buf_.empty() && nl) {
          EmitLine(data.substr(i, end - i), /*incomplete=*/false, emit);
          i = end + 1;
          state_ = State::kBoundary;
          break;
        }
        // Accumulate at most max_ content bytes plus one CR that may precede the LF.
        // (buf_ can start above that only when fallen-back count digits exceed a tiny max_.)
        const size_t room = buf_.size() <= max_ + 1 ? max_ + 1 - buf_.size() : 0;
        const size_t chunk = end - i;
        const size_t take = std::min(chunk, room);
        buf_.append(data.data() + i, take);
        i += take;
        const bool overflow = chunk > take || buf_.size() > max_ + 1 ||
                              (buf_.size() == max_ + 1 && buf_.back() != '\r');
        if (overflow) {
          Frame frame;
          frame.message = std::string_view(buf_).substr(0, max_);
          frame.truncated = true;
          state_ = State::kDiscardLine;
          emit(frame);
          buf_.clear();
          break;
        }
        if (nl) {
          EmitLine(buf_, /*incomplete=*/false, emit);
          buf_.clear();
          i = end + 1;
          state_ = State::kBoundary;
        }
        break;
      }

      case State::kDiscardLine: {
        const void* nl = FindDelimiter(data, i);
        if (nl == nullptr) {
          i = n;
        } else {
          i = static_cast<size_t>(static_cast<const char*>(nl) - data.data()) + 1;
          state_ = State::kBoundary;
        }
        break;
      }

      case State::kDiscardOctets: {
        const size_t skip = static_cast<size_t>(std::min<uint64_t>(discard_, n - i));
        discard_ -= skip;
        i += skip;
        if (discard_ == 0) state_ = State::kBoundary;
        break;
      }
    }
  }
}

void StreamFramer::FinishOctets(bool truncated) {
  if (truncated) {
    discard_ = count_ - max_;
    state_ = State::kDiscardOctets;
  } else {
    state_ = State::kBoundary;
  }
}

void StreamFramer::Finish(const Emit& emit) {
  switch (state_) {
    case State::kCount: {
      // The stream ended inside what looked like a count: those digits are all there is.
      const std::string digits = std::to_string(count_);
      EmitLine(digits, /*incomplete=*/true, emit);
      break;
    }
    case State::kLine:
      EmitLine(buf_, /*incomplete=*/true, emit);
      break;
    case State::kOctets:
      if (!buf_.empty()) {
        Frame frame;
        frame.message = buf_;
        frame.incomplete = true;
        frame.octet_counted = true;
        emit(frame);
      }
      break;
    case State::kBoundary:
    case State::kDiscardLine:
    case State::kDiscardOctets:
      break;  // nothing buffered; a cut message was already emitted
  }
  buf_.clear();
  count_ = 0;
  count_digits_ = 0;
  discard_ = 0;
  state_ = State::kBoundary;
}

}  // namespace spard
