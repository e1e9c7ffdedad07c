csflowd_add_test(abi_test SOURCES abi_test.cpp LIBS csflowd_common)
