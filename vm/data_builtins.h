// The lang-data builtins and methods (data_builtins.cpp, str_methods.cpp), registered in the
// tables of builtins.cpp. Each has NativeDef's signature (objects.h): for a method args[0] is
// self. Functions that may run script code (map and filter's iterators, sorted's comparisons of
// user values) copy what they need out of `args` first: a nested call may move the stack.
#pragma once

#include "vm/objects.h"

namespace gilsim {

Value b_tuple(ThreadState& ts, Value* args, int n);
Value b_list(ThreadState& ts, Value* args, int n);
Value m_dict_fromkeys(ThreadState& ts, Value* args, int n);  // lang12
Value b_dict(ThreadState& ts, Value* args, int n);
Value b_set(ThreadState& ts, Value* args, int n);
Value b_frozenset(ThreadState& ts, Value* args, int n);
Value b_enumerate(ThreadState& ts, Value* args, int n);
Value b_zip(ThreadState& ts, Value* args, int n);
Value b_reversed(ThreadState& ts, Value* args, int n);
Value b_map(ThreadState& ts, Value* args, int n);
Value b_filter(ThreadState& ts, Value* args, int n);
Value b_iter(ThreadState& ts, Value* args, int n);
Value b_next(ThreadState& ts, Value* args, int n);
Value b_sorted(ThreadState& ts, Value* args, int n, const KwArgs& kw);  // key=, reverse=
Value b_any(ThreadState& ts, Value* args, int n);
Value b_all(ThreadState& ts, Value* args, int n);
Value b_hash(ThreadState& ts, Value* args, int n);
Value b_id(ThreadState& ts, Value* args, int n);
Value b_divmod(ThreadState& ts, Value* args, int n);
Value b_pow(ThreadState& ts, Value* args, int n);
Value b_format(ThreadState& ts, Value* args, int n);
Value b_ascii(ThreadState& ts, Value* args, int n);
Value b_chr(ThreadState& ts, Value* args, int n);
Value b_ord(ThreadState& ts, Value* args, int n);
Value m_seq_count(ThreadState& ts, Value* args, int n);
Value m_seq_index(ThreadState& ts, Value* args, int n);
Value m_list_extend(ThreadState& ts, Value* args, int n);
Value m_list_insert(ThreadState& ts, Value* args, int n);
Value m_list_remove(ThreadState& ts, Value* args, int n);
Value m_list_reverse(ThreadState& ts, Value* args, int n);
Value m_list_sort(ThreadState& ts, Value* args, int n, const KwArgs& kw);
Value m_list_clear(ThreadState& ts, Value* args, int n);
Value m_list_copy(ThreadState& ts, Value* args, int n);
Value m_dict_get(ThreadState& ts, Value* args, int n);
Value m_dict_keys(ThreadState& ts, Value* args, int n);
Value m_dict_values(ThreadState& ts, Value* args, int n);
Value m_dict_items(ThreadState& ts, Value* args, int n);
Value m_dict_pop(ThreadState& ts, Value* args, int n);
Value m_dict_popitem(ThreadState& ts, Value* args, int n);
Value m_dict_setdefault(ThreadState& ts, Value* args, int n);
Value m_dict_update(ThreadState& ts, Value* args, int n);
Value m_dict_clear(ThreadState& ts, Value* args, int n);
Value m_dict_copy(ThreadState& ts, Value* args, int n);
Value m_set_add(ThreadState& ts, Value* args, int n);
Value m_set_discard(ThreadState& ts, Value* args, int n);
Value m_set_remove(ThreadState& ts, Value* args, int n);
Value m_set_pop(ThreadState& ts, Value* args, int n);
Value m_set_clear(ThreadState& ts, Value* args, int n);
Value m_set_copy(ThreadState& ts, Value* args, int n);
Value m_set_union(ThreadState& ts, Value* args, int n);
Value m_set_intersection(ThreadState& ts, Value* args, int n);
Value m_set_difference(ThreadState& ts, Value* args, int n);
Value m_set_symmetric_difference(ThreadState& ts, Value* args, int n);
Value m_set_update(ThreadState& ts, Value* args, int n);
Value m_set_issubset(ThreadState& ts, Value* args, int n);
Value m_set_issuperset(ThreadState& ts, Value* args, int n);
Value m_set_isdisjoint(ThreadState& ts, Value* args, int n);
Value m_str_split(ThreadState& ts, Value* args, int n);
Value m_str_rsplit(ThreadState& ts, Value* args, int n);
Value m_str_splitlines(ThreadState& ts, Value* args, int n);
Value m_str_join(ThreadState& ts, Value* args, int n);
Value m_str_strip(ThreadState& ts, Value* args, int n);
Value m_str_lstrip(ThreadState& ts, Value* args, int n);
Value m_str_rstrip(ThreadState& ts, Value* args, int n);
Value m_str_replace(ThreadState& ts, Value* args, int n);
Value m_str_startswith(ThreadState& ts, Value* args, int n);
Value m_str_endswith(ThreadState& ts, Value* args, int n);
Value m_str_upper(ThreadState& ts, Value* args, int n);
Value m_str_lower(ThreadState& ts, Value* args, int n);
Value m_str_title(ThreadState& ts, Value* args, int n);
Value m_str_capitalize(ThreadState& ts, Value* args, int n);
Value m_str_find(ThreadState& ts, Value* args, int n);
Value m_str_rfind(ThreadState& ts, Value* args, int n);
Value m_str_index(ThreadState& ts, Value* args, int n);
Value m_str_rindex(ThreadState& ts, Value* args, int n);
Value m_str_count(ThreadState& ts, Value* args, int n);
Value m_str_zfill(ThreadState& ts, Value* args, int n);
Value m_str_ljust(ThreadState& ts, Value* args, int n);
Value m_str_rjust(ThreadState& ts, Value* args, int n);
Value m_str_center(ThreadState& ts, Value* args, int n);
Value m_str_isdigit(ThreadState& ts, Value* args, int n);
Value m_str_isalpha(ThreadState& ts, Value* args, int n);
Value m_str_isalnum(ThreadState& ts, Value* args, int n);
Value m_str_isspace(ThreadState& ts, Value* args, int n);
Value m_str_isupper(ThreadState& ts, Value* args, int n);
Value m_str_islower(ThreadState& ts, Value* args, int n);
Value m_str_partition(ThreadState& ts, Value* args, int n);
Value m_str_rpartition(ThreadState& ts, Value* args, int n);
Value m_str_format(ThreadState& ts, Value* args, int n);

}  // namespace gilsim
