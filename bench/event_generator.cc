#include "bench/event_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <unordered_set>

namespace spard::bench {

namespace {

constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kHourUs = 3600 * kSecondUs;
constexpr int64_t kDayUs = 24 * kHourUs;

// splitmix64: a counter-based generator, so event `rank` needs no state from earlier events.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(Mix(seed)) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  double Normal() {
    double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }

 private:
  uint64_t state_;
};

// Streams derived from the seed, so that changing how one table is built never shifts another.
enum Stream : uint64_t {
  kSystemsStream = 1,
  kUsersStream,
  kSubjectsStream,
  kObjectsStream,
  kOrderStream,
  kEventStream,
};
uint64_t StreamSeed(uint64_t seed, Stream s) { return Mix(seed * 0x100000001b3ull + s); }

size_t PickCdf(const std::vector<double>& cdf, double u) {
  size_t i = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
  return std::min(i, cdf.size() - 1);
}

// Days since 1970-01-01 -> civil date (H. Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yy + (*m <= 2));
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Luhn check digit over the nine digits YYMMDDNNN (weights 2,1,2,...).
int LuhnCheckDigit(const char* nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) {
    int d = (nine[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - sum % 10) % 10;
}

// Appends `v` escaped as an RFC 5424 PARAM-VALUE (§6.3.3: '"', '\' and ']' take a backslash).
// Returns whether anything was escaped.
bool AppendSdValue(std::string* out, std::string_view v) {
  if (v.find_first_of("\"\\]") == std::string_view::npos) {  // the common case: one copy
    out->append(v);
    return false;
  }
  bool escaped = false;
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') {
      out->push_back('\\');
      escaped = true;
    }
    out->push_back(c);
  }
  return escaped;
}

void AppendJsonString(std::string* out, std::string_view v) {
  out->push_back('"');
  bool plain = true;
  for (char c : v) plain &= c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
  if (plain) {  // the common case: one copy
    out->append(v);
    out->push_back('"');
    return;
  }
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

struct SystemSpec {
  const char* name;
  double weight;  // share of all events
  int subject_form;
  int hosts;
  std::vector<const char*> units;
};

// Volumes in the spirit of a municipality plus a region's patient record system: health care
// and social services dominate, HR is small.
const std::vector<SystemSpec>& SystemSpecs() {
  static const std::vector<SystemSpec> specs = {
      {"procapita",
       0.28,
       0,
       2,
       {"Hemtjänst Norr", "Hemtjänst Söder", "Ekonomiskt bistånd", "Barn och familj", "LSS Centrum",
        "Äldreboende Solgården", "Biståndsenheten"}},
      {"cosmic",
       0.30,
       1,
       3,
       {"VC Centrum", "Akutmottagningen", "Medicinavd 12", "Ortopedmottagningen", "BVC Väster",
        "Psykiatri Öppenvård", "Kirurgavd 3"}},
      {"treserva",
       0.14,
       0,
       2,
       {"Individ- och familjeomsorg", "Missbruk vuxen", "Socialjouren", "Försörjningsstöd"}},
      {"lifecare", 0.10, 2, 2, {"Hemsjukvård", "Korttidsboende Eken", "Rehab Öst"}},
      {"edlevo",
       0.12,
       2,
       2,
       {"Ekbackens skola", "Norrskolan", "Elevhälsan Öst", "Förskolan Lärkan", "Gymnasiet"}},
      {"personec", 0.06, 1, 1, {"HR-avdelningen", "Lönecenter"}},
  };
  return specs;
}

const std::array<const char*, 48> kFirstNames = {
    "anna",   "eva",   "maria", "karin",   "sara",   "lena",    "kerstin", "emma",
    "ingrid", "malin", "elin",  "johanna", "sofia",  "ida",     "linnea",  "hanna",
    "amanda", "frida", "marie", "annika",  "helena", "camilla", "jenny",   "ulla",
    "erik",   "lars",  "karl",  "anders",  "johan",  "per",     "nils",    "jan",
    "mikael", "hans",  "peter", "olof",    "gunnar", "sven",    "fredrik", "daniel",
    "oskar",  "david", "emil",  "jonas",   "ahmed",  "ali",     "omar",    "mohammed"};
const std::array<const char*, 56> kLastNames = {
    "andersson", "johansson",  "karlsson",    "nilsson",    "eriksson",   "larsson",   "olsson",
    "persson",   "svensson",   "gustafsson",  "pettersson", "jonsson",    "jansson",   "hansson",
    "bengtsson", "carlsson",   "lindberg",    "magnusson",  "lindstrom",  "olofsson",  "lindgren",
    "axelsson",  "berg",       "bergstrom",   "lundberg",   "lind",       "lundgren",  "lundqvist",
    "mattsson",  "berglund",   "fredriksson", "sandberg",   "henriksson", "forsberg",  "sjoberg",
    "wallin",    "engstrom",   "eklund",      "danielsson", "lundin",     "hakansson", "bjork",
    "bergman",   "gunnarsson", "holm",        "wikstrom",   "samuelsson", "isaksson",  "fransson",
    "nystrom",   "holmberg",   "arvidsson",   "nyberg",     "hassan",     "ali",       "yilmaz"};

struct ActionSpec {
  const char* name;
  double weight;
};
// read dominates; emergency access is rare and always reviewed.
constexpr std::array<ActionSpec, 7> kActions = {{{"read", 0.712},
                                                 {"search", 0.12},
                                                 {"update", 0.08},
                                                 {"create", 0.04},
                                                 {"print", 0.03},
                                                 {"export", 0.016},
                                                 {"emergency_access", 0.002}}};
constexpr double kDeniedShare = 0.015;
constexpr double kVpnShare = 0.08;  // events from the VPN pool rather than the workstation
constexpr double kSamordningShare = 0.02;
constexpr std::array<const char*, 5> kEmergencyReasons = {
    "Akut omhändertagande", "Patient medvetslös", "Hot mot liv eller hälsa",
    "Nödåtkomst: samtycke kan ej inhämtas", "Akut remiss"};

// Local office hours (UTC+1): day ten times the night, a dip at lunch, weekends light.
constexpr std::array<double, 24> kLocalHourWeight = {1, 1,  1,  1,  1, 1, 3, 6, 10, 10, 10, 10,
                                                     8, 10, 10, 10, 7, 4, 2, 2, 2,  2,  1,  1};
constexpr std::array<double, 7> kWeekdayWeight = {0.2, 1, 1, 1, 1, 0.9, 0.25};  // Sunday first

}  // namespace

