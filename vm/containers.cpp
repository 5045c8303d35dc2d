#include "vm/containers.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "vm/bytes.h"
#include "vm/dunders.h"
#include "vm/errors.h"
#include "vm/memory_budget.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

// CPython's numeric hash (Python/pyhash.c): values reduced modulo the Mersenne prime 2**61 - 1,
// so that an int and the float equal to it hash alike.
constexpr std::uint64_t kHashBits = 61;
constexpr std::uint64_t kHashModulus = (std::uint64_t{1} << kHashBits) - 1;
constexpr std::int64_t kHashInf = 314159;

std::int64_t fix_minus_one(std::int64_t h) { return h == -1 ? -2 : h; }

std::int64_t hash_int(std::int64_t x) {
  auto magnitude = x < 0 ? static_cast<unsigned __int128>(-static_cast<__int128>(x))
                         : static_cast<unsigned __int128>(x);
  auto h = static_cast<std::int64_t>(magnitude % kHashModulus);
  return fix_minus_one(x < 0 ? -h : h);
}

// _Py_HashDouble, transcribed: 28 bits of the mantissa at a time, then the exponent as a
// rotation. A NaN hashes by identity in CPython 3.10+; an inline float has none, so 0.
std::int64_t hash_float(double v) {
  if (std::isnan(v)) return 0;
  if (std::isinf(v)) return v > 0 ? kHashInf : -kHashInf;
  int e;
  double m = std::frexp(v, &e);
  int sign = 1;
  if (m < 0) {
    sign = -1;
    m = -m;
  }
  std::uint64_t x = 0;
  while (m != 0.0) {
    x = ((x << 28) & kHashModulus) | x >> (kHashBits - 28);
    m *= 268435456.0;
    e -= 28;
    auto y = static_cast<std::uint64_t>(m);
    m -= static_cast<double>(y);
    x += y;
    if (x >= kHashModulus) x -= kHashModulus;
  }
  const int bits = static_cast<int>(kHashBits);
  e = e >= 0 ? e % bits : bits - 1 - ((-1 - e) % bits);
  x = ((x << e) & kHashModulus) | x >> (kHashBits - static_cast<std::uint64_t>(e));
  x = x * static_cast<std::uint64_t>(static_cast<std::int64_t>(sign));
  return fix_minus_one(static_cast<std::int64_t>(x));
}

std::int64_t hash_str(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return fix_minus_one(static_cast<std::int64_t>(h));
}

std::int64_t hash_pointer(const void* p) {
  auto y = reinterpret_cast<std::uintptr_t>(p);
  y = (y >> 4) | (y << (8 * sizeof(y) - 4));  // as _Py_HashPointer: the low bits are alignment
  return fix_minus_one(static_cast<std::int64_t>(y));
}

constexpr int kMaxHashDepth = kRecursionLimit;

std::int64_t hash_at(const Value& v, int depth);

// CPython 3.11's tuplehash (xxHash's mixing), so hash((1, 2)) is CPython's number.
std::int64_t hash_tuple(const TupleObj& t, int depth) {
  if (depth > kMaxHashDepth) raise("RecursionError", "maximum recursion depth exceeded");
  constexpr std::uint64_t kPrime1 = 11400714785074694791ULL;
  constexpr std::uint64_t kPrime2 = 14029467366897019727ULL;
  constexpr std::uint64_t kPrime5 = 2870177450012600261ULL;
  std::uint64_t acc = kPrime5;
  for (const Value& item : t.items) {
    auto lane = static_cast<std::uint64_t>(hash_at(item, depth + 1));
    acc += lane * kPrime2;
    acc = (acc << 31) | (acc >> 33);
    acc *= kPrime1;
  }
  acc += t.items.size() ^ (kPrime5 ^ 3527539UL);
  if (acc == static_cast<std::uint64_t>(-1)) return 1546275796;
  return static_cast<std::int64_t>(acc);
}

