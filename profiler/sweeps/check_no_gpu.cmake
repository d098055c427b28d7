# ctest -R perfplan_gemm_sweep.no_gpu: without a GPU the sweep must fail cleanly, saying
# "no CUDA device", instead of crashing. With a GPU it exits 77 (reported as skipped).
execute_process(COMMAND ${SWEEP} --check-device RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc STREQUAL "0")
  message("a CUDA device is present; the no-GPU check does not apply")
  cmake_language(EXIT 77)
endif()
if(NOT rc MATCHES "^[0-9]+$")
  message(FATAL_ERROR "perfplan_gemm_sweep did not exit normally (${rc}); output:\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "no CUDA device")
  message(FATAL_ERROR "perfplan_gemm_sweep exited ${rc} without saying 'no CUDA device'; output:\n${out}${err}")
endif()
message("exit ${rc}: ${err}")
