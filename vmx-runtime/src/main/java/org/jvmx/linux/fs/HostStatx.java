package org.jvmx.linux.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import org.jvmx.linux.LinuxError;

/**
 * The host's own statx(2), called through the foreign-function API: the only way to learn
 * st_blocks and st_blksize (which {@code ls -l}, {@code du} and {@code stat} print) since the
 * JDK's {@code unix:*} attributes leave them out. The host errno is a Linux errno already and is
 * handed to the guest unchanged. {@link #available()} is false when the JVM runs without native
 * access or without a statx in its C library; {@link HostStat} then derives the two fields.
 */
final class HostStatx {
    private static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, STATX_WANTED = 0xfff;
    private static final MethodHandle STATX;
    private static final StructLayout ERRNO_STATE = StructLayout.of();

    static {
        MethodHandle h = null;
        try {
            Linker linker = Linker.nativeLinker();
            MemorySegment fn = linker.defaultLookup().find("statx").orElse(null);
            if (fn != null) {
                h = linker.downcallHandle(fn,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
                        Linker.Option.captureCallState("errno"));
            }
        } catch (RuntimeException | Error e) {
            h = null; // no native access: HostStat falls back to the JDK's attributes
        }
        STATX = h;
    }

    private HostStatx() {
    }

    static boolean available() {
        return STATX != null;
    }

    /** statx of the host file {@code p}, following a final symlink when {@code follow}. */
    static HostStat of(Path p, boolean follow) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(ERRNO_STATE.layout);
            MemorySegment path = a.allocateFrom(p.toString());
            MemorySegment buf = a.allocate(StatLayout.STATX_BYTES, 8);
            int rc = (int) STATX.invokeExact(state, AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, STATX_WANTED, buf);
            if (rc != 0) throw new LinuxError((int) ERRNO_STATE.errno.get(state, 0L), p.toString());
            int mask = buf.get(ValueLayout.JAVA_INT, StatLayout.STX_MASK);
            long mtS = sec(buf, StatLayout.STX_MTIME), mtN = nsec(buf, StatLayout.STX_MTIME);
            boolean btime = (mask & StatLayout.STATX_BTIME) != 0;
            return new HostStat(
                    HostStat.makedev(buf.get(ValueLayout.JAVA_INT, StatLayout.STX_DEV_MAJOR),
                            buf.get(ValueLayout.JAVA_INT, StatLayout.STX_DEV_MINOR)),
                    buf.get(ValueLayout.JAVA_LONG, StatLayout.STX_INO),
                    Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, StatLayout.STX_MODE)),
                    Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, StatLayout.STX_NLINK)),
                    buf.get(ValueLayout.JAVA_INT, StatLayout.STX_UID), buf.get(ValueLayout.JAVA_INT, StatLayout.STX_GID),
                    HostStat.makedev(buf.get(ValueLayout.JAVA_INT, StatLayout.STX_RDEV_MAJOR),
                            buf.get(ValueLayout.JAVA_INT, StatLayout.STX_RDEV_MINOR)),
                    buf.get(ValueLayout.JAVA_LONG, StatLayout.STX_SIZE),
                    Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, StatLayout.STX_BLKSIZE)),
                    buf.get(ValueLayout.JAVA_LONG, StatLayout.STX_BLOCKS),
                    sec(buf, StatLayout.STX_ATIME), nsec(buf, StatLayout.STX_ATIME), mtS, mtN,
                    sec(buf, StatLayout.STX_CTIME), nsec(buf, StatLayout.STX_CTIME),
                    btime ? sec(buf, StatLayout.STX_BTIME) : mtS, btime ? nsec(buf, StatLayout.STX_BTIME) : mtN);
        } catch (LinuxError e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("host statx failed: " + t, t);
        }
    }

    private static long sec(MemorySegment buf, int at) {
        return buf.get(ValueLayout.JAVA_LONG, at);
    }

    private static long nsec(MemorySegment buf, int at) {
        return Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, at + 8));
    }

    /** The call state the linker captures (errno only) and a handle to read it. */
    private record StructLayout(MemoryLayout layout, VarHandle errno) {
        static StructLayout of() {
            MemoryLayout l = Linker.Option.captureStateLayout();
            return new StructLayout(l, l.varHandle(MemoryLayout.PathElement.groupElement("errno")));
        }
    }
}
