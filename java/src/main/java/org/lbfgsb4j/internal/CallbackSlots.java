package org.lbfgsb4j.internal;

/**
 * The native trampolines of one JavaCPP {@code FunctionPointer} type, as seen from Java.
 *
 * <p>JavaCPP gives each live callback instance one of a fixed number of C trampolines
 * ({@code @Allocator(max)}), and its generated slot search is not synchronized. When all slots
 * are taken it silently hands out a null C function pointer, which native code would call and
 * crash. So every allocation and release of one type goes through here: serialized, counted,
 * and refused with an exception when all slots are in use.
 */
final class CallbackSlots {
    private final String type;
    private final int max;
    private int live;

    CallbackSlots(String type, int max) {
        this.type = type;
        this.max = max;
    }

    /** Runs the native allocate() in a free slot, or throws when there is none. */
    synchronized void acquire(Runnable nativeAllocate) {
        if (live >= max) {
            throw new IllegalStateException("all " + max + " native " + type
                    + " callback slots are in use: too many native-callback runs at once");
        }
        nativeAllocate.run();
        live++;
    }

    /** Runs the native deallocate() of an instance that {@link #acquire} allocated. */
    synchronized void release(Runnable nativeDeallocate) {
        nativeDeallocate.run();
        live--;
    }

    synchronized int live() {
        return live;
    }
}
