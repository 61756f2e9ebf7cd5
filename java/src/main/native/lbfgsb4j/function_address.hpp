// lbfgsb4j JNI glue: where C function addresses come from, and a check that an address is code.
//
// A JavaCPP FunctionPointer object does not hold a C function's address: its Pointer address is
// that of a small native struct JavaCPP generates per FunctionPointer class, whose first member
// `ptr` is the C function (its trampoline, or a function pointer returned by native code).
// JavaCPP passes `ptr` when a FunctionPointer object is handed to a native function, so a typed
// binding taking the FunctionPointer and returning its argument as an integer yields the real
// address (objective_function_address). For a FunctionPointer of any class, whose struct type
// this library does not know, function_pointer_target reads that first member.
#pragma once

#include <link.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "lbfgsb/minimizer.hpp"

namespace lbfgsb4j {

// The C address of a function JavaCPP hands over as an lbfgsb::ObjectiveFunction.
inline std::intptr_t objective_function_address(lbfgsb::ObjectiveFunction function) {
    return reinterpret_cast<std::intptr_t>(function);
}

// The C function of the JavaCPP FunctionPointer struct at `javacpp_struct` (its first member,
// `ptr`, in every class JavaCPP generates; checked against objective_function_address by
// NativeObjectiveTest). `javacpp_struct` must be a FunctionPointer's non-null address().
inline std::intptr_t function_pointer_target(const void* javacpp_struct) {
    std::intptr_t target;
    std::memcpy(&target, javacpp_struct, sizeof target);
    return target;
}

namespace address_detail {

// True when `address` lies in an executable PT_LOAD segment of a loaded ELF object (the program
// or a shared library): where C functions live. Cheap (walks the loaded objects' headers).
inline bool in_loaded_code(std::uintptr_t address) {
    struct Query {
        std::uintptr_t address;
        bool found;
    } query{address, false};
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* data) -> int {
            Query& q = *static_cast<Query*>(data);
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr)& segment = info->dlpi_phdr[i];
                if (segment.p_type != PT_LOAD || (segment.p_flags & PF_X) == 0) continue;
                const std::uintptr_t start = info->dlpi_addr + segment.p_vaddr;
                if (q.address >= start && q.address - start < segment.p_memsz) {
                    q.found = true;
                    return 1;
                }
            }
            return 0;
        },
        &query);
    return query.found;
}

// 1 when `address` lies in a mapping of /proc/self/maps with the x permission, 0 when it lies in
// another mapping or none, -1 when the file cannot be read. For code generated at run time (a
// JIT's code cache, an FFM upcall stub), which belongs to no ELF object. Slow (reads the file).
inline int in_executable_mapping(std::uintptr_t address) {
    std::FILE* maps = std::fopen("/proc/self/maps", "r");
    if (maps == nullptr) return -1;
    int result = 0;
    char line[512];
    bool at_line_start = true;
    while (std::fgets(line, sizeof line, maps) != nullptr) {
        const bool starts_line = at_line_start;
        at_line_start = std::strchr(line, '\n') != nullptr;
        if (!starts_line) continue;  // the rest of a long line (a long path)
        unsigned long long start = 0, end = 0;
        char permissions[5] = {0};
        if (std::sscanf(line, "%llx-%llx %4s", &start, &end, permissions) != 3) continue;
        if (address >= start && address < end) {
            result = permissions[2] == 'x' ? 1 : 0;
            break;
        }
    }
    std::fclose(maps);
    return result;
}

}  // namespace address_detail

// Whether a C function may live at `address`: true when it is in executable memory (or when that
// cannot be told because /proc is unreadable), false otherwise, e.g. for a heap address such as
// a JavaCPP FunctionPointer's address(). Calling a non-code address would crash the process.
inline bool is_executable_address(std::intptr_t address) {
    if (address == 0) return false;
    const auto a = static_cast<std::uintptr_t>(address);
    if (address_detail::in_loaded_code(a)) return true;
    return address_detail::in_executable_mapping(a) != 0;
}

}  // namespace lbfgsb4j