EventGenerator::EventGenerator(const GeneratorOptions& options) : options_(options) {
  if (options_.count == 0 || options_.count > UINT32_MAX) {
    throw std::invalid_argument("count must be in [1, 2^32)");
  }
  if (options_.days < 1) throw std::invalid_argument("days must be >= 1");
  if (options_.jitter_us < 0 || options_.jitter_us > 1800 * kSecondUs) {
    throw std::invalid_argument("jitter must be in [0, 30 min]");
  }
  if (options_.users < 10 || options_.subjects < 10 || options_.objects < 100) {
    throw std::invalid_argument("population too small");
  }
  BuildSystems();
  BuildUsers();
  BuildSubjects();
  BuildObjects();
  BuildTimeCurve();
  if (options_.shuffled) {
    order_.resize(options_.count);
    std::iota(order_.begin(), order_.end(), 0u);
    Rng rng(StreamSeed(options_.seed, kOrderStream));
    for (size_t i = order_.size() - 1; i > 0; --i) {
      std::swap(order_[i], order_[rng.Below(static_cast<uint32_t>(i + 1))]);
    }
  }
}

void EventGenerator::BuildSystems() {
  double total = 0;
  for (const SystemSpec& spec : SystemSpecs()) {
    System s;
    s.name = spec.name;
    s.weight = spec.weight;
    s.subject_form = spec.subject_form;
    for (int h = 1; h <= spec.hosts; ++h) {
      char buf[64];
      snprintf(buf, sizeof(buf), "%s-app%02d", spec.name, h);
      s.hosts.emplace_back(buf);
    }
    for (const char* u : spec.units) s.units.emplace_back(u);
    systems_.push_back(std::move(s));
    total += spec.weight;
    system_cdf_.push_back(total);
  }
  for (double& c : system_cdf_) c /= total;
}

