// Swedish personnummer and samordningsnummer: recognising the forms seen in logs and reducing
// them to one normal form for indexing (docs/DOMAIN: "Personnummer and samordningsnummer").
//
// Accepted forms: YYYYMMDD-NNNC, YYYYMMDDNNNC, YYMMDD-NNNC, YYMMDDNNNC, YYMMDD+NNNC (and
// YYYYMMDD+NNNC). C is the Luhn check digit over YYMMDDNNN. A samordningsnummer has 60 added to
// the day. The normal form is the 12 digits YYYYMMDDNNNC; a 10-digit form takes the century that
// makes the person younger than 100 on the reference date (100 or older with '+').
// Pure functions, thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace spard {

// True when `s` is a valid personnummer or samordningsnummer (date and check digit); then
// `*out` holds the 12-digit normal form. `ref_us` is the date the number was written (the
// event's time; "now" for a query).
bool NormalizePersonnummer(std::string_view s, int64_t ref_us, std::string* out);

// The form a subject is indexed and searched under: the normal form for a personnummer or
// samordningsnummer, anything else unchanged.
std::string NormalizeSubject(std::string_view s, int64_t ref_us);

}  // namespace spard
