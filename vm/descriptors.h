// property, staticmethod and classmethod (lang2, issue 12): the descriptors a class body uses.
//
// Each is an instance of a built-in class of that name (so type(), isinstance() and repr() work
// as for any instance) whose attributes hold the functions: __func__ for staticmethod and
// classmethod; fget, fset, fdel and __doc__ for property. Attribute lookup on classes and
// instances (vm/classes.cpp) gives them their meaning: a staticmethod is its plain function, a
// classmethod a method bound to the class, a property calls fget / fset / fdel. The eval loop
// runs those calls as frames (LOAD_ATTR, STORE_ATTR, DELETE_ATTR), so a getter may block.
#pragma once

#include <string>
#include <vector>

#include "vm/classes.h"

namespace gilsim {

enum class DescriptorKind { None, Property, StaticMethod, ClassMethod };

// What v is: one of the three descriptors, or None (anything else).
DescriptorKind descriptor_kind(const Value& v);

// The function a staticmethod or classmethod wraps.
Value descriptor_function(const Value& v);

// A property's fget, fset or fdel (None when not given).
Value property_accessor(const Value& prop, const char* which);

// CPython 3.11's AttributeError for a property without the accessor: "property 'x' of 'C'
// object has no setter".
[[noreturn]] void property_missing(const Value& prop, const std::string& name, const Value& obj,
                                   const char* what);

// property, staticmethod, classmethod as builtins, and the methods of property (getter, setter,
// deleter) as attributes of its built-in class.
const std::vector<const NativeDef*>& descriptor_builtin_defs();
void add_property_methods(AttrTable& attrs);

}  // namespace gilsim