std::int64_t hash_at(const Value& v, int depth) {
  switch (v.tag()) {
    case Tag::None:
      return 0x5f3759df;  // CPython hashes None by address; any constant will do
    case Tag::Bool:
    case Tag::Int:
      return hash_int(v.as_int());
    case Tag::Float: {
      double f = v.as_float();
      // Integral floats hash as the int: exact for every double in the int64 range.
      if (f == std::trunc(f) && std::fabs(f) < 9.2e18)
        return hash_int(static_cast<std::int64_t>(f));
      return hash_float(f);
    }
    case Tag::Native:
      return hash_pointer(v.as_native());
    case Tag::Unset:
      return 0;
    case Tag::Obj:
      break;
  }
  switch (v.as_obj()->type) {
    case ObjType::Str:
      return hash_str(v.as<StrObj>()->text);
    case ObjType::Bytes:
      return hash_str(v.as<BytesObj>()->data);
    case ObjType::Tuple:
      return hash_tuple(*v.as<TupleObj>(), depth);
    case ObjType::List:
    case ObjType::Dict:
    case ObjType::Set:
    case ObjType::DictView:
    case ObjType::Slice:
      raise("TypeError", fmt::format("unhashable type: '{}'", type_name(v)));
    case ObjType::FrozenSet: {
      // CPython's frozenset_hash: order-independent mixing of the members' hashes.
      std::uint64_t h = 0;
      for (const auto& slot : v.as<SetObj>()->table.slots()) {
        if (slot.key.is_unset()) continue;
        auto x = static_cast<std::uint64_t>(slot.hash);
        h ^= ((x ^ 89869747UL) ^ (x << 16)) * 3644798167UL;
      }
      h ^= (v.as<SetObj>()->table.size() + 1) * 1927868237UL;
      h ^= (h >> 11) ^ (h >> 25);
      h = h * 69069U + 907133923UL;
      if (h == static_cast<std::uint64_t>(-1)) h = 590923713UL;
      return static_cast<std::int64_t>(h);
    }
    case ObjType::Instance:  // lang12: a user __hash__ (or unhashable: __eq__ without one)
      if (ThreadState* ts = running_thread())
        if (auto h = instance_hash(*ts, v)) return *h;
      return hash_pointer(v.as_obj());
    default:
      return hash_pointer(v.as_obj());
  }
}

bool keys_equal_at(const Value& a, const Value& b, int depth) {
  if (a.identical(b)) return true;
  if (a.is_number() && b.is_number()) {
    if (a.is_intlike() && b.is_intlike()) return a.as_int() == b.as_int();
    long double x = a.is_float() ? a.as_float() : static_cast<long double>(a.as_int());
    long double y = b.is_float() ? b.as_float() : static_cast<long double>(b.as_int());
    return x == y;
  }
  if (!a.is_obj() || !b.is_obj()) return false;
  ObjType ta = a.as_obj()->type, tb = b.as_obj()->type;
  if (ta == ObjType::Instance || tb == ObjType::Instance) {  // lang12: a user __eq__
    ThreadState* ts = running_thread();
    if (!ts) return false;
    auto eq = instance_compare(*ts, Op::COMPARE_EQ, a, b);
    return eq && *eq;
  }
  if (ta == ObjType::Str && tb == ObjType::Str) return a.as<StrObj>()->text == b.as<StrObj>()->text;
  if (ta == ObjType::Bytes && tb == ObjType::Bytes)
    return a.as<BytesObj>()->data == b.as<BytesObj>()->data;
  if (ta == ObjType::Tuple && tb == ObjType::Tuple) {
    if (depth > kMaxHashDepth)
      raise("RecursionError", "maximum recursion depth exceeded in comparison");
    const auto& x = a.as<TupleObj>()->items;
    const auto& y = b.as<TupleObj>()->items;
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!keys_equal_at(x[i], y[i], depth + 1)) return false;
    return true;
  }
  bool sa = ta == ObjType::Set || ta == ObjType::FrozenSet;
  bool sb = tb == ObjType::Set || tb == ObjType::FrozenSet;
  if (sa && sb) {  // a frozenset key looked up with a frozenset (or a set, in `in`)
    const SetTable& x = a.as<SetObj>()->table;
    const SetTable& y = b.as<SetObj>()->table;
    if (x.size() != y.size()) return false;
    for (const auto& slot : x.slots())
      if (!slot.key.is_unset() && !y.contains(slot.key, slot.hash)) return false;
    return true;
  }
  return false;
}

}  // namespace

