// Transparent huge pages for the solver's large arrays (process-wide).
//
// Arrays of 2 MiB and more (the correction history, and the n-vectors from n = 262,144) get their
// own 2 MiB-aligned mappings; with huge pages on, the core asks the kernel for transparent huge
// pages there (madvise MADV_HUGEPAGE; the kernel decides). The history passes stream 2m columns at
// once and run 12-20 % faster with them. On a virtual machine that hands freed memory back to its
// host, memory the host has taken back faults in about four times slower as huge pages, once per
// run (native/bench/memory_bench; benchmarks/README.md, finding 9).
#pragma once

namespace lbfgsb {

/** Turns huge pages for large arrays on or off for arrays allocated from now on (process-wide). */
void set_huge_pages(bool on);

/**
 * Whether large arrays ask for huge pages: the last set_huge_pages, else on unless the
 * environment variable LBFGSB4J_HUGE_PAGES is "0", "off" or "false".
 */
bool huge_pages();

}  // namespace lbfgsb
