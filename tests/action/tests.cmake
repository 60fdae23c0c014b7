# The composite GitHub Action (action.yml) run step by step against the release archive the build
# made, served on loopback. Needs python3-yaml and python3-junitparser (tools/test).
if(NOT TARGET blandhook_release_archive) # sanitizer builds make none
  return()
endif()
add_test(NAME action_steps
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/action_steps_test.py
                 ${BLANDHOOK_RELEASE_ARCHIVE} ${PROJECT_SOURCE_DIR})
set_tests_properties(action_steps PROPERTIES TIMEOUT 300 LABELS package)