std::int64_t hash_value(const Value& v) { return hash_at(v, 0); }
bool keys_equal(const Value& a, const Value& b) { return keys_equal_at(a, b, 0); }

// ---- freeing ----

void release_deep(std::vector<Value> pending) {
  // An inner container is only emptied here when this is its last reference: nobody else can
  // see it any more, so moving its items out is safe without its mutex.
  while (!pending.empty()) {
    Value v = std::move(pending.back());
    pending.pop_back();
    if (!v.is_obj() || v.as_obj()->refcount() != 1) continue;
    switch (v.as_obj()->type) {
      case ObjType::List: {
        auto& inner = v.as<ListObj>()->items;
        for (auto& item : inner) pending.push_back(std::move(item));
        inner.clear();
        break;
      }
      case ObjType::Tuple: {
        auto& inner = v.as<TupleObj>()->items;
        for (auto& item : inner) pending.push_back(std::move(item));
        inner.clear();
        break;
      }
      case ObjType::Dict:
        for (auto& e : v.as<DictObj>()->table.take_entries()) {
          pending.push_back(std::move(e.key));
          pending.push_back(std::move(e.value));
        }
        break;
      case ObjType::Set:
      case ObjType::FrozenSet:
        for (auto& s : v.as<SetObj>()->table.take_slots()) pending.push_back(std::move(s.key));
        break;
      default:
        break;
    }
  }
}

TupleObj::~TupleObj() { release_deep(std::move(items)); }
void TupleObj::clear_refs() {
  release_deep(std::move(items));
  items.clear();
}

namespace {
// Only a container held by nobody else can start a deep chain of frees.
bool frees_deeply(const Value& v) {
  if (!v.is_obj() || v.as_obj()->refcount() != 1) return false;
  ObjType t = v.as_obj()->type;
  return t == ObjType::List || t == ObjType::Tuple || t == ObjType::Dict || t == ObjType::Set ||
         t == ObjType::FrozenSet;
}
}  // namespace

DictObj::~DictObj() {
  std::vector<Value> pending;
  for (auto& e : table.take_entries()) {
    if (frees_deeply(e.key)) pending.push_back(std::move(e.key));
    if (frees_deeply(e.value)) pending.push_back(std::move(e.value));
  }
  release_deep(std::move(pending));
}

void DictObj::clear_refs() {
  std::vector<Value> pending;
  for (auto& e : table.take_entries()) {
    pending.push_back(std::move(e.key));
    pending.push_back(std::move(e.value));
  }
  release_deep(std::move(pending));
}

void SetObj::clear_refs() {
  std::vector<Value> pending;
  for (auto& slot : table.take_slots()) pending.push_back(std::move(slot.key));
  release_deep(std::move(pending));
}

SetObj::~SetObj() {
  std::vector<Value> pending;
  for (auto& s : table.take_slots())
    if (frees_deeply(s.key)) pending.push_back(std::move(s.key));
  release_deep(std::move(pending));
}

// ---- HashTable (dict) ----

namespace {
constexpr std::int32_t kEmpty = -1;
constexpr std::int32_t kDeleted = -2;
}  // namespace

