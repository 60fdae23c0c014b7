# Shell-level completion tests: each script loads what `blandhook completions SHELL` prints into a
# real shell and checks the candidates it offers. bash-completion, zsh and fish come from
# tools/test (Debian packages); a missing shell fails the test rather than skipping it.
foreach(shell bash zsh fish)
  add_test(NAME completions_${shell}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/${shell}_test.sh $<TARGET_FILE:blandhook>)
  set_tests_properties(completions_${shell} PROPERTIES TIMEOUT 120)
endforeach()
