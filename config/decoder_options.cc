#include "config/decoder_options.h"

#include "ingest/mapping_set.h"

namespace spard {

Result<DecoderOptions> DecoderOptionsFromConfig(const Config& config) {
  DecoderOptions options;
  options.max_message_bytes = config.ingest.max_message_bytes;
  options.rfc3164_timezone = config.ingest.rfc3164_timezone;
  if (!config.mappings.empty()) {
    auto compiled = MappingSet::Compile(config.mappings);
    if (!compiled.ok()) return compiled.status();
    options.mappings = std::move(compiled).value();
  }
  return options;
}

}  // namespace spard
