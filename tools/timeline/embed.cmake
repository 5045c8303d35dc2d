# Turns the timeline's web files into one C++ source of raw string literals, at build time:
#   cmake -DOUT=file.cpp -DNAMESPACE=gilsim::timeline_assets -DHEADER=tools/export/timeline_assets.h
#         -DFILES="name=path;name=path" -P embed.cmake
# so the page is edited, linted and tested as HTML, CSS and JavaScript, and no copy of it is kept
# by hand in C++. The build fails if a file holds the literal's closing delimiter or, for inline
# <script>/<style> use, a closing tag that would end the element early.
set(delim "GILSIM_WEB")
set(body "")
foreach(entry IN LISTS FILES)
  string(FIND "${entry}" "=" eq)
  string(SUBSTRING "${entry}" 0 ${eq} name)
  math(EXPR from "${eq} + 1")
  string(SUBSTRING "${entry}" ${from} -1 path)
  file(READ "${path}" text)
  string(FIND "${text}" ")${delim}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains )${delim}\" and cannot be embedded")
  endif()
  if(path MATCHES "\\.(js|css)$")
    string(TOLOWER "${text}" lower)
    string(FIND "${lower}" "</script" s1)
    string(FIND "${lower}" "</style" s2)
    if(NOT s1 EQUAL -1 OR NOT s2 EQUAL -1)
      message(FATAL_ERROR "${path} contains </script or </style and cannot be put inline")
    endif()
  endif()
  string(APPEND body "const std::string_view ${name} = R\"${delim}(${text})${delim}\";\n\n")
endforeach()
set(out "// Generated at build time by tools/timeline/embed.cmake: edit the web files, not this.\n")
string(APPEND out "#include \"${HEADER}\"\n\nnamespace ${NAMESPACE} {\n\n${body}}  // namespace ${NAMESPACE}\n")
# Only a changed text touches the file, so an unchanged page does not recompile anything.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL out)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${out}")
