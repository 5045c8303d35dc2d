#include "vm/descriptors.h"

#include <fmt/format.h>

#include "vm/errors.h"

namespace gilsim {

namespace {

ClassObj* descriptor_class(DescriptorKind k) {
  static ClassObj* const property = builtin_class("property");
  static ClassObj* const staticmethod = builtin_class("staticmethod");
  static ClassObj* const classmethod = builtin_class("classmethod");
  switch (k) {
    case DescriptorKind::Property:
      return property;
    case DescriptorKind::StaticMethod:
      return staticmethod;
    case DescriptorKind::ClassMethod:
      return classmethod;
    case DescriptorKind::None:
      break;
  }
  return nullptr;
}

// Descriptor attributes are written once, when the descriptor is made: read without a lock.
Value attr(const Value& v, std::string_view key) {
  for (const auto& [k, val] : v.as<InstanceObj>()->attrs)
    if (k == key) return val;
  return Value::none();
}

Value make_descriptor(DescriptorKind k, AttrTable attrs) {
  auto* inst = new InstanceObj(Value::share(descriptor_class(k)));
  inst->attrs = std::move(attrs);
  return Value::adopt(inst);
}

Value b_staticmethod(ThreadState&, Value* args, int) {
  return make_descriptor(DescriptorKind::StaticMethod, {{"__func__", args[0]}});
}
Value b_classmethod(ThreadState&, Value* args, int) {
  return make_descriptor(DescriptorKind::ClassMethod, {{"__func__", args[0]}});
}

Value new_property(Value fget, Value fset, Value fdel, Value doc) {
  return make_descriptor(DescriptorKind::Property, {{"fget", std::move(fget)},
                                                    {"fset", std::move(fset)},
                                                    {"fdel", std::move(fdel)},
                                                    {"__doc__", std::move(doc)}});
}

// property(fget=None, fset=None, fdel=None, doc=None)
Value b_property(ThreadState&, Value* args, int n, const KwArgs& kw) {
  check_keywords("property", kw, {"fget", "fset", "fdel", "doc"});
  static const char* const kNames[] = {"fget", "fset", "fdel", "doc"};
  Value v[4] = {Value::none(), Value::none(), Value::none(), Value::none()};
  for (int i = 0; i < n; ++i) v[i] = args[i];
  for (int i = 0; i < 4; ++i)
    if (const Value* given = kw.find(kNames[i])) {
      if (i < n)
        raise("TypeError", fmt::format("argument for property() given by name ('{}') and "
                                       "position ({})",
                                       kNames[i], i + 1));
      v[i] = *given;
    }
  return new_property(v[0], v[1], v[2], v[3]);
}

// @x.setter and friends: a copy of the property with one accessor replaced.
Value replace_accessor(const Value& prop, const char* which, const Value& fn) {
  Value a[3] = {attr(prop, "fget"), attr(prop, "fset"), attr(prop, "fdel")};
  static const char* const kNames[] = {"fget", "fset", "fdel"};
  for (int i = 0; i < 3; ++i)
    if (std::string_view(kNames[i]) == which) a[i] = fn;
  return new_property(a[0], a[1], a[2], attr(prop, "__doc__"));
}
Value m_getter(ThreadState&, Value* args, int) {
  return replace_accessor(args[0], "fget", args[1]);
}
Value m_setter(ThreadState&, Value* args, int) {
  return replace_accessor(args[0], "fset", args[1]);
}
Value m_deleter(ThreadState&, Value* args, int) {
  return replace_accessor(args[0], "fdel", args[1]);
}

const NativeDef kProperty{"property", nullptr, 0, 4, false, b_property};
const NativeDef kStaticmethod{"staticmethod", b_staticmethod, 1, 1, false};
const NativeDef kClassmethod{"classmethod", b_classmethod, 1, 1, false};
const NativeDef kGetter{"getter", m_getter, 1, 1, true};
const NativeDef kSetter{"setter", m_setter, 1, 1, true};
const NativeDef kDeleter{"deleter", m_deleter, 1, 1, true};

}  // namespace

DescriptorKind descriptor_kind(const Value& v) {
  if (!v.is(ObjType::Instance)) return DescriptorKind::None;
  ClassObj* c = v.as<InstanceObj>()->klass();
  if (!c->builtin) return DescriptorKind::None;
  for (auto k :
       {DescriptorKind::Property, DescriptorKind::StaticMethod, DescriptorKind::ClassMethod})
    if (c == descriptor_class(k)) return k;
  return DescriptorKind::None;
}

Value descriptor_function(const Value& v) { return attr(v, "__func__"); }

Value property_accessor(const Value& prop, const char* which) { return attr(prop, which); }

void property_missing(const Value& prop, const std::string& name, const Value& obj,
                      const char* what) {
  (void)prop;
  raise("AttributeError",
        fmt::format("property '{}' of '{}' object has no {}", name, type_name(obj), what));
}

const std::vector<const NativeDef*>& descriptor_builtin_defs() {
  static const std::vector<const NativeDef*> defs{&kProperty, &kStaticmethod, &kClassmethod};
  return defs;
}

void add_property_methods(AttrTable& attrs) {
  for (const NativeDef* d : {&kGetter, &kSetter, &kDeleter})
    attrs.emplace_back(d->name, Value::native(d));
}

}  // namespace gilsim
