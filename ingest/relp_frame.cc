#include "ingest/relp_frame.h"

#include <algorithm>

namespace spard {

RelpFrameParser::RelpFrameParser(size_t max_data) : max_data_(max_data) {}

bool RelpFrameParser::Fail(std::string message) {
  state_ = State::kFailed;
  error_ = std::move(message);
  return false;
}

bool RelpFrameParser::Feed(std::string_view in, const std::function<void(const RelpFrame&)>& emit) {
  auto finish = [&] {
    RelpFrame f;
    f.txnr = static_cast<uint32_t>(txnr_);
    f.command = command_;
    f.data = data_;
    f.truncated = truncated_;
    emit(f);
    state_ = State::kTxnr;
    txnr_ = datalen_ = 0;
    txnr_digits_ = datalen_digits_ = 0;
    command_.clear();
    data_.clear();
    truncated_ = false;
  };
  size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    switch (state_) {
      case State::kFailed:
        return false;
      case State::kTxnr:
        if (c >= '0' && c <= '9') {
          if (++txnr_digits_ > 9) return Fail("transaction number longer than 9 digits");
          txnr_ = txnr_ * 10 + static_cast<uint64_t>(c - '0');
        } else if (c == ' ' && txnr_digits_ > 0) {
          state_ = State::kCommand;
        } else if ((c == '\n' || c == '\r') && txnr_digits_ == 0) {
          // stray line ends between frames: tolerated
        } else {
          return Fail("expected a transaction number");
        }
        ++i;
        break;
      case State::kCommand:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
          if (command_.size() >= 32) return Fail("command longer than 32 letters");
          command_.push_back(c);
        } else if (c == ' ' && !command_.empty()) {
          state_ = State::kDatalen;
        } else {
          return Fail("expected a command");
        }
        ++i;
        break;
      case State::kDatalen:
        if (c >= '0' && c <= '9') {
          if (++datalen_digits_ > 9) return Fail("data length longer than 9 digits");
          datalen_ = datalen_ * 10 + static_cast<uint64_t>(c - '0');
          ++i;
        } else if (datalen_digits_ == 0) {
          return Fail("expected a data length");
        } else if (datalen_ == 0) {
          state_ = State::kTrailer;  // no SP, no data
        } else if (c == ' ') {
          state_ = State::kData;
          remaining_ = datalen_;
          ++i;
        } else {
          return Fail("expected a space before the data");
        }
        break;
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size() - i));
        size_t keep = data_.size() < max_data_ ? std::min(n, max_data_ - data_.size()) : 0;
        data_.append(in.substr(i, keep));
        if (keep < n) truncated_ = true;
        remaining_ -= n;
        i += n;
        if (remaining_ == 0) state_ = State::kTrailer;
        break;
      }
      case State::kTrailer:
        if (c != '\n') return Fail("expected LF after the frame data");
        ++i;
        finish();
        break;
    }
  }
  return state_ != State::kFailed;
}

std::string RelpResponse(uint32_t txnr, std::string_view data) {
  std::string s = std::to_string(txnr);
  s += " rsp ";
  s += std::to_string(data.size());
  if (!data.empty()) {
    s += ' ';
    s += data;
  }
  s += '\n';
  return s;
}

}  // namespace spard
