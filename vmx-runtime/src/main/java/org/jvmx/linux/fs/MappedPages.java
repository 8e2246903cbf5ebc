package org.jvmx.linux.fs;

/**
 * What the resident pages of MAP_SHARED file mappings must hear of the file's other I/O, so that
 * a mapping and read()/write() see one file as they do through Linux's page cache: the mapped
 * page is the newest copy of its bytes, a read() first takes the mapped bytes into the file and a
 * write() also lands in the mapped page. The memory group implements it; files are named by
 * {@link org.jvmx.linux.MappableFile#identity()}.
 */
public interface MappedPages {
    /** For memories without shared file mappings. */
    MappedPages NONE = new MappedPages() {
        @Override
        public boolean any() {
            return false;
        }

        @Override
        public void flush(Object file, long pos, long len) {
        }

        @Override
        public void written(Object file, long pos, byte[] src, int off, int len) {
        }

        @Override
        public void truncated(Object file, long size) {
        }
    };

    /** Whether any shared file page is resident (when not, file I/O skips the other calls). */
    boolean any();

    /** Before a read of [{@code pos}, {@code pos + len}): mapped pages of that range are written to the file. */
    void flush(Object file, long pos, long len);

    /** After {@code len} bytes were written to the file at {@code pos}: mapped pages of the range take them. */
    void written(Object file, long pos, byte[] src, int off, int len);

    /** After the file was truncated or extended to {@code size}: mapped bytes past it read as zero. */
    void truncated(Object file, long size);
}
