import CZeroMQ

/// Process-wide allocator settings for processes that receive large frames.
package enum MemoryTuning {
    /// Makes glibc serve allocations up to 64 MiB from the heap and keep freed memory for reuse.
    ///
    /// libzmq allocates a fresh buffer for every large frame it receives. With glibc's defaults a
    /// buffer above the (dynamic, at most 32 MiB) mmap threshold is a new mapping each time, and
    /// freed heap memory above the trim threshold is returned to the kernel, so each frame pays
    /// thousands of page faults: measured at a third of the speed for 64 MiB frames. Call once at
    /// process start (the CLI does), before any receive. No effect on other platforms.
    package static func keepLargeBuffersOnHeap() {
        czmq_keep_large_buffers_on_heap()
    }
}
