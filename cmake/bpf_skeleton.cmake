# Builds BPF objects with clang and turns them into libbpf skeleton headers.

find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

execute_process(COMMAND ${BPF_CLANG} --version OUTPUT_VARIABLE _clang_version)
if(NOT _clang_version MATCHES "clang version ([0-9]+)")
  message(FATAL_ERROR "cannot read the version of ${BPF_CLANG}; install clang (>= 12)")
elseif(CMAKE_MATCH_1 LESS 12)
  message(FATAL_ERROR "${BPF_CLANG} is version ${CMAKE_MATCH_1}; BPF needs clang >= 12")
endif()
execute_process(COMMAND ${BPFTOOL} version RESULT_VARIABLE _bpftool_rc OUTPUT_QUIET ERROR_QUIET)
if(NOT _bpftool_rc EQUAL 0)
  message(FATAL_ERROR "${BPFTOOL} does not run; install Debian's bpftool package")
endif()

# Multiarch include folder for <asm/types.h>, which linux/types.h needs under -target bpf.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-multiarch OUTPUT_VARIABLE _multiarch
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(_multiarch STREQUAL "")
  execute_process(COMMAND uname -m OUTPUT_VARIABLE _multiarch OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(_multiarch "${_multiarch}-linux-gnu")
endif()

# bpf_skeleton(<name> SOURCE <file.bpf.c> [INCLUDES <dir>...])
#
# Compiles SOURCE to <name>.bpf.o and generates <name>.skel.h, and defines the
# INTERFACE target <name>_skel whose include folder holds the header. clang writes a
# depfile, so editing any header that SOURCE includes rebuilds the object.
function(bpf_skeleton name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SOURCE" "INCLUDES")
  if(NOT arg_SOURCE)
    message(FATAL_ERROR "bpf_skeleton(${name}): SOURCE is required")
  endif()

  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/bpf)
  set(object ${out_dir}/${name}.bpf.o)
  set(skeleton ${out_dir}/${name}.skel.h)
  set(include_flags)
  foreach(dir IN LISTS arg_INCLUDES)
    list(APPEND include_flags -I${dir})
  endforeach()

  get_filename_component(source ${arg_SOURCE} ABSOLUTE)
  add_custom_command(
    OUTPUT ${object}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${BPF_CLANG} -g -O2 -Wall -Werror -target bpf
            -I/usr/include/${_multiarch} ${include_flags}
            -MD -MF ${object}.d -c ${source} -o ${object}
    MAIN_DEPENDENCY ${source}
    DEPFILE ${object}.d
    COMMENT "BPF ${name}: compiling ${arg_SOURCE}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skeleton}
    COMMAND ${BPFTOOL} gen skeleton ${object} name ${name} > ${skeleton}
    DEPENDS ${object}
    COMMENT "BPF ${name}: generating skeleton"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skeleton})
  add_library(${name}_skel INTERFACE)
  target_include_directories(${name}_skel INTERFACE ${out_dir})
  add_dependencies(${name}_skel ${name}_skel_gen)
  # The object itself is also installed for bpftool and the vmtests.
  set_property(TARGET ${name}_skel PROPERTY BPF_OBJECT ${object})
endfunction()
