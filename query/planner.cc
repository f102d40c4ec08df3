#include "query/planner.h"

#include "common/personnummer.h"

namespace spard {

Plan MakePlan(const EventFilter& f, bool descending, int64_t now_us) {
  Plan p;
  p.index.range = f.range;
  p.index.descending = descending;
  if (f.subject) p.subject_normal = NormalizeSubject(*f.subject, now_us);
  for (Field field : {Field::kUser, Field::kObject, Field::kSubject, Field::kSystem, Field::kAction,
                      Field::kOutcome}) {
    p.residual[static_cast<size_t>(field)] = f.field(field).has_value();
  }
  auto covered = [&](Field field) { p.residual[static_cast<size_t>(field)] = false; };
  if (f.system && *f.system == "spard") {
    // spard's own events are not in the object and subject indexes (ForEachIndexTerm).
    p.index.kind = IndexKind::kSystem;
    p.index.term = *f.system;
    covered(Field::kSystem);
  } else if (f.object) {
    p.index.kind = IndexKind::kObject;
    p.index.term = *f.object;
    covered(Field::kObject);
    if (f.system) {
      p.index.has_system = true;
      p.index.system = *f.system;
      covered(Field::kSystem);
    }
  } else if (f.subject) {
    p.index.kind = IndexKind::kSubject;
    p.index.term = p.subject_normal;
    covered(Field::kSubject);
  } else if (f.user) {
    p.index.kind = IndexKind::kUser;
    p.index.term = *f.user;
    covered(Field::kUser);
  } else if (f.system) {
    p.index.kind = IndexKind::kSystem;
    p.index.term = *f.system;
    covered(Field::kSystem);
  } else {
    p.index.kind = IndexKind::kTime;
  }
  // The scope: a system filter was checked against it by the caller (ApplyScope); without one,
  // each event's system is checked. (spard's own events are in the system index only.)
  if (!f.system) p.scope_residual = !f.scope_systems.empty();
  for (bool r : p.residual) p.has_residual |= r;
  p.has_residual |= p.scope_residual;
  return p;
}

bool MatchesResidual(const Plan& plan, const EventFilter& f, const EventView& e) {
  if (!plan.has_residual) return true;
  if (plan.scope_residual && !f.InScope(e.field(Field::kSystem))) return false;
  for (Field field :
       {Field::kUser, Field::kObject, Field::kSystem, Field::kAction, Field::kOutcome}) {
    if (plan.residual[static_cast<size_t>(field)] && e.field(field) != *f.field(field)) {
      return false;
    }
  }
  if (plan.residual[static_cast<size_t>(Field::kSubject)]) {
    // The index holds subjects in normal form, written with the event's date; so must this.
    std::string_view s = e.field(Field::kSubject);
    if (s.empty() || NormalizeSubject(s, e.ts_us) != plan.subject_normal) return false;
  }
  return true;
}

}  // namespace spard
