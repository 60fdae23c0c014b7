# Tests of `blandhook replay` run by other consumers than doctest: the JUnit report read back by
# junitparser, and the GitHub Actions job of docs/replay.md run step by step. Debian's python3
# packages (python3-junitparser, python3-yaml) belong to /usr/bin/python3, hence the full path.
add_test(NAME replay_junit_report
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/junit_report_test.py
                 $<TARGET_FILE:blandhook> ${PROJECT_SOURCE_DIR})
add_test(NAME replay_github_actions_steps
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/github_actions_steps_test.py
                 $<TARGET_FILE:blandhook> ${PROJECT_SOURCE_DIR})
set_tests_properties(replay_junit_report replay_github_actions_steps PROPERTIES TIMEOUT 300)
# What a handler stored, proven through probes: store_handler.py's four SQLite handlers read by
# --probe URL and by --probe-cmd with the sqlite3 command-line tool (tools/test installs it).
add_test(NAME replay_effects
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/effects_test.py
                 $<TARGET_FILE:blandhook> ${PROJECT_SOURCE_DIR})
set_tests_properties(replay_effects PROPERTIES TIMEOUT 300)
