// FakeSpard: an HttpClient that answers GET /v1/events, /v1/events/count and /v1/quarantine
// the way spard does (SPEC §4) from an in-memory list: ordering by (ts, id), from inclusive and
// to exclusive, limit 1..10000, opaque cursors bound to the question, format json|ndjson|csv,
// errors as {"error":...} with the HTTP status. Bodies arrive in small pieces, so every client
// path that reassembles rows is exercised. For unit tests of the pager, follow and commands.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/http_client.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace spard::cli::testing {

struct FakeEvent {
  uint64_t id = 0;
  int64_t ts_us = 0;
  std::string system = "procapita", user = "anna", action = "read", object = "rec:1",
              subject = "19650412-1234", outcome = "success";
};

class FakeSpard final : public HttpClient {
 public:
  std::vector<FakeEvent> events;
  std::vector<std::string> quarantine;  // raw messages; ids 1, 2, ...
  size_t piece = 7;                     // body bytes per piece
  std::vector<std::string> requests;    // "path?query" of every request
  // When set, called before each request is answered (to change the data in between).
  std::function<void(FakeSpard*)> before;
  // When non-zero, the next request is answered with this status and {"error": fail_message}.
  unsigned fail_status = 0;
  std::string fail_message = "refused";
  Status fail_transport;  // when not OK, the next request fails with it

  FakeEvent& Add(int64_t ts_us, std::string user = "anna") {
    FakeEvent e;
    e.id = ++last_id_;
    e.ts_us = ts_us;
    e.user = std::move(user);
    events.push_back(e);
    return events.back();
  }

