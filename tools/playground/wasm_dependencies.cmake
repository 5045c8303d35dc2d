# The playground's build (Emscripten) uses the same Debian packages as the native build, but only
# their headers: fmt in header-only mode, nlohmann-json and CLI11 (header-only anyway). The
# Emscripten toolchain searches its own sysroot only, so each package's header directory is linked
# into one include directory of the build tree: putting /usr/include itself on the path would mix
# glibc's headers into the wasm build.
set(GILSIM_HOST_HEADERS ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${GILSIM_HOST_HEADERS})
foreach(dir fmt nlohmann CLI)
  if(NOT EXISTS /usr/include/${dir})
    message(FATAL_ERROR "/usr/include/${dir} is missing: run tools/install-deps.sh --playground")
  endif()
  file(CREATE_LINK /usr/include/${dir} ${GILSIM_HOST_HEADERS}/${dir} SYMBOLIC)
endforeach()

add_library(fmt::fmt INTERFACE IMPORTED)
target_include_directories(fmt::fmt SYSTEM INTERFACE ${GILSIM_HOST_HEADERS})
target_compile_definitions(fmt::fmt INTERFACE FMT_HEADER_ONLY=1)
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
target_include_directories(nlohmann_json::nlohmann_json SYSTEM INTERFACE ${GILSIM_HOST_HEADERS})
add_library(CLI11::CLI11 INTERFACE IMPORTED)
target_include_directories(CLI11::CLI11 SYSTEM INTERFACE ${GILSIM_HOST_HEADERS})
# One thread: nothing to link for std::mutex and std::atomic, which work unchanged.
add_library(Threads::Threads INTERFACE IMPORTED)

# The VM reports syntax and script errors with C++ exceptions: WebAssembly's own exception
# handling (Chromium 95+) keeps the eval loop as fast as without any.
add_compile_options(-fwasm-exceptions)
add_link_options(-fwasm-exceptions)
add_compile_options("SHELL:-include ${CMAKE_SOURCE_DIR}/tools/playground/libcxx_compat.h")
