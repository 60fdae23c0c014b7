# canonical_node: canonical_json against node's JSON.stringify(JSON.parse(...)), byte for byte,
# over every fixture plus the awkward cases in tests/canonical/corpus.
add_executable(canonical_print ${CMAKE_CURRENT_LIST_DIR}/canonical_print.cpp)
target_link_libraries(canonical_print PRIVATE blandhook_lib blandhook_warnings)
find_program(BLANDHOOK_NODE node)
if(BLANDHOOK_NODE)
  add_test(NAME canonical_node
           COMMAND ${BLANDHOOK_NODE} ${CMAKE_CURRENT_LIST_DIR}/compare.js $<TARGET_FILE:canonical_print>
                   ${PROJECT_SOURCE_DIR}/fixtures ${CMAKE_CURRENT_LIST_DIR}/corpus)
  set_tests_properties(canonical_node PROPERTIES TIMEOUT 300)
else()
  message(WARNING "node not found: the canonical_node test is not registered")
endif()
