// The log extract (logguttag) over HTTP, SPEC §4:
//
//   GET /v1/subjects/{subject}/extract?from=&to=&format=json|ndjson|csv|html&lang=sv|en
//
// Every access to records about one person, oldest first, in [from, to) (default: all that is
// stored), in the form of query/extract_document.h. {subject} is any written form of a
// personnummer or samordningsnummer (percent-encoded in the URL; '+' as it is or as %2B) and
// the extract covers all its forms; a subject that has the shape of a personnummer but not a
// valid date or check digit is refused (400) rather than answered with an empty extract.
//
// Roles: investigator and admin (a reviewer's loggkontroll is per system, never per person).
// A token limited to some systems gets only their events, and the extract says so ("scope").
// The audit event has action subject.extract, object the subject's normal form, and attrs the
// parameters and the number of accesses returned. The answer streams: never held in memory.
//
// Thread-safety: as api.h.

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "query/api.h"
#include "query/extract_document.h"

namespace spard {

void RegisterExtractApi(HttpServer* server, const ApiContext& context,
                        std::shared_ptr<const ExtractSettings> settings);

// The {subject} of "/v1/subjects/{subject}/extract" (the path already percent-decoded). False
// for any other path.
bool ExtractSubjectFromPath(std::string_view path, std::string* subject);

// OK for a subject an extract can be made for; InvalidArgument naming `subject` for an empty
// one, or one written like a personnummer (10 or 12 digits, '-' or '+' before the last four)
// whose date or check digit is wrong.
Status CheckExtractSubject(std::string_view subject, int64_t now_us);

}  // namespace spard
