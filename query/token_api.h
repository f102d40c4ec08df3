// Tokens over HTTP (admin):
//
//   POST   /v1/tokens  {"name":"anna.dso","role":"investigator","systems":["procapita"],
//                       "expires":"2027-06-30"}
//          201 {"id":..,"name":..,"role":..,"systems":[..],"expires":..|null,"created":..,
//               "token":"spard_..."}      the secret, shown this once and never again
//   GET    /v1/tokens                    {"tokens":[{id,name,role,systems,expires,created,
//                                        expired}]}, oldest first, no secrets
//   DELETE /v1/tokens/{id}               {"revoked":"<id>"}; the token stops working at once
//
// Creating and revoking are audited events of system "spard" (token.create, token.revoke);
// listing is an audited read (tokens.list). 409 for a name in use or the last admin token.
//
// Thread-safety: as api.h.

#pragma once

#include "query/api.h"

namespace spard {

void RegisterTokenApi(HttpServer* server, const ApiContext& context);

}  // namespace spard