  Status Get(std::string_view path, const Params& params, const BodyFn& on_body) override {
    requests.push_back(std::string(path) + "?" + EncodeQuery(params));
    if (before) before(this);
    if (!fail_transport.ok()) {
      Status s = fail_transport;
      fail_transport = Status::Ok();
      return s;
    }
    if (fail_status != 0) {
      unsigned status = fail_status;
      fail_status = 0;
      return Error(status, fail_message);
    }
    unsigned status = 200;
    std::string body;
    if (path == "/v1/events") {
      status = Events(params, &body);
    } else if (path == "/v1/events/count") {
      status = Count(params, &body);
    } else if (path == "/v1/quarantine") {
      status = Quarantine(params, &body);
    } else {
      status = 404;
      body = "{\"error\":\"no such endpoint\"}";
    }
    if (status != 200) return Error(status, ErrorMessage(body));
    for (size_t i = 0; i < body.size(); i += piece) {
      Status s = on_body(std::string_view(body).substr(i, piece));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  struct Question {
    std::map<std::string, std::string> fields;
    int64_t from = INT64_MIN, to = INT64_MAX;
    bool desc = false;
    size_t limit = 100;
    std::string format = "json", cursor;
    std::string Canonical() const {
      std::string s;
      for (const auto& [k, v] : fields) s += k + "=" + v + ";";
      return s + std::to_string(from) + ";" + std::to_string(to) + (desc ? ";d" : ";a");
    }
  };

  static std::string ErrorMessage(const std::string& body) {
    size_t b = body.find(":\"") + 2;
    return body.substr(b, body.rfind('"') - b);
  }

  Status Error(unsigned status, const std::string& message) {
    HttpClientOptions o;
    o.url = *ServerUrl::Parse("http://127.0.0.1:8514");
    o.token_source = "$SPAR_TOKEN";
    return HttpErrorStatus(status, "{\"error\":\"" + message + "\"}", o);
  }

  static bool ParseQuestion(const Params& params, bool events, Question* q, std::string* error) {
    for (const auto& [k, v] : params) {
      if (k == "user" || k == "object" || k == "subject" || k == "system" || k == "action" ||
          k == "outcome") {
        q->fields[k] = v;
      } else if (k == "from" || k == "to") {
        int64_t us;
        if (!ParseDateOrRfc3339(v, &us)) {
          *error = k + ": expected an RFC 3339 time";
          return false;
        }
        (k == "from" ? q->from : q->to) = us;
      } else if (events && k == "order") {
        q->desc = v == "desc";
      } else if (events && k == "limit") {
        q->limit = std::stoul(v);
        if (q->limit < 1 || q->limit > 10000) {
          *error = "limit: expected a number from 1 to 10000";
          return false;
        }
      } else if (events && k == "format") {
        q->format = v;
      } else if (events && k == "cursor") {
        q->cursor = v;
      } else {
        *error = k + ": unknown parameter";
        return false;
      }
    }
    return true;
  }

  std::vector<FakeEvent> Matching(const Question& q) const {
    std::vector<FakeEvent> out;
    for (const FakeEvent& e : events) {
      if (e.ts_us < q.from || e.ts_us >= q.to) continue;
      auto f = q.fields.find("user");
      if (f != q.fields.end() && f->second != e.user) continue;
      f = q.fields.find("system");
      if (f != q.fields.end() && f->second != e.system) continue;
      out.push_back(e);
    }
    std::sort(out.begin(), out.end(), [&](const FakeEvent& a, const FakeEvent& b) {
      auto ka = std::make_pair(a.ts_us, a.id), kb = std::make_pair(b.ts_us, b.id);
      return q.desc ? kb < ka : ka < kb;
    });
    return out;
  }

  static void EventJson(JsonWriter* w, const FakeEvent& e) {
    w->StartObject();
    w->Key("id");
    w->Uint(e.id);
    w->Key("ts");
    w->String(FormatRfc3339(e.ts_us));
    w->Key("received");
    w->String(FormatRfc3339(e.ts_us + 250000));
    const std::pair<const char*, const std::string*> fields[] = {
        {"system", &e.system}, {"user", &e.user},       {"action", &e.action},
        {"object", &e.object}, {"subject", &e.subject}, {"outcome", &e.outcome}};
    for (const auto& [k, v] : fields) {
      w->Key(k);
      w->String(*v);
    }
    w->Key("reason");
    w->Null();
    w->EndObject();
  }

  unsigned Events(const Params& params, std::string* body) {
    Question q;
    std::string error;
    if (!ParseQuestion(params, true, &q, &error)) {
      *body = "{\"error\":\"" + error + "\"}";
      return 400;
    }
    std::vector<FakeEvent> all = Matching(q);
    const std::string binding = std::to_string(std::hash<std::string>{}(q.Canonical()));
    size_t start = 0;
    if (!q.cursor.empty()) {
      size_t c1 = q.cursor.find(':'), c2 = q.cursor.find(':', c1 + 1);
      if (c2 == std::string::npos || q.cursor.substr(c2 + 1) != binding) {
        *body = "{\"error\":\"cursor: belongs to a query with other filters or order\"}";
        return 400;
      }
      std::pair<int64_t, uint64_t> pos(std::stoll(q.cursor.substr(0, c1)),
                                       std::stoull(q.cursor.substr(c1 + 1, c2 - c1 - 1)));
      while (start < all.size()) {
        std::pair<int64_t, uint64_t> k(all[start].ts_us, all[start].id);
        if (q.desc ? k < pos : pos < k) break;
        ++start;
      }
    }
    size_t end = std::min(all.size(), start + q.limit);
    if (q.format == "ndjson") {
      for (size_t i = start; i < end; ++i) {
        std::string line;
        JsonWriter w(&line);
        EventJson(&w, all[i]);
        *body += line + "\n";
      }
    } else if (q.format == "csv") {
      *body =
          "id,ts,received,system,user,action,object,subject,outcome,client_ip,host,reason,"
          "attrs\r\n";
      for (size_t i = start; i < end; ++i) {
        const FakeEvent& e = all[i];
        *body += std::to_string(e.id) + "," + FormatRfc3339(e.ts_us) + "," +
                 FormatRfc3339(e.ts_us + 250000) + "," + e.system + "," + e.user + "," + e.action +
                 "," + e.object + "," + e.subject + "," + e.outcome + ",,,\"multi\r\nline\",{}\r\n";
      }
    } else {
      JsonWriter w(body);
      w.StartObject();
      w.Key("events");
      w.StartArray();
      for (size_t i = start; i < end; ++i) EventJson(&w, all[i]);
      w.EndArray();
      w.Key("next_cursor");
      if (end < all.size() && end > start) {
        w.String(std::to_string(all[end - 1].ts_us) + ":" + std::to_string(all[end - 1].id) + ":" +
                 binding);
      } else {
        w.Null();
      }
      w.EndObject();
    }
    return 200;
  }

  unsigned Count(const Params& params, std::string* body) {
    Question q;
    std::string error;
    if (!ParseQuestion(params, false, &q, &error)) {
      *body = "{\"error\":\"" + error + "\"}";
      return 400;
    }
    *body = "{\"count\":" + std::to_string(Matching(q).size()) + "}";
    return 200;
  }

  unsigned Quarantine(const Params& params, std::string* body) {
    size_t limit = 100, after = 0;
    for (const auto& [k, v] : params) {
      if (k == "limit") limit = std::stoul(v);
      if (k == "after") after = std::stoul(v);
    }
    JsonWriter w(body);
    w.StartObject();
    w.Key("quarantine");
    w.StartArray();
    size_t i = after;
    for (; i < quarantine.size() && i < after + limit; ++i) {
      w.StartObject();
      w.Key("id");
      w.Uint(i + 1);
      w.Key("received");
      w.String("2026-10-05T08:15:00Z");
      w.Key("reason");
      w.String("no user");
      w.Key("source");
      w.StartObject();
      w.Key("listener");
      w.String("tcp");
      w.Key("peer");
      w.String("10.0.0.7:51234");
      w.EndObject();
      w.Key("truncated");
      w.Bool(false);
      w.Key("raw");
      w.String(quarantine[i]);
      w.EndObject();
    }
    w.EndArray();
    w.Key("next_after");
    if (i < quarantine.size()) {
      w.Uint(i);
    } else {
      w.Null();
    }
    w.EndObject();
    return 200;
  }

  uint64_t last_id_ = 0;
};

// A client that forwards to one owned elsewhere (a test's FakeSpard outlives the Context).
class BorrowedClient final : public HttpClient {
 public:
  explicit BorrowedClient(HttpClient* client) : client_(client) {}
  Status Get(std::string_view path, const Params& params, const BodyFn& on_body) override {
    return client_->Get(path, params, on_body);
  }

 private:
  HttpClient* client_;
};

}  // namespace spard::cli::testing
