# Every shell example in README.md and docs/*.md, run as written against the built binary, a
# stand-in handler and the emulator (tests/docs/docs_examples_test.py explains the block markers).
# Needs jq, sqlite3, curl and iproute2 (tools/test).
add_test(NAME docs_examples
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/docs_examples_test.py
                 $<TARGET_FILE:blandhook> ${PROJECT_SOURCE_DIR})
set_tests_properties(docs_examples PROPERTIES TIMEOUT 300 LABELS docs)
