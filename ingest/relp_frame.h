// RELP frames (rsyslog's Reliable Event Logging Protocol, as librelp speaks it):
//
//   frame   := txnr SP command SP datalen [SP data] LF
//   txnr    := 1*9DIGIT          command := 1*32ALPHA          datalen := 1*9DIGIT
//
// The data of a frame is exactly datalen octets (it may contain LF). RelpFrameParser is an
// incremental state machine: any split of the byte stream yields the same frames. Data beyond
// max_data bytes is consumed and discarded, and the frame is marked truncated (memory stays
// bounded whatever a peer announces).
//
// Thread-safety: one parser per connection.

#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace spard {

struct RelpFrame {
  uint32_t txnr = 0;
  std::string_view command;
  std::string_view data;  // valid only during the callback
  bool truncated = false;
};

class RelpFrameParser {
 public:
  explicit RelpFrameParser(size_t max_data);

  // Consumes `in`, emitting each complete frame. False on a protocol violation; the session
  // must then end (error() says what was wrong).
  bool Feed(std::string_view in, const std::function<void(const RelpFrame&)>& emit);
  const std::string& error() const { return error_; }

 private:
  enum class State { kTxnr, kCommand, kDatalen, kData, kTrailer, kFailed };
  bool Fail(std::string message);

  const size_t max_data_;
  State state_ = State::kTxnr;
  uint64_t txnr_ = 0;
  int txnr_digits_ = 0;
  std::string command_;
  uint64_t datalen_ = 0;
  int datalen_digits_ = 0;
  uint64_t remaining_ = 0;
  std::string data_;
  bool truncated_ = false;
  std::string error_;
};

// "txnr rsp datalen data\n": the answer to a frame.
std::string RelpResponse(uint32_t txnr, std::string_view data);

}  // namespace spard