std::int32_t* HashTable::slot_for(const Value& key, std::int64_t hash, bool& found) {
  found = false;
  if (index_.empty()) return nullptr;
  size_t mask = index_.size() - 1;
  auto perturb = static_cast<std::uint64_t>(hash);
  size_t i = static_cast<size_t>(perturb) & mask;
  std::int32_t* free_slot = nullptr;
  while (true) {
    std::int32_t ix = index_[i];
    if (ix == kEmpty) return free_slot ? free_slot : &index_[i];
    if (ix == kDeleted) {
      if (!free_slot) free_slot = &index_[i];
    } else {
      const Entry& e = entries_[static_cast<size_t>(ix)];
      if (e.hash == hash && keys_equal(e.key, key)) {
        found = true;
        return &index_[i];
      }
    }
    perturb >>= 5;
    i = (i * 5 + static_cast<size_t>(perturb) + 1) & mask;
  }
}

HashTable::Entry* HashTable::find(const Value& key, std::int64_t hash) {
  bool found;
  std::int32_t* slot = slot_for(key, hash, found);
  return found ? &entries_[static_cast<size_t>(*slot)] : nullptr;
}

// Grows the index to at least three slots per live entry, as CPython's GROWTH_RATE (used * 3):
// two thirds may then fill before the next rebuild.
void HashTable::rebuild(size_t min_live) {
  if (min_live > static_cast<size_t>(INT32_MAX / 4)) raise("MemoryError", "dict too large");
  size_t size = 8;
  while (size < min_live * 3) size *= 2;
  std::vector<Entry> kept;
  kept.reserve(std::max(used_ + 1, size * 2 / 3));
  for (auto& e : entries_)
    if (!e.key.is_unset()) kept.push_back(std::move(e));
  entries_ = std::move(kept);
  index_.assign(size, kEmpty);
  deleted_slots_ = 0;
  size_t mask = size - 1;
  for (size_t n = 0; n < entries_.size(); ++n) {
    auto perturb = static_cast<std::uint64_t>(entries_[n].hash);
    size_t i = static_cast<size_t>(perturb) & mask;
    while (index_[i] != kEmpty) {
      perturb >>= 5;
      i = (i * 5 + static_cast<size_t>(perturb) + 1) & mask;
    }
    index_[i] = static_cast<std::int32_t>(n);
  }
}

bool HashTable::set(Value key, std::int64_t hash, Value value) {
  bool found;
  std::int32_t* slot = slot_for(key, hash, found);
  if (found) {
    std::swap(entries_[static_cast<size_t>(*slot)].value, value);
    return false;
  }
  // Entries (live and deleted) may fill two thirds of the index; then compact and grow.
  if (!slot || (entries_.size() + 1) * 3 > index_.size() * 2) {
    rebuild(used_ + 1);
    slot = slot_for(key, hash, found);
  } else if (*slot == kDeleted) {
    --deleted_slots_;
  }
  *slot = static_cast<std::int32_t>(entries_.size());
  entries_.push_back(Entry{hash, std::move(key), std::move(value)});
  ++used_;
  return true;
}

std::optional<Value> HashTable::remove(const Value& key, std::int64_t hash) {
  bool found;
  std::int32_t* slot = slot_for(key, hash, found);
  if (!found) return std::nullopt;
  Entry& e = entries_[static_cast<size_t>(*slot)];
  *slot = kDeleted;
  ++deleted_slots_;
  --used_;
  Value v = std::move(e.value);
  e.key = Value::unset();
  e.value = Value();
  return v;
}

void HashTable::clear() {
  std::vector<Entry> old = take_entries();
  (void)old;
}

std::vector<HashTable::Entry> HashTable::take_entries() {
  std::vector<Entry> out = std::move(entries_);
  entries_.clear();
  index_.clear();
  used_ = 0;
  deleted_slots_ = 0;
  return out;
}

// ---- SetTable: Objects/setobject.c ----

namespace {
constexpr size_t kLinearProbes = 9;
constexpr int kPerturbShift = 5;
}  // namespace

