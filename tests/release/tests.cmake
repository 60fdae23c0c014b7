# The self-contained release archive (cmake/package.cmake): self-contained, loads its libraries
# from itself, binds cpp-httplib and OpenSSL only when a command needs them.
if(NOT TARGET blandhook_release_archive) # sanitizer builds make none
  return()
endif()
add_test(NAME release_archive
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/release_test.py
                 ${BLANDHOOK_RELEASE_ARCHIVE})
set_tests_properties(release_archive PROPERTIES TIMEOUT 120 LABELS package)
