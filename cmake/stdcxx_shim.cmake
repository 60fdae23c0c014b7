# For the release binary, which carries libstdc++ itself (see cmake/package.cmake): from the
# system's libstdc++.so.6, writes
#   DYNAMIC_LIST  every symbol it exports, for the binary's --dynamic-list, so that the shared
#                 libraries loaded beside the binary (fmt, simdjson, cpp-httplib) bind to the
#                 binary's copy;
#   VERSION_SCRIPT its version nodes (GLIBCXX_*, CXXABI_*), empty, for the stand-in
#                 libstdc++.so.6 that satisfies those libraries' DT_NEEDED and version needs.
#   cmake -DNM=… -DOBJDUMP=… -DLIBRARY=…/libstdc++.so.6 -DDYNAMIC_LIST=… -DVERSION_SCRIPT=…
#         -P stdcxx_shim.cmake
cmake_policy(VERSION 3.22)
execute_process(COMMAND ${NM} -D --defined-only --format=posix ${LIBRARY} OUTPUT_VARIABLE symbols
                COMMAND_ERROR_IS_FATAL ANY)
string(REGEX MATCHALL "(^|\n)[^ @\n]+" names "${symbols}")
list(TRANSFORM names STRIP)
list(REMOVE_DUPLICATES names)
list(JOIN names ";\n  " body)
file(WRITE ${DYNAMIC_LIST}.tmp "{\n  ${body};\n};\n")
file(COPY_FILE ${DYNAMIC_LIST}.tmp ${DYNAMIC_LIST} ONLY_IF_DIFFERENT)
file(REMOVE ${DYNAMIC_LIST}.tmp)

execute_process(COMMAND ${OBJDUMP} -T ${LIBRARY} OUTPUT_VARIABLE table COMMAND_ERROR_IS_FATAL ANY)
string(REGEX MATCHALL "(GLIBCXX|CXXABI)_[A-Za-z0-9_.]+" versions "${table}")
list(REMOVE_DUPLICATES versions)
list(SORT versions)
list(JOIN versions " { };\n" nodes)
file(WRITE ${VERSION_SCRIPT}.tmp "${nodes} { };\n")
file(COPY_FILE ${VERSION_SCRIPT}.tmp ${VERSION_SCRIPT} ONLY_IF_DIFFERENT)
file(REMOVE ${VERSION_SCRIPT}.tmp)
