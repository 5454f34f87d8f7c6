package dev.sglj.engine.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Large off-heap buffers. On Linux they are anonymous mappings advised for transparent huge pages
 * ({@code madvise(MADV_HUGEPAGE)}): first-touch page faults, which dominate filling gigabytes of
 * fresh memory (measured 10x fewer CPU seconds for 2.5 GB in a VM), drop 512-fold, and pages are
 * faulted by whichever threads fill them rather than zeroed up front by the allocating one.
 * Elsewhere, or if the mapping fails, {@link Arena#allocate} is used. Unmapped when the arena closes.
 */
@SuppressWarnings("restricted") // mmap, madvise and munmap through the FFM linker
public final class HostMemory {
    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        MethodHandle munmap = null;
        String arch = System.getProperty("os.arch");
        if (System.getProperty("os.name", "").startsWith("Linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            var mmapSym = libc.find("mmap");
            var madviseSym = libc.find("madvise");
            var munmapSym = libc.find("munmap");
            if (mmapSym.isPresent() && madviseSym.isPresent() && munmapSym.isPresent()) {
                mmap = linker.downcallHandle(mmapSym.get(), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(madviseSym.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                munmap = linker.downcallHandle(munmapSym.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            }
        }
        MMAP = mmap;
        MADVISE = madvise;
        MUNMAP = munmap;
    }

    private HostMemory() {}

    /**
     * {@code bytes} of zeroed memory, valid until {@code arena} closes: 64-byte aligned, and 2 MiB aligned
     * from 2 MiB (the mapping is a huge page longer; its unused head and tail are never touched, so
     * never resident), so every huge page of a weight is a whole one.
     */
    public static MemorySegment allocate(long bytes, Arena arena) {
        if (MMAP == null || bytes < HUGE_PAGE) {
            return arena.allocate(bytes, 64);
        }
        long mapped = bytes + HUGE_PAGE;
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (p.address() == -1L) {
                return arena.allocate(bytes, 64);
            }
            // A hint: if refused, the mapping keeps small pages and still works.
            int ignored = (int) MADVISE.invokeExact(p, mapped, MADV_HUGEPAGE);
            long offset = -p.address() & (HUGE_PAGE - 1);
            return p.reinterpret(mapped, arena, s -> unmap(s, mapped)).asSlice(offset, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap of " + mapped + " bytes failed", t);
        }
    }

    private static void unmap(MemorySegment s, long bytes) {
        try {
            int ignored = (int) MUNMAP.invokeExact(s, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }
}
