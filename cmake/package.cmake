# Packaging: the Debian package built by `cpack -G DEB` from the install rules (tests/package
# installs it into an empty root and runs lintian), and the documents Debian policy asks for.

# /usr/share/doc/blandhook: the copyright file (machine-readable format), the Debian changelog and
# the upstream one, both compressed with gzip -9n as policy 12.7 wants.
set(BLANDHOOK_DOC_FILES ${PROJECT_BINARY_DIR}/generated/changelog.Debian.gz
                        ${PROJECT_BINARY_DIR}/generated/changelog.gz)
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/generated/changelog.Debian.gz
  COMMAND gzip -9n -c ${BLANDHOOK_DEBIAN_CHANGELOG} > ${PROJECT_BINARY_DIR}/generated/changelog.Debian.gz
  DEPENDS ${BLANDHOOK_DEBIAN_CHANGELOG} blandhook_build_info VERBATIM)
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/generated/changelog.gz
  COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/CHANGELOG.md > ${PROJECT_BINARY_DIR}/generated/changelog.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/CHANGELOG.md VERBATIM)
add_custom_target(blandhook_docs ALL DEPENDS ${BLANDHOOK_DOC_FILES})
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/copyright ${BLANDHOOK_DOC_FILES}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Warnings lintian keeps that are justified rather than fixed (each says why).
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME blandhook)

set(CPACK_PACKAGE_NAME blandhook)
set(CPACK_PACKAGE_VENDOR "the blandhook authors")
set(CPACK_PACKAGE_CONTACT "${BLANDHOOK_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Directories 0755 whatever the builder's umask (lintian: non-standard-dir-perm).
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends comes from the binary's shared libraries (dpkg-shlibdeps), never from a hand-kept list.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# The synopsis, then the extended description (CPack indents each line by one space).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "test Bland AI post-call webhooks locally and in CI")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "blandhook makes Bland AI's post-call webhooks testable. It captures
deliveries byte-exact and shows them live in the terminal and in a browser
inspector (listen); replays fixtures or captures to a handler, signed as
Bland signs them, with retries, scenarios, assertions and JUnit reports
(replay); emulates Bland's calls API locally (emulate); places real test
calls (call); and signs or verifies X-Webhook-Signature values.")
set(CPACK_GENERATOR DEB)
include(CPack)

# --- The self-contained release archive for Linux x86_64 -------------------------------------
# Not for sanitizer builds: a release is never instrumented (and CI's ASan pass needs none).
if(BLANDHOOK_SANITIZE)
  return()
endif()
# bin/blandhook plus, in lib/blandhook/, every shared library it needs but glibc's (Debian ships
# cpp-httplib, fmt and simdjson as shared libraries only, so a static binary is not possible from
# Debian packages). The binary finds them through RUNPATH $ORIGIN/../lib/blandhook, they find each
# other through RUNPATH $ORIGIN. cpp-httplib and OpenSSL are bound lazily, on the first call that
# needs them (src/release/lazy_loader.cpp), so a command without HTTP starts as fast as the floor.
enable_language(ASM)
set(BLANDHOOK_LIBDIR /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE})
# The soname of a library of this machine, e.g. libcpp-httplib.so.0.11.
function(blandhook_soname name out)
  find_library(path_${name} NAMES ${name} PATHS ${BLANDHOOK_LIBDIR} NO_DEFAULT_PATH)
  execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${path_${name}} OUTPUT_VARIABLE dump)
  if(NOT dump MATCHES "SONAME +([^\n]+)")
    message(FATAL_ERROR "no SONAME in ${path_${name}}")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()
blandhook_soname(crypto soname_crypto)
blandhook_soname(ssl soname_ssl)
blandhook_soname(cpp-httplib soname_httplib)
blandhook_soname(fmt soname_fmt)
blandhook_soname(simdjson soname_simdjson)
blandhook_soname(z soname_z)
# Loaded at start-up (cheap), and bound lazily (libcrypto, then libssl, which the listener's TLS
# calls directly, then cpp-httplib, which needs both). zlib reads and writes the capture log's
# rotated segments (src/capture/).
set(BLANDHOOK_EAGER_LIBRARIES libstdc++.so.6 ${soname_fmt} ${soname_simdjson} ${soname_z}
    libm.so.6 libc.so.6 libgcc_s.so.1)
set(BLANDHOOK_LAZY_LIBRARIES ${soname_crypto} ${soname_ssl} ${soname_httplib})

set(BLANDHOOK_STUBS ${PROJECT_BINARY_DIR}/generated/lazy_stubs.S)
add_custom_command(OUTPUT ${BLANDHOOK_STUBS} ${PROJECT_BINARY_DIR}/generated/lazy_stubs.inc
  COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DARCHIVE=$<TARGET_FILE:blandhook_lib>
          "-DEAGER=${BLANDHOOK_EAGER_LIBRARIES}" "-DLAZY=${BLANDHOOK_LAZY_LIBRARIES}"
          -DLIBDIR=${BLANDHOOK_LIBDIR} -DOUTPUT_ASM=${BLANDHOOK_STUBS}
          -DOUTPUT_TABLE=${PROJECT_BINARY_DIR}/generated/lazy_stubs.inc
          -P ${PROJECT_SOURCE_DIR}/cmake/lazy_stubs.cmake
  DEPENDS blandhook_lib $<TARGET_FILE:blandhook_lib> ${PROJECT_SOURCE_DIR}/cmake/lazy_stubs.cmake
  COMMENT "Generating the release binary's lazy-binding stubs" VERBATIM)

