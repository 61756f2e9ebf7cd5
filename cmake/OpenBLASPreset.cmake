# Locates the OpenBLAS that ships inside the JavaCPP preset jar
# (org.bytedeco:openblas:<version>:jar:linux-x86_64), unpacked by Maven into
# java/target/openblas/, and exposes it as the imported target `openblas::openblas`.
#
# Input:  OPENBLAS_DIR  the unpacked org/bytedeco/openblas/<platform>/ folder
#                       (holds include/cblas.h and libopenblas.so.0).
# Output: openblas::openblas   imported shared library with the preset's headers
#         OPENBLAS_LIB_DIR     folder of the preset's shared libraries (for LD_LIBRARY_PATH)
#         OPENBLAS_LINK_DIR    folder with libopenblas_nolapack.so and libopenblas.so symlinks,
#                              to pass with -L to JavaCPP's link of the JNI library.
#
# Why the symlinks: the preset ships only libopenblas.so.0, while JavaCPP's
# openblas_nolapack preset asks the linker for -lopenblas_nolapack.

set(OPENBLAS_DIR "" CACHE PATH
    "Unpacked org/bytedeco/openblas/<platform>/ folder of the OpenBLAS preset jar")

if(NOT OPENBLAS_DIR OR NOT EXISTS "${OPENBLAS_DIR}/include/cblas.h")
    message(FATAL_ERROR
        "OPENBLAS_DIR='${OPENBLAS_DIR}' does not hold include/cblas.h. Build through Maven "
        "(mvn -B verify), which unpacks the preset, or pass "
        "-DOPENBLAS_DIR=<...>/org/bytedeco/openblas/linux-x86_64")
endif()

file(GLOB _openblas_candidates "${OPENBLAS_DIR}/libopenblas.so.*" "${OPENBLAS_DIR}/lib/libopenblas.so.*")
list(SORT _openblas_candidates)
list(LENGTH _openblas_candidates _openblas_count)
if(_openblas_count EQUAL 0)
    message(FATAL_ERROR "No libopenblas.so.* under OPENBLAS_DIR='${OPENBLAS_DIR}'")
endif()
list(GET _openblas_candidates 0 OPENBLAS_LIBRARY)
get_filename_component(OPENBLAS_LIB_DIR "${OPENBLAS_LIBRARY}" DIRECTORY)

set(OPENBLAS_LINK_DIR "${CMAKE_BINARY_DIR}/openblas-link")
file(MAKE_DIRECTORY "${OPENBLAS_LINK_DIR}")
foreach(_name libopenblas_nolapack.so libopenblas.so)
    file(CREATE_LINK "${OPENBLAS_LIBRARY}" "${OPENBLAS_LINK_DIR}/${_name}" SYMBOLIC)
endforeach()

if(NOT TARGET openblas::openblas)
    add_library(openblas::openblas SHARED IMPORTED)
    set_target_properties(openblas::openblas PROPERTIES
        IMPORTED_LOCATION "${OPENBLAS_LIBRARY}"
        IMPORTED_SONAME "libopenblas.so.0"
        INTERFACE_INCLUDE_DIRECTORIES "${OPENBLAS_DIR}/include")
endif()

message(STATUS "OpenBLAS preset: ${OPENBLAS_LIBRARY} (link dir ${OPENBLAS_LINK_DIR})")