void EventGenerator::BuildUsers() {
  Rng rng(StreamSeed(options_.seed, kUsersStream));
  std::unordered_set<std::string> taken;
  std::vector<double> activity(options_.users);
  std::vector<int> second_system(options_.users, -1);
  users_.resize(options_.users);
  for (uint32_t i = 0; i < options_.users; ++i) {
    User& u = users_[i];
    u.home_system = static_cast<uint32_t>(PickCdf(system_cdf_, rng.Uniform()));
    const System& home = systems_[u.home_system];
    u.unit = rng.Below(static_cast<uint32_t>(home.units.size()));
    const char* first = kFirstNames[rng.Below(kFirstNames.size())];
    const char* last = kLastNames[rng.Below(kLastNames.size())];
    std::string name;
    if (rng.Uniform() < 0.6) {
      // Windows domain accounts: the region runs the patient records, the municipality the rest.
      std::string base =
          std::string(home.name == "cosmic" ? "region\\" : "kommun\\") + first + "." + last;
      name = base;
      for (int n = 2; taken.contains(name); ++n) name = base + std::to_string(n);
    } else {
      do {
        char buf[16];
        snprintf(buf, sizeof(buf), "%c%c%04u", first[0], last[0], rng.Below(10000));
        name = buf;
      } while (taken.contains(name));
    }
    taken.insert(name);
    u.name = std::move(name);
    char ip[20];
    snprintf(ip, sizeof(ip), "10.%u.%u.%u", 16 + u.home_system, (i / 250) % 256, i % 250 + 2);
    u.ip = ip;
    // Activity: log-normal, so a few heavy users (case workers on duty) dominate, as in real logs.
    activity[i] = std::exp(rng.Normal());
    if (rng.Uniform() < 0.1) {
      second_system[i] = static_cast<int>(rng.Below(static_cast<uint32_t>(systems_.size())));
      if (second_system[i] == static_cast<int>(u.home_system)) second_system[i] = -1;
    }
  }
  for (uint32_t s = 0; s < systems_.size(); ++s) {
    System& sys = systems_[s];
    double total = 0;
    for (uint32_t i = 0; i < options_.users; ++i) {
      double w = 0;
      if (users_[i].home_system == s) w = activity[i];
      if (second_system[i] == static_cast<int>(s)) w = 0.3 * activity[i];
      if (w == 0) continue;
      total += w;
      sys.users.push_back(i);
      sys.user_cdf.push_back(total);
    }
    if (sys.users.empty()) {  // tiny populations: someone must work in every system
      sys.users.push_back(s % options_.users);
      sys.user_cdf.push_back(1);
      total = 1;
    }
    for (double& c : sys.user_cdf) c /= total;
  }
}

void EventGenerator::BuildSubjects() {
  Rng rng(StreamSeed(options_.seed, kSubjectsStream));
  std::unordered_set<std::string> taken;
  subjects_.resize(options_.subjects);
  for (Subject& s : subjects_) {
    std::string digits;
    do {
      int year = 1930 + static_cast<int>(rng.Below(95));  // 1930..2024
      unsigned month = 1 + rng.Below(12);
      unsigned day = 1 + rng.Below(DaysInMonth(year, month));
      bool samordning = rng.Uniform() < kSamordningShare;
      unsigned serial = 1 + rng.Below(999);
      char buf[16];
      snprintf(buf, sizeof(buf), "%04d%02u%02u%03u", year, month, samordning ? day + 60 : day,
               serial);
      buf[11] = static_cast<char>('0' + LuhnCheckDigit(buf + 2));
      buf[12] = 0;
      digits.assign(buf, 12);
      s.birth_year = static_cast<int16_t>(year);
      s.birth_month = static_cast<uint8_t>(month);
      s.birth_day = static_cast<uint8_t>(day);
    } while (taken.contains(digits));
    taken.insert(digits);
    memcpy(s.digits, digits.data(), 12);
  }
}

void EventGenerator::BuildObjects() {
  Rng rng(StreamSeed(options_.seed, kObjectsStream));
  double total_weight = 0;
  for (const System& s : systems_) total_weight += s.weight;
  uint32_t next = 0;
  for (size_t si = 0; si < systems_.size(); ++si) {
    System& s = systems_[si];
    s.first_object = next;
    s.object_count = si + 1 == systems_.size()
                         ? options_.objects - next
                         : static_cast<uint32_t>(options_.objects * s.weight / total_weight);
    s.object_count = std::max<uint32_t>(s.object_count, 1);
    // A stride coprime with the count spreads the popular objects over the number range.
    s.object_stride = 7919;
    while (std::gcd(s.object_stride, s.object_count) != 1) ++s.object_stride;
    next += s.object_count;
  }
  objects_.resize(next);
  for (size_t si = 0; si < systems_.size(); ++si) {
    const System& s = systems_[si];
    for (uint32_t j = 0; j < s.object_count; ++j) {
      Object& o = objects_[s.first_object + j];
      o.system = static_cast<uint32_t>(si);
      o.subject = rng.Below(options_.subjects);
      o.name_offset = static_cast<uint32_t>(object_names_.size());
      char buf[64];
      int n = snprintf(buf, sizeof(buf), "%s:%06u", s.name.c_str(), j + 1);
      object_names_.append(buf, n);
      o.name_length = static_cast<uint16_t>(n);
    }
  }
}

