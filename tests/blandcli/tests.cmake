# The official Bland CLI (npm bland-cli, pinned in package-lock.json) against `blandhook emulate`:
# proves the emulator speaks the API as Bland's own client uses it. compat.sh installs the package
# with `npm ci` when node_modules is missing, so CI needs only node and npm.
find_program(BLANDHOOK_NODE node)
find_program(BLANDHOOK_NPM npm)
if(BLANDHOOK_NODE AND BLANDHOOK_NPM)
  add_test(NAME blandcli_compat
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/compat.sh $<TARGET_FILE:blandhook>)
  set_tests_properties(blandcli_compat PROPERTIES TIMEOUT 600)
else()
  message(WARNING "node/npm not found: the blandcli_compat test is not registered")
endif()
