// EventGenerator: deterministic, realistic access events for spard's benchmarks.
//
// The population is built once from the seed: ≈2,000 users (account ids such as
// `kommun\anna.andersson` or `ab1234`, each with a home system, a unit and a workstation
// address), 50,000 subjects with valid personnummer (a few samordningsnummer), 6 systems with
// different volumes, ≈300,000 objects (`procapita:000123`), each belonging to one system and one
// subject. Event number `rank` (its position in time order) is then a pure function of (seed,
// rank): its time comes from the inverse of an office-hours rate curve (day 10× night, weekends
// lighter) plus a few seconds of jitter, everything else from a counter-based RNG. So the
// time-ordered and the shuffled stream of the same options hold exactly the same events, any
// event can be produced without the ones before it, and the NDJSON and RFC 5424 outputs of one
// seed describe the same events.
//
// This is a test oracle: it shares no code with spard (its personnummer arithmetic is its own),
// so a bug in spard's normalisation is not mirrored here.
//
// Thread-safety: const methods may be called from any number of threads.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spard::bench {

struct GeneratorOptions {
  uint64_t seed = 1;
  uint64_t count = 2'000'000;
  int days = 30;
  // Start of the span, µs since the epoch (UTC). Fixed by default so that runs compare.
  int64_t start_us = 1790812800'000000;  // 2026-10-01T00:00:00Z
  bool shuffled = false;                 // output order is a random permutation of time order
  // Time order is perturbed by up to ± this much, as when several senders' streams merge.
  int64_t jitter_us = 2'000'000;
  // Subjects, users and objects: the defaults are the sizes.
  uint32_t users = 2000;
  uint32_t subjects = 50000;
  uint32_t objects = 300000;
};

// One event. Views point into the generator (population tables) or into the event's own
// buffers, so an AccessEvent is valid while both the generator and the AccessEvent live and the
// AccessEvent is not copied.
struct AccessEvent {
  uint64_t rank = 0;  // position in time order; the identity of the event
  int64_t ts_us = 0;  // millisecond precision
  uint32_t system_index = 0;
  uint32_t user_index = 0;
  uint32_t object_index = 0;
  uint32_t subject_index = 0;
  std::string_view system;
  std::string_view host;
  std::string_view user;  // may contain a backslash (escaped in both output formats)
  std::string_view action;
  std::string_view object;
  std::string_view subject;  // as the system writes it (one of the personnummer forms)
  std::string_view outcome;
  std::string_view client_ip;
  std::string_view unit;
  std::string_view reason;  // only for emergency_access, else empty

  char subject_buf[16];
  char ip_buf[16];
};

// Where each value sits in a formatted RFC 5424 line, so a benchmark can build the same Event a
// parser would (values as slices of the raw line) without running a parser.
struct LineFields {
  enum Name {
    kSystem,
    kHost,
    kUser,
    kAction,
    kObject,
    kSubject,
    kOutcome,
    kClientIp,
    kUnit,
    kReason,
    kCount
  };
  uint16_t offset[kCount] = {};
  uint16_t length[kCount] = {};  // 0: absent
  bool escaped[kCount] = {};     // the value in the line carries RFC 5424 escapes
};

enum class OutputFormat { kRfc5424, kNdjson, kRfc3164, kCef, kMixed };

class EventGenerator {
 public:
  explicit EventGenerator(const GeneratorOptions& options);
  EventGenerator(const EventGenerator&) = delete;
  EventGenerator& operator=(const EventGenerator&) = delete;

  const GeneratorOptions& options() const { return options_; }
  uint64_t count() const { return options_.count; }

  // The i-th event of the output order (i < count()).
  void Get(uint64_t i, AccessEvent* out) const;
  // The event of time rank `rank`, whatever the output order.
  void GetByRank(uint64_t rank, AccessEvent* out) const;