void EventGenerator::BuildTimeCurve() {
  const int hours = options_.days * 24;
  hour_cdf_.resize(hours);
  double total = 0;
  for (int h = 0; h < hours; ++h) {
    int64_t t = options_.start_us + h * kHourUs + kHourUs;  // local time = UTC+1
    int64_t day = FloorDiv(t, kDayUs);
    int local_hour = static_cast<int>(FloorDiv(t - day * kDayUs, kHourUs));
    int weekday = static_cast<int>(((day + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    total += kLocalHourWeight[local_hour] * kWeekdayWeight[weekday];
    hour_cdf_[h] = total;
  }
  for (double& c : hour_cdf_) c /= total;
}

int64_t EventGenerator::TimeOfRank(uint64_t rank) const {
  // The rank-th of count quantiles of the rate curve: time order is rank order, before jitter.
  double u = (static_cast<double>(rank) + 0.5) / static_cast<double>(options_.count);
  size_t h = PickCdf(hour_cdf_, u);
  double lo = h == 0 ? 0 : hour_cdf_[h - 1];
  double frac = (u - lo) / std::max(hour_cdf_[h] - lo, 1e-300);
  return options_.start_us + static_cast<int64_t>(h) * kHourUs +
         static_cast<int64_t>(std::clamp(frac, 0.0, 1.0) * static_cast<double>(kHourUs));
}

std::string_view EventGenerator::object_name(uint32_t i) const {
  const Object& o = objects_[i];
  return std::string_view(object_names_).substr(o.name_offset, o.name_length);
}

size_t EventGenerator::FormatSubject(uint32_t subject, int form, int64_t ts_us, char* buf) const {
  const Subject& s = subjects_[subject];
  switch (form) {
    case 0:  // YYYYMMDD-NNNC
      memcpy(buf, s.digits, 8);
      buf[8] = '-';
      memcpy(buf + 9, s.digits + 8, 4);
      return 13;
    case 1:  // YYYYMMDDNNNC
      memcpy(buf, s.digits, 12);
      return 12;
    default: {  // YYMMDD-NNNC, '+' from the hundredth birthday on
      int y;
      unsigned m, d;
      CivilFromDays(FloorDiv(ts_us, kDayUs), &y, &m, &d);
      int age = y - s.birth_year - ((m * 100 + d < s.birth_month * 100u + s.birth_day) ? 1 : 0);
      memcpy(buf, s.digits + 2, 6);
      buf[6] = age >= 100 ? '+' : '-';
      memcpy(buf + 7, s.digits + 8, 4);
      return 11;
    }
  }
}

void EventGenerator::Get(uint64_t i, AccessEvent* out) const {
  GetByRank(order_.empty() ? i : order_[i], out);
}

void EventGenerator::GetByRank(uint64_t rank, AccessEvent* e) const {
  Rng rng(StreamSeed(options_.seed, kEventStream) ^ (rank * 0xd1342543de82ef95ull));
  e->rank = rank;
  const int64_t jitter = options_.jitter_us;
  int64_t ts = TimeOfRank(rank) +
               static_cast<int64_t>(rng.Below(static_cast<uint32_t>(2 * jitter + 1))) - jitter;
  const int64_t end = options_.start_us + options_.days * kDayUs;
  ts = std::clamp(ts, options_.start_us, end - 1);
  e->ts_us = ts - ts % 1000;  // milliseconds, as most systems write them

  e->system_index = static_cast<uint32_t>(PickCdf(system_cdf_, rng.Uniform()));
  const System& sys = systems_[e->system_index];
  e->system = sys.name;
  e->host = sys.hosts[rng.Below(static_cast<uint32_t>(sys.hosts.size()))];
  e->user_index = sys.users[PickCdf(sys.user_cdf, rng.Uniform())];
  const User& user = users_[e->user_index];
  e->user = user.name;
  e->unit = systems_[user.home_system].units[user.unit];

  // Popularity rank u^2: the top 1 % of a system's records take 10 % of its accesses (open
  // cases, patients in care), the long tail is touched rarely.
  double u = rng.Uniform();
  uint32_t popularity = static_cast<uint32_t>(u * u * sys.object_count);
  popularity = std::min(popularity, sys.object_count - 1);
  e->object_index = sys.first_object +
                    static_cast<uint32_t>((static_cast<uint64_t>(popularity) * sys.object_stride) %
                                          sys.object_count);
  e->object = object_name(e->object_index);
  e->subject_index = objects_[e->object_index].subject;
  size_t n = FormatSubject(e->subject_index, sys.subject_form, e->ts_us, e->subject_buf);
  e->subject = std::string_view(e->subject_buf, n);

  const double a = rng.Uniform();
  size_t action = 0;
  for (double c = 0; action + 1 < kActions.size(); ++action) {
    c += kActions[action].weight;
    if (a < c) break;
  }
  e->action = kActions[action].name;
  e->outcome = rng.Uniform() < kDeniedShare ? "denied" : "success";
  e->reason = {};
  if (action + 1 == kActions.size()) {
    e->reason = kEmergencyReasons[rng.Below(kEmergencyReasons.size())];
  }
  if (rng.Uniform() < kVpnShare) {
    uint32_t r = rng.Below(4000);
    int len = snprintf(e->ip_buf, sizeof(e->ip_buf), "10.250.%u.%u", r / 250, r % 250 + 2);
    e->client_ip = std::string_view(e->ip_buf, len);
  } else {
    e->client_ip = user.ip;
  }
}

void AppendTimestamp(int64_t ts_us, std::string* out) {
  int64_t day = FloorDiv(ts_us, kDayUs);
  int64_t in_day = ts_us - day * kDayUs;
  int y;
  unsigned m, d;
  CivilFromDays(day, &y, &m, &d);
  unsigned secs = static_cast<unsigned>(in_day / kSecondUs);
  unsigned ms = static_cast<unsigned>(in_day % kSecondUs / 1000);
  char b[24];
  Put2(b, static_cast<unsigned>(y / 100) % 100);
  Put2(b + 2, static_cast<unsigned>(y % 100));
  b[4] = '-';
  Put2(b + 5, m);
  b[7] = '-';
  Put2(b + 8, d);
  b[10] = 'T';
  Put2(b + 11, secs / 3600);
  b[13] = ':';
  Put2(b + 14, secs / 60 % 60);
  b[16] = ':';
  Put2(b + 17, secs % 60);
  b[19] = '.';
  b[20] = static_cast<char>('0' + ms / 100);
  Put2(b + 21, ms % 100);
  b[23] = 'Z';
  out->append(b, 24);
}

void AppendRfc5424(const AccessEvent& e, std::string* out, LineFields* fields) {
  const size_t start = out->size();
  auto mark = [&](LineFields::Name name, size_t begin, bool escaped) {
    if (fields == nullptr) return;
    fields->offset[name] = static_cast<uint16_t>(begin - start);
    fields->length[name] = static_cast<uint16_t>(out->size() - begin);
    fields->escaped[name] = escaped;
  };
  if (fields != nullptr) *fields = LineFields();
  // PRI 134 = local0.info: where access logs are usually routed.
  out->append("<134>1 ");
  AppendTimestamp(e.ts_us, out);
  out->push_back(' ');
  size_t b = out->size();
  out->append(e.host);
  mark(LineFields::kHost, b, false);
  out->push_back(' ');
  b = out->size();
  out->append(e.system);
  mark(LineFields::kSystem, b, false);
  out->append(" - access [access@53000");
  auto param = [&](LineFields::Name name, std::string_view key, std::string_view value) {
    out->push_back(' ');
    out->append(key);
    out->append("=\"");
    size_t vb = out->size();
    bool escaped = AppendSdValue(out, value);
    mark(name, vb, escaped);
    out->push_back('"');
  };
  param(LineFields::kUser, "user", e.user);
  param(LineFields::kAction, "action", e.action);
  param(LineFields::kObject, "object", e.object);
  param(LineFields::kSubject, "subject", e.subject);
  param(LineFields::kOutcome, "outcome", e.outcome);
  param(LineFields::kClientIp, "client_ip", e.client_ip);
  param(LineFields::kUnit, "unit", e.unit);
  if (!e.reason.empty()) param(LineFields::kReason, "reason", e.reason);
  out->append("]\n");
}

void AppendNdjson(const AccessEvent& e, std::string* out) {
  out->append("{\"ts\":\"");
  AppendTimestamp(e.ts_us, out);
  out->append("\",\"system\":");
  AppendJsonString(out, e.system);
  out->append(",\"user\":");
  AppendJsonString(out, e.user);
  out->append(",\"action\":");
  AppendJsonString(out, e.action);
  out->append(",\"object\":");
  AppendJsonString(out, e.object);
  out->append(",\"subject\":");
  AppendJsonString(out, e.subject);
  out->append(",\"outcome\":");
  AppendJsonString(out, e.outcome);
  out->append(",\"client_ip\":");
  AppendJsonString(out, e.client_ip);
  out->append(",\"host\":");
  AppendJsonString(out, e.host);
  if (!e.reason.empty()) {
    out->append(",\"reason\":");
    AppendJsonString(out, e.reason);
  }
  out->append(",\"unit\":");
  AppendJsonString(out, e.unit);
  out->append("}\n");
}

namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "Oct  1 08:15:00" in UTC (RFC 3164: day padded with a space).
void AppendBsdTimestamp(int64_t ts_us, std::string* out) {
  std::string iso;
  AppendTimestamp(ts_us, &iso);  // YYYY-MM-DDTHH:MM:SS.mmmZ
  const int month = (iso[5] - '0') * 10 + (iso[6] - '0');
  out->append(kMonths[month - 1]);
  out->push_back(' ');
  out->push_back(iso[8] == '0' ? ' ' : iso[8]);
  out->push_back(iso[9]);
  out->push_back(' ');
  out->append(iso, 11, 8);
}

void AppendQuotedKv(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(' ');
  out->append(key);
  out->append("=\"");
  for (char c : value) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

// CEF extension value: `\`, `=` escaped; newlines never occur in generated values.
void AppendCefKv(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(' ');
  out->append(key);
  out->push_back('=');
  for (char c : value) {
    if (c == '\\' || c == '=') out->push_back('\\');
    out->push_back(c);
  }
}

}  // namespace

void AppendRfc3164(const AccessEvent& e, std::string* out) {
  out->append("<134>");
  AppendBsdTimestamp(e.ts_us, out);
  out->push_back(' ');
  out->append(e.host);
  out->push_back(' ');
  out->append(e.system);
  out->append("[4711]:");
  AppendQuotedKv(out, "user", e.user);
  AppendQuotedKv(out, "action", e.action);
  AppendQuotedKv(out, "object", e.object);
  AppendQuotedKv(out, "subject", e.subject);
  AppendQuotedKv(out, "outcome", e.outcome);
  AppendQuotedKv(out, "client_ip", e.client_ip);
  AppendQuotedKv(out, "unit", e.unit);
  if (!e.reason.empty()) AppendQuotedKv(out, "reason", e.reason);
  out->push_back('\n');
}

void AppendCef(const AccessEvent& e, std::string* out) {
  out->append("<134>");
  AppendBsdTimestamp(e.ts_us, out);
  out->push_back(' ');
  out->append(e.host);
  out->append(" CEF:0|Kommun|");
  out->append(e.system);  // no '|' or '\' in generated system names
  out->append("|1.0|access|");
  out->append(e.action);
  out->append("|3|rt=");
  out->append(std::to_string(e.ts_us / 1000));
  AppendCefKv(out, "suser", e.user);
  AppendCefKv(out, "fname", e.object);
  AppendCefKv(out, "duid", e.subject);
  AppendCefKv(out, "act", e.action);
  AppendCefKv(out, "outcome", e.outcome);
  AppendCefKv(out, "src", e.client_ip);
  AppendCefKv(out, "dvchost", e.host);
  AppendCefKv(out, "cs1Label", "unit");
  AppendCefKv(out, "cs1", e.unit);
  if (!e.reason.empty()) AppendCefKv(out, "reason", e.reason);
  out->push_back('\n');
}

void AppendLine(OutputFormat format, const AccessEvent& e, std::string* out) {
  switch (format) {
    case OutputFormat::kRfc5424:
      AppendRfc5424(e, out);
      return;
    case OutputFormat::kNdjson:
      AppendNdjson(e, out);
      return;
    case OutputFormat::kRfc3164:
      AppendRfc3164(e, out);
      return;
    case OutputFormat::kCef:
      AppendCef(e, out);
      return;
    case OutputFormat::kMixed:
      // A quarter each, decided by the event itself so that a mixed file is reproducible.
      switch (Mix(e.rank) & 3) {
        case 0:
          AppendRfc5424(e, out);
          return;
        case 1:
          AppendNdjson(e, out);
          return;
        case 2:
          AppendRfc3164(e, out);
          return;
        default:
          AppendCef(e, out);
          return;
      }
  }
}

}  // namespace spard::bench