bool SetTable::contains(const Value& key, std::int64_t hash) const {
  size_t mask = slots_.size() - 1;
  auto perturb = static_cast<std::uint64_t>(hash);
  size_t i = static_cast<size_t>(perturb) & mask;
  while (true) {
    size_t probes = i + kLinearProbes <= mask ? kLinearProbes : 0;
    for (size_t k = 0; k <= probes; ++k) {
      const Slot& s = slots_[i + k];
      if (s.hash == 0 && s.key.is_unset()) return false;
      if (s.hash == hash && !s.key.is_unset() && keys_equal(s.key, key)) return true;
    }
    perturb >>= kPerturbShift;
    i = (i * 5 + 1 + static_cast<size_t>(perturb)) & mask;
  }
}

bool SetTable::add(Value key, std::int64_t hash) {
  size_t mask = slots_.size() - 1;
  auto perturb = static_cast<std::uint64_t>(hash);
  size_t i = static_cast<size_t>(perturb) & mask;
  Slot* free_slot = nullptr;
  while (true) {
    size_t probes = i + kLinearProbes <= mask ? kLinearProbes : 0;
    for (size_t k = 0; k <= probes; ++k) {
      Slot& s = slots_[i + k];
      if (s.hash == 0 && s.key.is_unset()) {
        if (free_slot) {
          free_slot->key = std::move(key);
          free_slot->hash = hash;
          ++used_;
          return true;
        }
        s.key = std::move(key);
        s.hash = hash;
        ++used_;
        ++fill_;
        if (fill_ * 5 >= mask * 3) resize(used_ > 50000 ? used_ * 2 : used_ * 4);
        return true;
      }
      if (s.hash == hash && !s.key.is_unset()) {
        if (keys_equal(s.key, key)) return false;
      } else if (s.hash == -1 && s.key.is_unset() && !free_slot) {
        free_slot = &s;
      }
    }
    perturb >>= kPerturbShift;
    i = (i * 5 + 1 + static_cast<size_t>(perturb)) & mask;
  }
}

void SetTable::resize(size_t min_used) {
  size_t size = 8;
  while (size <= min_used) size <<= 1;
  std::vector<Slot> old = std::move(slots_);
  slots_ = std::vector<Slot>(size);
  size_t mask = size - 1;
  fill_ = used_;
  for (Slot& s : old) {
    if (s.key.is_unset()) continue;
    auto perturb = static_cast<std::uint64_t>(s.hash);
    size_t i = static_cast<size_t>(perturb) & mask;
    Slot* target = nullptr;
    while (!target) {
      if (slots_[i].key.is_unset()) {
        target = &slots_[i];
        break;
      }
      if (i + kLinearProbes <= mask) {
        for (size_t k = 1; k <= kLinearProbes; ++k)
          if (slots_[i + k].key.is_unset()) {
            target = &slots_[i + k];
            break;
          }
      }
      if (target) break;
      perturb >>= kPerturbShift;
      i = (i * 5 + 1 + static_cast<size_t>(perturb)) & mask;
    }
    target->key = std::move(s.key);
    target->hash = s.hash;
  }
}

bool SetTable::discard(const Value& key, std::int64_t hash) {
  size_t mask = slots_.size() - 1;
  auto perturb = static_cast<std::uint64_t>(hash);
  size_t i = static_cast<size_t>(perturb) & mask;
  while (true) {
    size_t probes = i + kLinearProbes <= mask ? kLinearProbes : 0;
    for (size_t k = 0; k <= probes; ++k) {
      Slot& s = slots_[i + k];
      if (s.hash == 0 && s.key.is_unset()) return false;
      if (s.hash == hash && !s.key.is_unset() && keys_equal(s.key, key)) {
        Value dead = std::move(s.key);
        s.key = Value::unset();
        s.hash = -1;
        --used_;
        return true;
      }
    }
    perturb >>= kPerturbShift;
    i = (i * 5 + 1 + static_cast<size_t>(perturb)) & mask;
  }
}

void SetTable::clear() {
  std::vector<Slot> old = take_slots();
  (void)old;
}

std::vector<SetTable::Slot> SetTable::take_slots() {
  std::vector<Slot> out = std::move(slots_);
  slots_ = std::vector<Slot>(8);
  used_ = 0;
  fill_ = 0;
  return out;
}

// ---- the API ----

