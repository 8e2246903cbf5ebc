package org.jvmx.linux;

import java.nio.charset.StandardCharsets;

/**
 * Formats system calls as strace prints them: {@code openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3},
 * {@code ... = -1 ENOENT (No such file or directory)}. Arguments follow the
 * {@link SyscallTable.Entry} letters; strings are read from user memory, escaped and cut at 32
 * bytes as strace does ({@code "..."...}).
 */
public final class Strace {
    static final int AT_FDCWD = -100;
    private static final int MAX_STRING = 32;

    private Strace() {
    }

    /** The call's line without a result: {@code name(args)}. */
    public static String call(SyscallTable.Entry e, int nr, long[] a, UserMemory mem, long result) {
        StringBuilder b = new StringBuilder();
        if (e == null) {
            b.append("syscall_0x").append(Long.toHexString(nr & 0xFFFF_FFFFL)).append('(');
            for (int i = 0; i < 6; i++) b.append(i > 0 ? ", " : "").append("0x").append(Long.toHexString(a[i]));
            return b.append(')').toString();
        }
        b.append(e.name()).append('(');
        String letters = e.args();
        for (int i = 0; i < letters.length() && i < 6; i++) {
            if (i > 0) b.append(", ");
            char c = letters.charAt(i);
            long v = a[i];
            switch (c) {
                case 'd' -> b.append((int) v);
                case 'u' -> b.append(Long.toUnsignedString(v));
                case 'x' -> b.append("0x").append(Long.toHexString(v));
                case 'o' -> b.append(v == 0 ? "0" : "0" + Long.toOctalString(v));
                case 'p' -> b.append(v == 0 ? "NULL" : "0x" + Long.toHexString(v));
                case 'f' -> b.append((int) v == AT_FDCWD ? "AT_FDCWD" : Integer.toString((int) v));
                case 's' -> b.append(string(mem, v, -1));
                case 'b' -> {
                    // a buffer whose length is the next argument (or the result, once it is known and smaller)
                    long n = i + 1 < 6 ? a[i + 1] : 0;
                    if (result >= 0 && result < n) n = result;
                    b.append(string(mem, v, n));
                }
                default -> b.append("0x").append(Long.toHexString(v));
            }
        }
        return b.append(')').toString();
    }

    /** {@code " = 3"} or {@code " = -1 ENOENT (No such file or directory)"}; pointers in hex for mmap-like calls. */
    public static String result(SyscallTable.Entry e, long r) {
        if (r < 0 && r >= -4095) {
            int errno = (int) -r;
            return " = -1 " + Errno.name(errno) + " (" + message(errno) + ")";
        }
        if (e != null && (e.name().equals("mmap") || e.name().equals("brk") || e.name().equals("mremap"))) {
            return " = 0x" + Long.toHexString(r);
        }
        return " = " + r;
    }

    private static String string(UserMemory mem, long va, long len) {
        if (va == 0) return "NULL";
        byte[] bytes;
        boolean more;
        try {
            if (len < 0) {
                String s = mem.readCString(va, 4096);
                bytes = s.getBytes(StandardCharsets.UTF_8);
            } else {
                bytes = mem.read(va, (int) Math.min(len, MAX_STRING));
            }
        } catch (LinuxError err) {
            return "0x" + Long.toHexString(va);
        }
        more = bytes.length > MAX_STRING || len > MAX_STRING;
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < Math.min(bytes.length, MAX_STRING); i++) {
            int c = bytes[i] & 0xFF;
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7F) b.append((char) c);
                    else b.append(String.format("\\%o", c));
                }
            }
        }
        b.append('"');
        if (more) b.append("...");
        return b.toString();
    }

    /** strerror() texts (glibc) for the errno values jvmx returns. */
    static String message(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "Operation not permitted";
            case Errno.ENOENT -> "No such file or directory";
            case Errno.ESRCH -> "No such process";
            case Errno.EINTR -> "Interrupted system call";
            case Errno.EIO -> "Input/output error";
            case Errno.ENXIO -> "No such device or address";
            case Errno.E2BIG -> "Argument list too long";
            case Errno.ENOEXEC -> "Exec format error";
            case Errno.EBADF -> "Bad file descriptor";
            case Errno.ECHILD -> "No child processes";
            case Errno.EAGAIN -> "Resource temporarily unavailable";
            case Errno.ENOMEM -> "Cannot allocate memory";
            case Errno.EACCES -> "Permission denied";
            case Errno.EFAULT -> "Bad address";
            case Errno.EBUSY -> "Device or resource busy";
            case Errno.EEXIST -> "File exists";
            case Errno.EXDEV -> "Invalid cross-device link";
            case Errno.ENODEV -> "No such device";
            case Errno.ENOTDIR -> "Not a directory";
            case Errno.EISDIR -> "Is a directory";
            case Errno.EINVAL -> "Invalid argument";
            case Errno.ENFILE -> "Too many open files in system";
            case Errno.EMFILE -> "Too many open files";
            case Errno.ENOTTY -> "Inappropriate ioctl for device";
            case Errno.EFBIG -> "File too large";
            case Errno.ENOSPC -> "No space left on device";
            case Errno.ESPIPE -> "Illegal seek";
            case Errno.EROFS -> "Read-only file system";
            case Errno.EMLINK -> "Too many links";
            case Errno.EPIPE -> "Broken pipe";
            case Errno.EDOM -> "Numerical argument out of domain";
            case Errno.ERANGE -> "Numerical result out of range";
            case Errno.EDEADLK -> "Resource deadlock avoided";
            case Errno.ENAMETOOLONG -> "File name too long";
            case Errno.ENOLCK -> "No locks available";
            case Errno.ENOSYS -> "Function not implemented";
            case Errno.ENOTEMPTY -> "Directory not empty";
            case Errno.ELOOP -> "Too many levels of symbolic links";
            case Errno.ENODATA -> "No data available";
            case Errno.EOVERFLOW -> "Value too large for defined data type";
            case Errno.ENOTSOCK -> "Socket operation on non-socket";
            case Errno.EOPNOTSUPP -> "Operation not supported";
            case Errno.EAFNOSUPPORT -> "Address family not supported by protocol";
            case Errno.ETIMEDOUT -> "Connection timed out";
            default -> "Unknown error " + errno;
        };
    }
}
