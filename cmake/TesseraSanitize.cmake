# TESSERA_SANITIZE=ON: every target built with AddressSanitizer and
# UndefinedBehaviorSanitizer (any UB aborts: -fno-sanitize-recover), plus
# libFuzzer's coverage instrumentation so the fuzz targets (tests/fuzz) see
# edges inside the libraries they call. Needs clang (scripts/build --sanitize
# sets clang-22); Debian's gcc-built LLVM/MLIR shared libraries and libstdc++
# are linked as they are, uninstrumented.
#
# Everything except the fuzzers links ASan's shared runtime
# (-shared-libasan): the Python module can only use the shared one (the
# interpreter preloads it, LD_PRELOAD), and pytest's child processes inherit
# that LD_PRELOAD, which a tool with the static runtime refuses. The fuzzers
# keep the static runtime: libFuzzer links libstdc++ ahead of a shared ASan
# runtime, which ASan rejects ("ASan runtime does not come first").
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TESSERA_SANITIZE needs clang (configure with "
    "CC=clang-22 CXX=clang++-22, as scripts/build --sanitize does); "
    "got ${CMAKE_CXX_COMPILER_ID}")
endif()

set(TESSERA_SANITIZE_FLAGS
  -fsanitize=address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer)
add_compile_options(${TESSERA_SANITIZE_FLAGS} -fsanitize=fuzzer-no-link)

# Where the shared ASan runtime lives, for the rpath of everything that
# links it.
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-runtime-dir
  OUTPUT_VARIABLE TESSERA_SANITIZER_RUNTIME_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
set(TESSERA_IS_FUZZER "$<BOOL:$<TARGET_PROPERTY:TESSERA_FUZZER>>")
add_link_options(-fsanitize=address,undefined
  "$<$<NOT:${TESSERA_IS_FUZZER}>:-shared-libasan>"
  "$<$<NOT:${TESSERA_IS_FUZZER}>:-Wl,-rpath,${TESSERA_SANITIZER_RUNTIME_DIR}>")
message(STATUS "Sanitizers: ASan + UBSan, shared runtime in "
  "${TESSERA_SANITIZER_RUNTIME_DIR}")
