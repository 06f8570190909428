# Every dependency is a Debian package; a missing one stops the configure with
# one message naming the package to install (tools/setup installs them all).
function(plumb_require_header header package)
  find_path(_found_${package} ${header})
  if(NOT _found_${package})
    message(FATAL_ERROR "plumb: missing dependency: '${header}' not found. "
                        "Install the Debian package '${package}' (or run tools/setup).")
  endif()
endfunction()
function(plumb_require_library var name package)
  find_library(${var} ${name})
  if(NOT ${var})
    message(FATAL_ERROR "plumb: missing dependency: library '${name}' not found. "
                        "Install the Debian package '${package}' (or run tools/setup).")
  endif()
  set(${var} ${${var}} PARENT_SCOPE)
endfunction()

plumb_require_header(mpfr.h libmpfr-dev)
plumb_require_library(MPFR_LIBRARY mpfr libmpfr-dev)
plumb_require_header(gmp.h libgmp-dev)
plumb_require_library(GMP_LIBRARY gmp libgmp-dev)
plumb_require_header(boost/multiprecision/cpp_int.hpp libboost-dev)
plumb_require_header(nlohmann/json.hpp nlohmann-json3-dev)

find_package(Catch2 2.13 QUIET)
if(NOT Catch2_FOUND)
  message(FATAL_ERROR "plumb: missing dependency: Catch2 v2 not found. "
                      "Install the Debian package 'catch2' (or run tools/setup).")
endif()
include(Catch)

find_package(benchmark QUIET)
if(NOT benchmark_FOUND)
  message(FATAL_ERROR "plumb: missing dependency: Google Benchmark not found. "
                      "Install the Debian package 'libbenchmark-dev' (or run tools/setup).")
endif()

find_package(Threads REQUIRED)

# The Python interpreter of the project's own virtual environment (tools/setup
# makes it); reports and peer cross-checks run with it.
set(PLUMB_PYTHON "${CMAKE_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH "Python of the plumb venv")
