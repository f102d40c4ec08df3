// The Decoder options a Config asks for. Everything that decodes messages from a configuration —
// spard's listeners and quarantine re-processing, `spar import` — builds its DecoderOptions here,
// so that all of them read the same time zone and limits and map with the same per-system
// mappings (compiled once, shared).
//
// Thread-safety: a pure function; the result may be copied to and used on any thread.

#pragma once

#include "common/status.h"
#include "config/config.h"
#include "ingest/decoder.h"

namespace spard {

// ingest.max_message_bytes, ingest.rfc3164_timezone and the [[mapping]] tables, compiled. Fails
// only for mappings Config::Parse would have refused (a Config built by hand).
Result<DecoderOptions> DecoderOptionsFromConfig(const Config& config);

}  // namespace spard
