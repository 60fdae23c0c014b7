# Packs the self-contained release archive: NAME/bin/blandhook, NAME/lib/blandhook/ (every shared
# library the binary or its lazily loaded libraries need, but glibc's), NAME/share (man page,
# completions, copyright notices of blandhook and of each bundled library's Debian package).
# The tree is a prefix: `tar -xzf … --strip-components=1 -C /usr/local` installs it.
#   cmake -DBINARY=… -DNAME=… -DOUTPUT=….tar.gz -DSOURCE_DIR=… -DBUILD_DIR=… -DSTRIP=…
#         -DLIBRARIES="soname;…" [-DSTAND_INS="path/to/soname;…"] -P release_archive.cmake
# Reproducible: files sorted, owned by 0:0, dated SOURCE_DATE_EPOCH or the commit's date.
cmake_policy(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/source_date.cmake)
if(SOURCE_EPOCH STREQUAL "")
  set(SOURCE_EPOCH 0)
endif()
find_program(PATCHELF patchelf REQUIRED)
find_program(OBJDUMP objdump REQUIRED)
find_program(DPKG_QUERY dpkg-query)

get_filename_component(dist ${OUTPUT} DIRECTORY)
set(stage ${dist}/${NAME})
file(REMOVE_RECURSE ${stage})
file(MAKE_DIRECTORY ${stage}/bin ${stage}/lib/blandhook ${stage}/share/doc/blandhook/third-party)

execute_process(COMMAND ${STRIP} --strip-unneeded -o ${stage}/bin/blandhook ${BINARY}
                COMMAND_ERROR_IS_FATAL ANY)

# Libraries the system provides on every glibc Linux, never bundled.
set(system_libraries ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2
    librt.so.1 libresolv.so.2)
set(libdirs /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu)

# The closure of LIBRARIES over their DT_NEEDED entries.
set(pending ${LIBRARIES})
set(bundled "")
while(pending)
  list(POP_FRONT pending soname)
  if(soname IN_LIST system_libraries OR soname IN_LIST bundled)
    continue()
  endif()
  set(found "")
  foreach(dir IN LISTS libdirs)
    if(EXISTS ${dir}/${soname})
      set(found ${dir}/${soname})
      break()
    endif()
  endforeach()
  if(NOT found)
    message(FATAL_ERROR "release_archive: ${soname} not found in ${libdirs}")
  endif()
  list(APPEND bundled ${soname})
  file(REAL_PATH ${found} real)
  # A stand-in (STAND_INS, by file name) replaces the system's library of that soname.
  set(source ${real})
  foreach(stand_in IN LISTS STAND_INS)
    get_filename_component(stand_in_name ${stand_in} NAME)
    if(stand_in_name STREQUAL soname)
      set(source ${stand_in})
    endif()
  endforeach()
  file(COPY_FILE ${source} ${stage}/lib/blandhook/${soname})
  execute_process(COMMAND ${OBJDUMP} -p ${source} OUTPUT_VARIABLE dump COMMAND_ERROR_IS_FATAL ANY)
  string(REGEX MATCHALL "NEEDED +[^\n]+" needed "${dump}")
  foreach(entry IN LISTS needed)
    string(REGEX REPLACE "NEEDED +" "" entry "${entry}")
    list(APPEND pending ${entry})
  endforeach()
  # Each finds its own dependencies beside it, whatever the system has.
  execute_process(COMMAND ${PATCHELF} --set-rpath $ORIGIN ${stage}/lib/blandhook/${soname}
                  COMMAND_ERROR_IS_FATAL ANY)
  # The copyright notice of the Debian package that ships it.
  if(DPKG_QUERY)
    foreach(candidate ${real} ${found} /lib/x86_64-linux-gnu/${soname})
      execute_process(COMMAND ${DPKG_QUERY} --search ${candidate} OUTPUT_VARIABLE owner
                      RESULT_VARIABLE owner_result ERROR_QUIET)
      if(owner_result EQUAL 0)
        string(REGEX REPLACE ":.*" "" package "${owner}")
        if(EXISTS /usr/share/doc/${package}/copyright)
          file(COPY_FILE /usr/share/doc/${package}/copyright
               ${stage}/share/doc/blandhook/third-party/${package}.copyright)
        endif()
        break()
      endif()
    endforeach()
  endif()
endwhile()
list(SORT bundled)
string(REPLACE ";" "\n" bundled_lines "${bundled}")
file(WRITE ${stage}/lib/blandhook/BUNDLED "${bundled_lines}\n")

file(MAKE_DIRECTORY ${stage}/share/man/man1 ${stage}/share/bash-completion/completions
     ${stage}/share/zsh/vendor-completions ${stage}/share/fish/vendor_completions.d)
file(COPY_FILE ${BUILD_DIR}/blandhook.1.gz ${stage}/share/man/man1/blandhook.1.gz)
file(COPY_FILE ${SOURCE_DIR}/completions/blandhook.bash
     ${stage}/share/bash-completion/completions/blandhook)
file(COPY_FILE ${SOURCE_DIR}/completions/_blandhook ${stage}/share/zsh/vendor-completions/_blandhook)
file(COPY_FILE ${SOURCE_DIR}/completions/blandhook.fish
     ${stage}/share/fish/vendor_completions.d/blandhook.fish)
file(COPY_FILE ${SOURCE_DIR}/cmake/debian/copyright ${stage}/share/doc/blandhook/copyright)
file(COPY_FILE ${SOURCE_DIR}/CHANGELOG.md ${stage}/share/doc/blandhook/CHANGELOG.md)

file(REMOVE ${OUTPUT} ${OUTPUT}.sha256)
execute_process(
  COMMAND tar --sort=name --mtime=@${SOURCE_EPOCH} --owner=0 --group=0 --numeric-owner
          --mode=go-w -C ${dist} -cf - ${NAME}
  COMMAND gzip -9n
  OUTPUT_FILE ${OUTPUT} COMMAND_ERROR_IS_FATAL ANY)
file(SHA256 ${OUTPUT} sha256)
get_filename_component(archive_name ${OUTPUT} NAME)
file(WRITE ${OUTPUT}.sha256 "${sha256}  ${archive_name}\n")
message(STATUS "release_archive: ${archive_name} with ${bundled}")
