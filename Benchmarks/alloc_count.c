/* Counts the heap allocations of the process it is preloaded into, for Benchmarks/run.py.
 *
 * LD_PRELOAD=alloc_count.so ALLOC_COUNT_FILE=/tmp/counts sigma_exporter ...: every malloc,
 * calloc, realloc and aligned allocation adds one to a counter and its size to another, in a file
 * the benchmark maps and reads before and after a request (two unsigned 64-bit integers). The
 * allocations are served by glibc itself (its __libc_* entry points), so nothing else changes.
 * Built by the benchmark with `cc -O2 -shared -fPIC`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic uint64_t before_mapping[2];
static _Atomic uint64_t *counts = before_mapping;

__attribute__((constructor)) static void map_counts(void) {
    const char *path = getenv("ALLOC_COUNT_FILE");
    if (!path) return;
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return;
    void *mapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (mapped != MAP_FAILED) counts = mapped;
}

static inline void note(size_t size) {
    atomic_fetch_add_explicit(&counts[0], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&counts[1], size, memory_order_relaxed);
}

void *malloc(size_t size) { note(size); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { note(count * size); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { note(size); return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
int posix_memalign(void **result, size_t alignment, size_t size) {
    note(size);
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return ENOMEM;
    *result = pointer;
    return 0;
}
