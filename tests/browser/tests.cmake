# Browser tests of the inspector: node's test runner drives Debian's chromium through
# playwright-core (tests/browser/node_modules, installed by tools/test) against the built binary.
find_program(BLANDHOOK_NODE node)
set(BLANDHOOK_CHROMIUM /usr/bin/chromium)
set(browser_dir ${CMAKE_CURRENT_LIST_DIR})
if(BLANDHOOK_NODE AND EXISTS ${BLANDHOOK_CHROMIUM})
  add_test(NAME browser_inspector
    COMMAND ${CMAKE_COMMAND} -E env
            BLANDHOOK_BINARY=$<TARGET_FILE:blandhook>
            BLANDHOOK_ARTIFACTS=${CMAKE_BINARY_DIR}/browser-artifacts
            ${BLANDHOOK_NODE} --test --test-concurrency=1 ${browser_dir}/inspector.test.mjs
    WORKING_DIRECTORY ${browser_dir})
  set_tests_properties(browser_inspector PROPERTIES LABELS browser TIMEOUT 600)
else()
  message(STATUS "node or ${BLANDHOOK_CHROMIUM} missing: browser tests not registered")
endif()
