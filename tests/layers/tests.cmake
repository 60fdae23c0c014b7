# Layers without cycles (docs/architecture.md): no folder under src/ includes a file of a folder
# that includes it back. Reads the sources only, so it takes well under a second.
add_test(NAME layers_no_cycles
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/layers_test.py ${PROJECT_SOURCE_DIR})
