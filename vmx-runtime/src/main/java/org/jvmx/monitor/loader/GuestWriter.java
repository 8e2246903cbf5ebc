package org.jvmx.monitor.loader;

import java.util.Arrays;
import java.util.List;
import org.jvmx.vm.Vm;

/** Copies image bytes into guest-physical memory and zeroes the rest of each segment (its BSS). */
final class GuestWriter {
    /** Zeroing goes in chunks so a large BSS does not need an equally large array. */
    private static final int ZERO_CHUNK = 1 << 20;

    private GuestWriter() {
    }

    /** Bytes to write once the whole image is checked: {@code fileSize} bytes of {@code src}, then zeros up to {@code memSize}. */
    record Chunk(long gpa, byte[] src, long srcOffset, long fileSize, long memSize) {
    }

    static void write(Vm vm, List<Chunk> chunks) {
        for (Chunk c : chunks) segment(vm, c.gpa(), c.src(), c.srcOffset(), c.fileSize(), c.memSize());
    }

    /**
     * Writes {@code fileSize} bytes of {@code src} from {@code srcOffset} at {@code gpa} and zeroes
     * {@code [gpa + fileSize, gpa + memSize)}. RAM starts zeroed, but a loader does not rely on it:
     * the VM may be reused after a reset.
     */
    static void segment(Vm vm, long gpa, byte[] src, long srcOffset, long fileSize, long memSize) {
        if (fileSize > 0) {
            byte[] bytes = srcOffset == 0 && fileSize == src.length ? src
                    : Arrays.copyOfRange(src, (int) srcOffset, (int) (srcOffset + fileSize));
            vm.write(gpa, bytes);
        }
        zero(vm, gpa + fileSize, memSize - fileSize);
    }

    static void zero(Vm vm, long gpa, long length) {
        byte[] zeros = new byte[(int) Math.min(Math.max(length, 0), ZERO_CHUNK)];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(length - done, zeros.length);
            vm.write(gpa + done, n == zeros.length ? zeros : new byte[n]);
            done += n;
        }
    }
}
