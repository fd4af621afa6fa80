# tessera_add_unittest(NAME SOURCES ... LIBS ...): one GoogleTest executable,
# registered with ctest under its own name.
function(tessera_add_unittest name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main Threads::Threads)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/unittests)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  # The list the sanitizer build's ci-sanitize target builds (tests/fuzz).
  set_property(GLOBAL APPEND PROPERTY TESSERA_UNITTESTS ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "TESSERA_SOURCE_DIR=${PROJECT_SOURCE_DIR};TESSERA_SHARED_DIR=${PROJECT_SOURCE_DIR}/../shared")
endfunction()
