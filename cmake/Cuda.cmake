# CUDA is optional. PLUMB_CUDA=AUTO builds the CUDA kernels when nvcc is found,
# ON requires it, OFF skips it.
set(PLUMB_CUDA AUTO CACHE STRING "Build CUDA kernels: AUTO, ON or OFF")
set_property(CACHE PLUMB_CUDA PROPERTY STRINGS AUTO ON OFF)
set(PLUMB_HAVE_CUDA OFF)
if(NOT PLUMB_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # Hopper runs here; the Blackwell targets must compile. Never "native":
      # the build machine has no GPU.
      set(CMAKE_CUDA_ARCHITECTURES "90a;100a;120a")
    endif()
    enable_language(CUDA)
    # CMake 3.25 does not know that nvcc 13 takes -std=c++20: tell it.
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_FLAGS "${CMAKE_CUDA_FLAGS} --expt-relaxed-constexpr")
    find_package(CUDAToolkit REQUIRED)
    set(PLUMB_HAVE_CUDA ON)
    message(STATUS "plumb: CUDA kernels will be built for ${CMAKE_CUDA_ARCHITECTURES}")
  elseif(PLUMB_CUDA STREQUAL "ON")
    message(FATAL_ERROR "plumb: PLUMB_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
if(NOT PLUMB_HAVE_CUDA)
  message(WARNING "plumb: CUDA kernels were SKIPPED (no nvcc found, or PLUMB_CUDA=OFF). "
                  "Everything else builds; GPU suites report 'skipped'.")
endif()
