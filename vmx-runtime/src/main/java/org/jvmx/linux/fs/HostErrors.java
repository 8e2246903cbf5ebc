package org.jvmx.linux.fs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/**
 * Host I/O failures as the errno Linux would have returned. The JDK keeps the host's errno
 * only as the strerror text of {@link FileSystemException#getReason()}, so that text is mapped back.
 */
public final class HostErrors {
    private HostErrors() {
    }

    private static final String[][] REASONS = {
        {"No such file or directory", "2"}, {"Permission denied", "13"}, {"File exists", "17"},
        {"Not a directory", "20"}, {"Is a directory", "21"}, {"Invalid argument", "22"},
        {"Directory not empty", "39"}, {"Too many levels of symbolic links", "40"},
        {"Operation not permitted", "1"}, {"Invalid cross-device link", "18"}, {"Read-only file system", "30"},
        {"No space left on device", "28"}, {"File name too long", "36"}, {"Device or resource busy", "16"},
        {"Text file busy", "26"}, {"Too many links", "31"}, {"Bad file descriptor", "9"},
        {"Broken pipe", "32"}, {"File too large", "27"}, {"No such device", "19"},
        {"Operation not supported", "95"}, {"No such device or address", "6"}, {"Interrupted system call", "4"},
        {"Input/output error", "5"}, {"Disk quota exceeded", "122"}, {"Stale file handle", "116"}, {"No data available", "61"}, {"Resource temporarily unavailable", "11"},
    };

    /** The errno for a host failure (EIO when the host gave no recognisable reason). */
    public static int errno(IOException e) {
        if (e instanceof NoSuchFileException) return Errno.ENOENT;
        if (e instanceof FileAlreadyExistsException) return Errno.EEXIST;
        if (e instanceof DirectoryNotEmptyException) return Errno.ENOTEMPTY;
        if (e instanceof AccessDeniedException) return Errno.EACCES;
        if (e instanceof NotDirectoryException) return Errno.ENOTDIR;
        if (e instanceof FileSystemLoopException) return Errno.ELOOP;
        if (e instanceof NotLinkException) return Errno.EINVAL;
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (reason != null) {
            for (String[] r : REASONS) if (reason.contains(r[0])) return Integer.parseInt(r[1]);
        }
        return Errno.EIO;
    }

    /** {@code e} as the guest sees it. */
    public static LinuxError of(IOException e) {
        return new LinuxError(errno(e), e.getMessage());
    }
}