# libstdc++ is linked into the binary (whole, from libstdc++.a) and exported from it, and a
# stand-in libstdc++.so.6 with no code but the real one's version nodes sits in lib/blandhook for
# the shared libraries that name it: they all bind to the binary's copy, one libstdc++ in the
# process, and the loader no longer relocates the real library (three quarters of the release
# binary's start-up; bench/RESULTS-startup.md).
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.a
                OUTPUT_VARIABLE BLANDHOOK_LIBSTDCXX_A OUTPUT_STRIP_TRAILING_WHITESPACE)
set(BLANDHOOK_SHIM_DIR ${PROJECT_BINARY_DIR}/lib/blandhook)
set(BLANDHOOK_STDCXX_LIST ${PROJECT_BINARY_DIR}/generated/libstdcxx.dynamic-list)
set(BLANDHOOK_STDCXX_VERSIONS ${PROJECT_BINARY_DIR}/generated/libstdcxx.versions)
add_custom_command(OUTPUT ${BLANDHOOK_STDCXX_LIST} ${BLANDHOOK_STDCXX_VERSIONS}
  COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DOBJDUMP=${CMAKE_OBJDUMP}
          -DLIBRARY=${BLANDHOOK_LIBDIR}/libstdc++.so.6 -DDYNAMIC_LIST=${BLANDHOOK_STDCXX_LIST}
          -DVERSION_SCRIPT=${BLANDHOOK_STDCXX_VERSIONS} -P ${PROJECT_SOURCE_DIR}/cmake/stdcxx_shim.cmake
  DEPENDS ${PROJECT_SOURCE_DIR}/cmake/stdcxx_shim.cmake VERBATIM)
file(WRITE ${PROJECT_BINARY_DIR}/generated/empty.cpp "// The stand-in libstdc++.so.6 has no code.\n")
add_custom_command(OUTPUT ${BLANDHOOK_SHIM_DIR}/libstdc++.so.6
  COMMAND ${CMAKE_COMMAND} -E make_directory ${BLANDHOOK_SHIM_DIR}
  COMMAND ${CMAKE_CXX_COMPILER} -shared -nostdlib -o ${BLANDHOOK_SHIM_DIR}/libstdc++.so.6
          -Wl,-soname,libstdc++.so.6 -Wl,--version-script=${BLANDHOOK_STDCXX_VERSIONS}
          ${PROJECT_BINARY_DIR}/generated/empty.cpp
  DEPENDS ${BLANDHOOK_STDCXX_VERSIONS} VERBATIM)
add_custom_target(blandhook_stdcxx_shim DEPENDS ${BLANDHOOK_SHIM_DIR}/libstdc++.so.6
                                                ${BLANDHOOK_STDCXX_LIST})

add_executable(blandhook_release src/main.cpp src/release/lazy_loader.cpp ${BLANDHOOK_STUBS})
add_dependencies(blandhook_release blandhook_stdcxx_shim)
target_link_options(blandhook_release PRIVATE -static-libstdc++
  "LINKER:--whole-archive,${BLANDHOOK_LIBSTDCXX_A},--no-whole-archive"
  "LINKER:--dynamic-list=${BLANDHOOK_STDCXX_LIST}")
set(lazy_list "")
foreach(library IN LISTS BLANDHOOK_LAZY_LIBRARIES)
  string(APPEND lazy_list "\"${library}\",")
endforeach()
target_compile_definitions(blandhook_release PRIVATE "BLANDHOOK_LAZY_LIBRARIES=${lazy_list}")
target_include_directories(blandhook_release PRIVATE ${PROJECT_SOURCE_DIR}/src
                                                     ${PROJECT_BINARY_DIR}/generated)
# The archive itself rather than the target: the target would bring its httplib and OpenSSL link
# interface, which is exactly what the stubs replace.
target_link_libraries(blandhook_release PRIVATE $<TARGET_FILE:blandhook_lib> fmt::fmt
                      simdjson::simdjson ZLIB::ZLIB Threads::Threads ${CMAKE_DL_LIBS}
                      blandhook_warnings)
add_dependencies(blandhook_release blandhook_lib)
set_target_properties(blandhook_release PROPERTIES
  OUTPUT_NAME blandhook RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/release
  BUILD_RPATH "\$ORIGIN/../lib/blandhook")

set(BLANDHOOK_RELEASE_NAME blandhook-${PROJECT_VERSION}-linux-${CMAKE_SYSTEM_PROCESSOR})
set(BLANDHOOK_RELEASE_ARCHIVE ${PROJECT_BINARY_DIR}/dist/${BLANDHOOK_RELEASE_NAME}.tar.gz)
add_custom_command(OUTPUT ${BLANDHOOK_RELEASE_ARCHIVE} ${BLANDHOOK_RELEASE_ARCHIVE}.sha256
  COMMAND ${CMAKE_COMMAND} -DBINARY=$<TARGET_FILE:blandhook_release> -DNAME=${BLANDHOOK_RELEASE_NAME}
          -DOUTPUT=${BLANDHOOK_RELEASE_ARCHIVE} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSTRIP=${CMAKE_STRIP}
          "-DLIBRARIES=${BLANDHOOK_EAGER_LIBRARIES};${BLANDHOOK_LAZY_LIBRARIES}"
          -DSTAND_INS=${BLANDHOOK_SHIM_DIR}/libstdc++.so.6
          -P ${PROJECT_SOURCE_DIR}/cmake/release_archive.cmake
  DEPENDS blandhook_release blandhook_man blandhook_docs blandhook_stdcxx_shim ${PROJECT_SOURCE_DIR}/cmake/release_archive.cmake
          ${BLANDHOOK_MAN}.gz
  COMMENT "Packing ${BLANDHOOK_RELEASE_NAME}.tar.gz" VERBATIM)
add_custom_target(blandhook_release_archive ALL DEPENDS ${BLANDHOOK_RELEASE_ARCHIVE})
