// Fuzzes JsonFlattener on an Event's padded raw bytes, the way the decoder runs it, and
// cross-checks it with simdjson's validating DOM parser: whatever we accept is valid JSON, and
// every valid JSON object within our limits is accepted. Then runs Decoder::DecodeJsonLine.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/event.h"
#include "ingest/decoder.h"
#include "ingest/json_flattener.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// Depth of the DOM element, counting objects and arrays as the flattener does.
int Depth(simdjson::dom::element e) {
  int d = 0;
  if (e.is_object()) {
    for (auto field : e.get_object().value_unsafe()) d = std::max(d, Depth(field.value));
    return d + 1;
  }
  if (e.is_array()) {
    for (auto child : e.get_array().value_unsafe()) d = std::max(d, Depth(child));
    return d + 1;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static spard::JsonFlattener flattener;
  static spard::Decoder decoder(spard::DecoderOptions{});
  static simdjson::dom::parser dom;

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  spard::Event ev(input);
  spard::FlatJson flat;
  const spard::Status st = flattener.Flatten(ev.raw(), ev.raw_capacity(), &flat);

  simdjson::dom::element root;
  const simdjson::error_code dom_error =
      dom.parse(ev.raw().data(), ev.raw().size(), false).get(root);
  const bool dom_object = !dom_error && root.is_object();
  if (st.ok()) {
    // Big integers are valid JSON that simdjson's DOM refuses; nothing else may differ.
    Check(dom_object || dom_error == simdjson::NUMBER_ERROR);
    const char* begin = ev.raw().data();
    for (size_t i = 0; i < flat.size(); ++i) {
      const int64_t off = flat.value_offset(i);
      if (off >= 0) Check(flat.value(i).data() == begin + off);
      Check(flat.key(i).size() <= 4 * size + 4096);
    }
  } else if (dom_object && Depth(root) <= spard::kMaxJsonDepth &&
             st.message().find("exceed") == std::string::npos) {
    Check(false);  // a valid object we refused
  }

  spard::IngestBatch batch;
  const spard::Status line = decoder.DecodeJsonLine(input, spard::MessageSource{}, &batch);
  const size_t outputs = batch.events.size() + batch.quarantined.size();
  if (line.ok()) {
    Check(outputs <= 1);  // none only for a blank line
  } else {
    Check(outputs == 0 && line.IsInvalidArgument());
  }
  return 0;
}
