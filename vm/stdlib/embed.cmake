# Turns the Python sources of vm/stdlib/ into one C++ source, at build time:
#   cmake -DOUT=file.cpp -DSTDLIB=vm/stdlib -P embed.cmake
# Every vm/stdlib/**/*.py becomes an entry {module, file, text} of stdlib_sources()
# (vm/stdlib_sources.h): concurrent/futures.py is the module "concurrent.futures". The sources stay
# Python files, read, linted and run as Python (tests/stdlib_on_cpython.py); no copy is kept by hand
# in C++. The build fails if a source holds the raw literal's closing delimiter.
set(delim "GILSIM_PY")
file(GLOB_RECURSE sources RELATIVE "${STDLIB}" "${STDLIB}/*.py")
list(SORT sources)
set(entries "")
foreach(rel IN LISTS sources)
  file(READ "${STDLIB}/${rel}" text)
  string(FIND "${text}" ")${delim}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${STDLIB}/${rel} contains )${delim}\" and cannot be embedded")
  endif()
  string(REGEX REPLACE "\\.py$" "" module "${rel}")
  string(REGEX REPLACE "/__init__$" "" module "${module}")
  string(REPLACE "/" "." module "${module}")
  string(APPEND entries "    {\"${module}\", \"<gilsim>/${rel}\", R\"${delim}(${text})${delim}\"},\n")
endforeach()
set(out "// Generated at build time by vm/stdlib/embed.cmake from vm/stdlib/: edit the .py files.\n")
string(APPEND out "#include \"vm/stdlib_sources.h\"\n\nnamespace gilsim {\n\n")
string(APPEND out "const std::vector<StdlibSource>& stdlib_sources() {\n")
string(APPEND out "  static const std::vector<StdlibSource> table = {\n${entries}  };\n  return table;\n}\n\n")
string(APPEND out "}  // namespace gilsim\n")
# Only a changed text touches the file, so unchanged sources recompile nothing.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL out)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${out}")
