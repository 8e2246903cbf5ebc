package org.jvmx.linux;

/**
 * An open file whose contents {@code mmap} can copy into memory (the file group gives it to the
 * memory group). Pages are copied on first touch, so a mapping keeps using this object after its
 * fd is closed (ld.so closes a library's fd right after mapping it): it must stay readable.
 */
public interface MappableFile {
    /** Current size in bytes. */
    long size();

    /** Reads up to {@code len} bytes at {@code position}; returns the count, 0 at end of file. */
    int read(long position, byte[] dst, int off, int len);

    /** Whether the file was opened for writing (MAP_SHARED with PROT_WRITE needs it). */
    boolean writable();

    /** Writes {@code len} bytes at {@code position} (write-back of a MAP_SHARED mapping). */
    void write(long position, byte[] src, int off, int len);

    /**
     * The file (not the open file description) this was made from: equal for every open of one
     * host inode, so that MAP_SHARED mappings made through different fds share their pages.
     */
    default Object identity() {
        return this;
    }
}