  // Population, for benchmarks that pick query values.
  size_t system_count() const { return systems_.size(); }
  std::string_view system_name(size_t i) const { return systems_[i].name; }
  std::string_view user_name(uint32_t i) const { return users_[i].name; }
  std::string_view object_name(uint32_t i) const;
  uint32_t object_system(uint32_t i) const { return objects_[i].system; }
  uint32_t object_subject(uint32_t i) const { return objects_[i].subject; }
  // The 12-digit normal form YYYYMMDDNNNC.
  std::string_view subject_normal(uint32_t i) const {
    return std::string_view(subjects_[i].digits, 12);
  }
  // The subject written in `form` (0: YYYYMMDD-NNNC, 1: YYYYMMDDNNNC, 2: YYMMDD-NNNC or
  // YYMMDD+NNNC when the person is 100 or older at `ts_us`). Returns the length written to buf
  // (at least 14 bytes).
  size_t FormatSubject(uint32_t subject, int form, int64_t ts_us, char* buf) const;

 private:
  struct System {
    std::string name;
    double weight;
    int subject_form;  // how this system writes personnummer
    std::vector<std::string> hosts;
    std::vector<std::string> units;
    uint32_t first_object = 0;  // objects [first_object, first_object + object_count)
    uint32_t object_count = 0;
    uint32_t object_stride = 1;    // popularity rank -> object, coprime with object_count
    std::vector<uint32_t> users;   // users who work in this system
    std::vector<double> user_cdf;  // cumulative activity of `users`, normalised to 1
  };
  struct User {
    std::string name;
    std::string ip;
    uint32_t home_system = 0;
    uint32_t unit = 0;  // into the home system's units
  };
  struct Object {
    uint32_t system;
    uint32_t subject;
    uint32_t name_offset;  // into object_names_
    uint16_t name_length;
  };
  struct Subject {
    char digits[12];  // YYYYMMDDNNNC
    int16_t birth_year;
    uint8_t birth_month;
    uint8_t birth_day;  // the real day (without +60)
  };

  void BuildSystems();
  void BuildUsers();
  void BuildSubjects();
  void BuildObjects();
  void BuildTimeCurve();
  int64_t TimeOfRank(uint64_t rank) const;

  GeneratorOptions options_;
  std::vector<System> systems_;
  std::vector<double> system_cdf_;
  std::vector<User> users_;
  std::vector<Subject> subjects_;
  std::vector<Object> objects_;
  std::string object_names_;
  std::vector<double> hour_cdf_;  // cumulative event share at the end of each hour of the span
  std::vector<uint32_t> order_;   // output index -> rank, when shuffled
};

// Appends one LF-terminated RFC 5424 line:
//   <134>1 TS HOST SYSTEM - access [access@53000 user=".." action=".." object=".."
//   subject=".." outcome=".." client_ip=".." unit=".."( reason="..")]
// `fields` (optional) receives where each value sits, relative to the start of the line.
void AppendRfc5424(const AccessEvent& e, std::string* out, LineFields* fields = nullptr);

// Appends one LF-terminated NDJSON object with the canonical names (ts, system, user, action,
// object, subject, outcome, client_ip, host, reason, unit); reason only when present.
void AppendNdjson(const AccessEvent& e, std::string* out);

// Appends one LF-terminated RFC 3164 line with the fields as key=value pairs in MSG (values in
// double quotes, `"` and `\` escaped), the timestamp in UTC without a year:
//   <134>Oct  1 08:15:00 HOST SYSTEM[4711]: user=".." action=".." object=".." ...
void AppendRfc3164(const AccessEvent& e, std::string* out);

// Appends one LF-terminated CEF line in an RFC 3164 header, keys of SPEC §3 (rt in epoch ms):
//   <134>Oct  1 08:15:00 HOST CEF:0|Kommun|SYSTEM|1.0|access|ACTION|3|rt=.. suser=.. fname=..
//   duid=.. outcome=.. src=.. dvchost=.. cs1Label=unit cs1=..( reason=..)
void AppendCef(const AccessEvent& e, std::string* out);

// The line of `format` for the event; kMixed picks one of the four formats by the event's rank.
void AppendLine(OutputFormat format, const AccessEvent& e, std::string* out);

// RFC 3339 UTC with milliseconds: "2026-10-01T08:15:00.123Z".
void AppendTimestamp(int64_t ts_us, std::string* out);

}  // namespace spard::bench
