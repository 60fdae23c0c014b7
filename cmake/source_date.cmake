# Sets SOURCE_EPOCH (seconds) and SOURCE_COMMIT for the tree in SOURCE_DIR, for the scripts that
# stamp what they make (cmake/build_info.cmake, cmake/release_archive.cmake). Reproducible builds
# (https://reproducible-builds.org/specs/source-date-epoch/): SOURCE_DATE_EPOCH when set, else
# the commit's date, so two builds of one commit are identical; only a build outside git with no
# SOURCE_DATE_EPOCH leaves SOURCE_EPOCH empty. SOURCE_COMMIT is the abbreviated commit, with
# "-dirty" when tracked files differ from it, or "unknown".
set(SOURCE_COMMIT "unknown")
set(SOURCE_EPOCH "")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE head RESULT_VARIABLE git_result ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(git_result EQUAL 0)
    set(SOURCE_COMMIT "${head}")
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} update-index -q --refresh
                    OUTPUT_QUIET ERROR_QUIET)
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} diff-index --quiet HEAD --
                    RESULT_VARIABLE dirty ERROR_QUIET)
    if(NOT dirty EQUAL 0)
      string(APPEND SOURCE_COMMIT "-dirty")
    endif()
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} log -1 --format=%ct HEAD
                    OUTPUT_VARIABLE SOURCE_EPOCH ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
endif()
if(DEFINED ENV{SOURCE_DATE_EPOCH} AND NOT "$ENV{SOURCE_DATE_EPOCH}" STREQUAL "")
  set(SOURCE_EPOCH "$ENV{SOURCE_DATE_EPOCH}")
endif()
