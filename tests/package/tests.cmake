# The Debian package: built with cpack, installed with dpkg into an empty root, checked as a user
# would (binary, man page, completions in bash, zsh and fish), then lintian. Needs dpkg-dev,
# lintian, man-db and the three shells (tools/test installs them).
add_test(NAME package_deb
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/package_test.py ${PROJECT_BINARY_DIR}
                 ${PROJECT_SOURCE_DIR} ${CMAKE_CPACK_COMMAND})
# Serial: cpack runs the build's preinstall step, which may relink the binary other tests run.
set_tests_properties(package_deb PROPERTIES TIMEOUT 300 LABELS package RUN_SERIAL TRUE)