Value make_tuple(std::vector<Value> items) { return Value::adopt(new TupleObj(std::move(items))); }
Value make_dict() { return Value::adopt(new DictObj()); }
Value make_set(bool frozen) { return Value::adopt(new SetObj(frozen)); }

std::optional<Value> dict_get(ThreadState& ts, const Value& dict, const Value& key) {
  std::int64_t h = hash_value(key);
  auto* d = dict.as<DictObj>();
  ContainerGuard g(d->mu, ts.lock_objects);
  if (auto* e = d->table.find(key, h)) return e->value;
  return std::nullopt;
}

void dict_set(ThreadState& ts, const Value& dict, Value key, Value value) {
  std::int64_t h = hash_value(key);
  auto* d = dict.as<DictObj>();
  require_memory(ts, static_cast<std::uint64_t>(dict_key_bytes()));
  {
    ContainerGuard g(d->mu, ts.lock_objects);
    if (!d->table.set(key, h, std::move(value))) return;
  }
  try {
    charge_memory(ts, *d, dict_key_bytes());
  } catch (const ScriptError&) {
    // Another thread took the room first: the key does not stay in uncharged.
    dict_delete(ts, dict, key);
    throw;
  }
}

bool dict_delete(ThreadState& ts, const Value& dict, const Value& key) {
  std::int64_t h = hash_value(key);
  auto* d = dict.as<DictObj>();
  std::optional<Value> old;  // freed after the guard
  {
    ContainerGuard g(d->mu, ts.lock_objects);
    old = d->table.remove(key, h);
  }
  if (old) charge_memory(ts, *d, -dict_key_bytes());
  return old.has_value();
}

size_t dict_size(ThreadState& ts, const Value& dict) {
  auto* d = dict.as<DictObj>();
  ContainerGuard g(d->mu, ts.lock_objects);
  return d->table.size();
}

std::vector<std::pair<Value, Value>> dict_snapshot(ThreadState& ts, const Value& dict) {
  auto* d = dict.as<DictObj>();
  std::vector<std::pair<Value, Value>> out;
  ContainerGuard g(d->mu, ts.lock_objects);
  out.reserve(d->table.size());
  for (const auto& e : d->table.entries())
    if (!e.key.is_unset()) out.emplace_back(e.key, e.value);
  return out;
}

bool set_contains(ThreadState& ts, const Value& set, const Value& key) {
  std::int64_t h = hash_value(key);
  auto* s = set.as<SetObj>();
  ContainerGuard g(s->mu, ts.lock_objects && set.is(ObjType::Set));
  return s->table.contains(key, h);
}

bool set_add(ThreadState& ts, const Value& set, Value key) {
  std::int64_t h = hash_value(key);
  auto* s = set.as<SetObj>();
  require_memory(ts, static_cast<std::uint64_t>(set_key_bytes()));
  {
    ContainerGuard g(s->mu, ts.lock_objects && set.is(ObjType::Set));
    if (!s->table.add(key, h)) return false;
  }
  try {
    charge_memory(ts, *s, set_key_bytes());
  } catch (const ScriptError&) {
    set_discard(ts, set, key);
    throw;
  }
  return true;
}

bool set_discard(ThreadState& ts, const Value& set, const Value& key) {
  std::int64_t h = hash_value(key);
  auto* s = set.as<SetObj>();
  bool removed;
  {
    ContainerGuard g(s->mu, ts.lock_objects && set.is(ObjType::Set));
    removed = s->table.discard(key, h);
  }
  if (removed) charge_memory(ts, *s, -set_key_bytes());
  return removed;
}

std::vector<Value> set_snapshot(ThreadState& ts, const Value& set) {
  auto* s = set.as<SetObj>();
  std::vector<Value> out;
  ContainerGuard g(s->mu, ts.lock_objects && set.is(ObjType::Set));
  out.reserve(s->table.size());
  for (const auto& slot : s->table.slots())
    if (!slot.key.is_unset()) out.push_back(slot.key);
  return out;
}

}  // namespace gilsim
