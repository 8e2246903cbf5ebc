package org.jvmx.translator.mem;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhysicalMemoryTest {

    @Test
    void ramIsLittleEndianAtEverySizeAndAlignment() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0x10000, 0x1000);
            m.write(0x10003, 8, 0x1122334455667788L);
            assertEquals(0x88, m.read(0x10003, 1));
            assertEquals(0x7788, m.read(0x10003, 2));
            assertEquals(0x55667788L, m.read(0x10003, 4));
            assertEquals(0x1122334455667788L, m.read(0x10003, 8));
            assertEquals(0x33445566L, m.read(0x10005, 4));
            m.write(0x10008, 4, 0xFFFF_FFFF_8000_0001L);
            assertEquals(0x8000_0001L, m.read(0x10008, 4), "4-byte reads zero-extend");
            assertEquals(0, m.unmappedReads());
        }
    }

    @Test
    void unmappedReadsAreAllOnesAndWritesAreDroppedAndCounted() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x1000);
            assertEquals(0xFFL, m.read(0x5000, 1));
            assertEquals(0xFFFFL, m.read(0x5000, 2));
            assertEquals(0xFFFF_FFFFL, m.read(0x5000, 4));
            assertEquals(-1L, m.read(0xFFFF_FFFF_FFFF_FFF8L, 8));
            assertEquals(4, m.unmappedReads());
            m.write(0x5000, 8, 0);
            assertEquals(1, m.unmappedWrites());
            assertEquals(-1L, m.read(0x5000, 8));
        }
    }

    @Test
    void accessStraddlingTheEndOfRamReadsOnesForTheMissingBytes() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x1000);
            m.write(0xFFE, 2, 0xBBAA);
            assertEquals(0xFFFF_BBAAL, m.read(0xFFE, 4));
            m.write(0xFFE, 4, 0x1234_5678);
            assertEquals(0x5678, m.read(0xFFE, 2), "the RAM half of a straddling write lands");
        }
    }

    @Test
    void mmioIsDispatchedWithOffsetSizeAndValue() {
        List<String> log = new ArrayList<>();
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x1000);
            m.addMmio(0xFEE0_0000L, 0x400, new MmioHandler() {
                @Override
                public long read(long offset, int size) {
                    log.add("r " + Long.toHexString(offset) + " " + size);
                    return 0xDEAD_BEEF_CAFE_F00DL;
                }

                @Override
                public void write(long offset, int size, long value) {
                    log.add("w " + Long.toHexString(offset) + " " + size + " " + Long.toHexString(value));
                }
            });
            assertEquals(0xCAFE_F00DL, m.read(0xFEE0_0030L, 4), "value masked to the access size");
            assertEquals(0xDEAD_BEEF_CAFE_F00DL, m.read(0xFEE0_0008L, 8));
            m.write(0xFEE0_00B0L, 2, 0x1234_5678);
            assertEquals(List.of("r 30 4", "r 8 8", "w b0 2 5678"), log);
            assertEquals(-1L, m.read(0xFEE0_0400L, 8), "one past the region is unmapped");
            assertEquals(0, m.read(0x10, 8), "RAM unaffected");
        }
    }

    @Test
    void regionsMustNotOverlapAndRamMustBePageAligned() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0x1000, 0x2000);
            assertThrows(IllegalArgumentException.class, () -> m.addRam(0x2000, 0x1000));
            assertThrows(IllegalArgumentException.class, () -> m.addMmio(0x2FFF, 1, null));
            assertThrows(IllegalArgumentException.class, () -> m.addRam(0x8000, 0x800));
            assertThrows(IllegalArgumentException.class, () -> m.addRam(0x8800, 0x1000));
            m.addMmio(0x3000, 0x10, null);
        }
    }

    @Test
    void ramBeyondTwoGibFromAMappedFile(@TempDir Path dir) throws IOException {
        long size = 3L << 30;
        try (Arena arena = Arena.ofConfined();
             FileChannel ch = FileChannel.open(dir.resolve("ram"), StandardOpenOption.CREATE,
                     StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
             PhysicalMemory m = new PhysicalMemory()) {
            MemorySegment ram = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            m.addRam(0x1_0000_0000L, ram);
            long pa = 0x1_0000_0000L + (5L << 29) + 0x10; // 2.5 GiB into the region
            m.write(pa, 8, 0x0123_4567_89AB_CDEFL);
            assertEquals(0x0123_4567_89AB_CDEFL, m.read(pa, 8));
            assertEquals(0x0123_4567_89AB_CDEFL, ram.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, (5L << 29) + 0x10));
            assertEquals(-1L, m.read(0x1_0000_0000L + size, 8));
        }
    }

    @Test
    void orLongSetsBitsAtomically() {
        try (PhysicalMemory m = new PhysicalMemory()) {
            m.addRam(0, 0x1000);
            m.write(0x18, 8, 0x8000_0000_0000_0001L);
            m.orLong(0x18, 0x60);
            assertEquals(0x8000_0000_0000_0061L, m.read(0x18, 8));
        }
    }
}
