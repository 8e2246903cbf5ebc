package org.jvmx.linux;

/** How the memory group finds the file behind an fd for {@code mmap} (the file group implements it). */
public interface FileMapper {
    /** The open file {@code fd} as mmap sees it: EBADF if not open, EACCES if not readable, ENODEV if not mappable. */
    MappableFile mappable(int fd);
}
