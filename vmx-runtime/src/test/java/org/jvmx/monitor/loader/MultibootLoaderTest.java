package org.jvmx.monitor.loader;

import static org.jvmx.monitor.loader.BootImages.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.vmcs.VmcsFields;

/** Multiboot v1 loading of synthetic images: a.out kludge, ELF32, modules, the information structure. */
class MultibootLoaderTest {
    static final long RAM = 16 << 20;
    static final byte GARBAGE = (byte) 0xAA;
    Vm vm;

    @BeforeEach
    void ram() {
        vm = Vm.create();
        vm.addRam(0, RAM);
        byte[] junk = new byte[0x40000];
        Arrays.fill(junk, GARBAGE);
        vm.write(0x100000, junk); // the loader must zero BSS itself
    }

    @AfterEach
    void close() {
        vm.close();
    }

    LoadedKernel load(byte[] image) throws LoaderException {
        return MultibootLoader.load(vm, RAM, "kernel.bin", image, "kernel.bin root=/dev/ram0", List.of());
    }

    void assertBytes(long gpa, byte[] expected) {
        assertArrayEquals(expected, vm.read(gpa, expected.length), "bytes at 0x" + Long.toHexString(gpa));
    }

    void assertZero(long gpa, int length) {
        assertArrayEquals(new byte[length], vm.read(gpa, length), "zeroes at 0x" + Long.toHexString(gpa));
    }

    long u32(long gpa) {
        return vm.readValue(gpa, 4);
    }

    String cString(long gpa) {
        StringBuilder s = new StringBuilder();
        for (long a = gpa; ; a++) {
            int c = (int) vm.readValue(a, 1);
            if (c == 0) return s.toString();
            s.append((char) c);
        }
    }

    // ---- a.out kludge

    @Test
    void aoutKludgeLoadsFromFileStartWithBss() throws Exception {
        // header at file offset 0x20 describes itself at 0x100020: the load range starts at file offset 0
        byte[] img = aout(0x3000, 0x20, 0, 0x100020, 0x100000, 0, 0x105000, 0x100040);
        LoadedKernel k = load(img);
        assertEquals(LoadedKernel.Kind.MULTIBOOT_AOUT, k.kind());
        assertBytes(0x100000, img);
        assertZero(0x103000, 0x2000);
        assertEquals(GARBAGE, vm.read(0x105000, 1)[0], "nothing past bss_end_addr is touched");
        assertEquals(0x100040, k.state().rip());
        assertEquals(new GuestLayout.Placement(0x100000, 0x105000, "kernel image"), k.placement("kernel image"));
    }

    @Test
    void aoutKludgeFileOffsetFromHeaderAddr() throws Exception {
        // header at file offset 0x1010, 0x10 bytes into the load range: the range starts at file offset 0x1000
        byte[] img = aout(0x2800, 0x1010, 0, 0x200010, 0x200000, 0x201000, 0, 0x200100);
        LoadedKernel k = load(img);
        assertBytes(0x200000, Arrays.copyOfRange(img, 0x1000, 0x2000));
        assertEquals(0, vm.readValue(0x201000, 8), "load_end_addr bounds the copy; no BSS");
        assertEquals(0x200100, k.state().rip());
    }

    @Test
    void aoutKludgeErrors() {
        // load range runs past the end of the file
        assertLoadError(aout(0x1000, 0, 0, 0x100000, 0x100000, 0x102000, 0, 0x100000),
                "kernel.bin: truncated: the a.out kludge loads file bytes [0x0, 0x2000) but the file has 0x1000 bytes");
        assertLoadError(aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000 - 1),
                "kernel.bin: Multiboot header at offset 0x0: entry_addr 0xfffff is outside the loaded image [0x100000, 0x101000)");
        assertLoadError(aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0x102000, 0x102000), "entry_addr 0x102000 is outside");
        assertLoadError(aout(0x1000, 0, 0, 0x100000, 0x100100, 0, 0, 0x100100), "load_addr 0x100100 is above header_addr 0x100000");
        assertLoadError(aout(0x1000, 0x10, 0, 0x100100, 0x100000, 0, 0, 0x100100),
                "puts the start of the load range before the start of the file");
        assertLoadError(aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0x100800, 0x100000),
                "bss_end_addr 0x100800 is below load_end_addr 0x101000");
        assertLoadError(aout(0x1000, 0, 0, 0xFFF000, 0xFFF000, 0, 0x1001000, 0xFFF000),
                "kernel.bin: kernel image [0xfff000, 0x1001000): [0xfff000, 0x1001000) does not fit in guest RAM (0x1000000 bytes; raise --mem)");
    }

    @Test
    void imageMustLandInRam() throws Exception {
        try (Vm pc = Vm.create()) {
            // conventional RAM, the VGA window as a device, RAM again from 0xC0000 (ROM shadow) on
            pc.addRam(0, 0xA0000);
            pc.addMmio(0xA0000, 0x20000, new org.jvmx.translator.mem.MmioHandler() {
                public long read(long offset, int size) { return 0; }
                public void write(long offset, int size, long value) { }
            });
            pc.addRam(0xC0000, RAM - 0xC0000);
            LoaderException e = assertThrows(LoaderException.class, () -> MultibootLoader.load(pc, RAM, "vga.bin",
                    aout(0x1000, 0, 0, 0xB8000, 0xB8000, 0, 0, 0xB8000), null, List.of()));
            assertEquals("vga.bin: kernel image [0xb8000, 0xb9000): [0xb8000, 0xb9000) is not RAM of this guest (it overlaps "
                    + "the reserved PC hole [0x9fc00, 0x100000), where device and ROM regions live)", e.getMessage());
            // RAM-backed parts of the hole take an image (linkers put the ELF headers there)
            byte[] img = aout(0x1000, 0, 0, 0xFF000, 0xFF000, 0, 0x100800, 0xFF000);
            LoadedKernel k = MultibootLoader.load(pc, RAM, "low.bin", img, null, List.of());
            assertArrayEquals(img, pc.read(0xFF000, img.length));
            assertTrue(k.infoAddress() < 0x9F000);
        }
    }

    // ---- header search

    @Test
    void headerSearchRules() {
        byte[] good = aout(0x4000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000);
        // beyond the first 8192 bytes: not found
        byte[] far = aout(0x4000, 8192, 0, 0x100000, 0x100000 - 8192, 0, 0, 0x100000);
        assertLoadError(far, "kernel.bin: no Multiboot header (magic 0x1badb002) in the first 8192 bytes");
        // not 32-bit aligned: not found
        byte[] odd = new byte[0x2000];
        System.arraycopy(good, 0, odd, 2, 32);
        assertLoadError(odd, "no Multiboot header");
        // the header must fit in the first 8192 bytes: flag 16 needs 32 bytes
        assertLoadError(aout(0x4000, 8192 - 16, 0, 0x100000, 0x100000 - 8192 + 16, 0, 0, 0x100000),
                "Multiboot header at offset 0x1ff0 is truncated: flags 0x10000 need 32 bytes, but the 8192-byte search area ends after 16");
        assertLoadError(Arrays.copyOf(multibootHeader(MultibootHeader.AOUT_KLUDGE), 20), "is truncated");
        assertLoadError(new byte[0], "no Multiboot header");
    }

    @Test
    void checksumAndRequiredFlags() {
        byte[] bad = aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000);
        bad[8] ^= 1;
        assertLoadError(bad, "kernel.bin: Multiboot header at offset 0x0: bad checksum (magic + flags + checksum = 0x1, must be 0)");
        assertLoadError(aout(0x1000, 0, 1 << 3, 0x100000, 0x100000, 0, 0, 0x100000),
                "kernel.bin: Multiboot header at offset 0x0: unsupported required flag 3 (flags 0x10008)");
        assertLoadError(aout(0x1000, 0, 1 << 15 | 1 << 4, 0x100000, 0x100000, 0, 0, 0x100000),
                "unsupported required flags 4, 15");
        // a later valid header is found after an earlier one with a bad checksum
        byte[] two = aout(0x1000, 0x40, 0, 0x100040, 0x100000, 0, 0, 0x100000);
        System.arraycopy(multibootHeader(0), 0, two, 0, 12);
        two[8] ^= 1;
        assertDoesNotThrow(() -> load(two));
    }

    @Test
    void optionalAndIgnoredFlags() throws Exception {
        // bits 0-2 requested, bit 17 (undefined optional) ignored; video fields present and ignored
        byte[] img = pattern(0x1000, 1);
        byte[] h = multibootHeader(MultibootHeader.AOUT_KLUDGE | 7 | 1 << 17, 0x100000, 0x100000, 0, 0, 0x100000, 1, 80, 25, 0);
        System.arraycopy(h, 0, img, 0, h.length);
        LoadedKernel k = load(img);
        long flags = u32(k.infoAddress());
        assertEquals(0, flags & (1 << 11 | 1 << 12), "no VBE or framebuffer information");
        assertEquals(MultibootInfo.INFO_MEMORY, flags & MultibootInfo.INFO_MEMORY);
    }

    // ---- ELF32

    @Test
    void elf32SegmentsAtPhysicalAddressesWithBss() throws Exception {
        byte[] text = pattern(0x1234, 5), data = pattern(0x100, 9);
        byte[] img = elf32(0xC0100010L, 0,
                new Seg(ElfSegment.PT_LOAD, 0xC0100000L, 0x100000, text, 0x1234),
                new Seg(ElfSegment.PT_NOTE, 0, 0, new byte[8], 8),
                new Seg(ElfSegment.PT_LOAD, 0xC0102000L, 0x102000, data, 0x3000));
        LoadedKernel k = load(img);
        assertEquals(LoadedKernel.Kind.MULTIBOOT_ELF, k.kind());
        assertBytes(0x100000, text);
        assertEquals(GARBAGE, vm.read(0x101234, 1)[0], "the gap between segments is not written");
        assertBytes(0x102000, data);
        assertZero(0x102100, 0x2F00);
        assertEquals(GARBAGE, vm.read(0x105000, 1)[0]);
        assertEquals(0x100010, k.state().rip(), "entry translated from p_vaddr to p_paddr");
        assertEquals(List.of("program header 0", "program header 2", "boot GDT", "Multiboot information"),
                k.placements().stream().map(GuestLayout.Placement::what).toList());
    }

    @Test
    void elf64MultibootImageLoadsLikeElf32() throws Exception {
        byte[] text = pattern(0x800, 2);
        LoadedKernel k = load(elf64(0x100000, 0, Seg.load(0x100000, text, 0x1000)));
        assertEquals(LoadedKernel.Kind.MULTIBOOT_ELF, k.kind());
        assertFalse(k.state().longMode());
        assertBytes(0x100000, text);
        assertZero(0x100800, 0x800);
    }

    @Test
    void elf32Errors() {
        byte[] text = pattern(0x100, 1);
        assertLoadError(elf32(0x100000, 0, Seg.load(0x100000, text, 0x2000), Seg.load(0x101000, text, 0x100)),
                "kernel.bin: program header 1 at offset 0x54: [0x101000, 0x101100) overlaps program header 0 [0x100000, 0x102000)");
        assertLoadError(elf32(0x200000, 0, Seg.load(0x100000, text, 0x100)),
                "kernel.bin: entry point 0x200000 is outside every loaded segment");
        assertLoadError(elf32(0x100100, 0, Seg.load(0x100000, text, 0x100)), "entry point 0x100100 is outside");
        assertLoadError(elf32(0x2000000, 0, Seg.load(0x2000000, text, 0x100)),
                "kernel.bin: program header 0 at offset 0x34: [0x2000000, 0x2000100) does not fit in guest RAM (0x1000000 bytes; raise --mem)");
        byte[] trunc = elf32(0x100000, 0, Seg.load(0x100000, pattern(0x2000, 1), 0x2000));
        assertLoadError(Arrays.copyOf(trunc, 0x2000),
                "kernel.bin: offset 0x34: program header 0: file bytes [0x1000, 0x3000) extend past the end of the file (0x2000 bytes)");
        assertLoadError(Arrays.copyOf(trunc, 0x110), "file bytes [0x1000, 0x3000) extend past the end of the file (0x110 bytes)");
        byte[] dyn = elf32(0x100000, 0, Seg.load(0x100000, text, 0x100));
        dyn[0x10] = ElfFile.ET_DYN;
        assertLoadError(dyn, "kernel.bin: offset 0x10: not an executable (e_type 3, expected 2 ET_EXEC)");
        byte[] arm = elf32(0x100000, 0, Seg.load(0x100000, text, 0x100));
        arm[0x12] = 40;
        assertLoadError(arm, "not an i386 ELF file (e_machine 40, expected 3 EM_386)");
        byte[] phdrs = elf32(0x100000, 0, Seg.load(0x100000, text, 0x100));
        ByteBuffer.wrap(phdrs).order(ByteOrder.LITTLE_ENDIAN).putShort(0x2c, (short) 200);
        assertLoadError(phdrs, "program header table (200 entries of 32 bytes at 0x34) extends past the end of the file");
        byte[] fileGtMem = elf32(0x100000, 0, Seg.load(0x100000, text, 0x80));
        assertLoadError(fileGtMem, "p_filesz 0x100 is larger than p_memsz 0x80");
        // neither a.out kludge nor ELF
        byte[] flat = new byte[0x1000];
        System.arraycopy(multibootHeader(0), 0, flat, 0, 12);
        assertLoadError(flat, "kernel.bin: not an ELF file (no \\x7fELF magic at offset 0)");
    }

    @Test
    void refusedImageLeavesGuestUntouched() {
        byte[] text = pattern(0x100, 1);
        assertLoadError(elf32(0x300000, 0, Seg.load(0x100000, text, 0x100)), "outside every loaded segment");
        assertEquals(GARBAGE, vm.read(0x100000, 1)[0]);
    }

    // ---- information structure, modules, GDT, state

    @Test
    void informationStructure() throws Exception {
        byte[] text = pattern(0x1800, 4);
        BootModule initrd = new BootModule("initrd.img", pattern(0x2345, 6), "initrd.img");
        BootModule second = new BootModule("extra", pattern(0x10, 8), "extra arg=1");
        LoadedKernel k = MultibootLoader.load(vm, RAM, "kernel.bin", elf32(0x100000, 1, Seg.load(0x100000, text, 0x3000)),
                "kernel.bin console=ttyS0", List.of(initrd, second));
        long info = k.infoAddress();
        assertEquals(0, info & 0xfff, "page-aligned");
        assertTrue(info >= GuestLayout.LOW_BASE && info < PcMemoryMap.CONVENTIONAL_END, "in conventional memory: " + info);
        long flags = u32(info);
        assertEquals(MultibootInfo.INFO_MEMORY | MultibootInfo.INFO_CMDLINE | MultibootInfo.INFO_MODS
                | MultibootInfo.INFO_MEM_MAP | MultibootInfo.INFO_BOOT_LOADER_NAME, flags);
        assertEquals(639, u32(info + 4));
        assertEquals((RAM - 0x100000) / 1024, u32(info + 8));
        assertEquals("kernel.bin console=ttyS0", cString(u32(info + 16)));
        assertEquals("jvmx", cString(u32(info + 64)));
        // modules: page aligned after the kernel's BSS, in order
        assertEquals(2, u32(info + 20));
        long mods = u32(info + 24);
        assertEquals(0x103000, u32(mods));
        assertEquals(0x103000 + 0x2345, u32(mods + 4));
        assertEquals("initrd.img", cString(u32(mods + 8)));
        assertEquals(0, u32(mods + 12));
        assertEquals(0x106000, u32(mods + 16));
        assertEquals(0x106010, u32(mods + 20));
        assertEquals("extra arg=1", cString(u32(mods + 24)));
        assertBytes(0x103000, initrd.data());
        assertBytes(0x106000, second.data());
        // memory map
        assertEquals(3 * 24, u32(info + 44));
        long mm = u32(info + 48);
        long[][] expect = {{0, 0x9FC00, 1}, {0x9FC00, 0x60400, 2}, {0x100000, RAM - 0x100000, 1}};
        for (int i = 0; i < 3; i++) {
            long e = mm + 24L * i;
            assertEquals(20, u32(e), "size field");
            assertEquals(expect[i][0], vm.readValue(e + 4, 8));
            assertEquals(expect[i][1], vm.readValue(e + 12, 8));
            assertEquals(expect[i][2], u32(e + 20));
        }
    }

    @Test
    void noCommandLineNoModules() throws Exception {
        LoadedKernel k = MultibootLoader.load(vm, RAM, "k", aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000), null,
                List.of());
        long info = k.infoAddress();
        assertEquals(0, u32(info) & MultibootInfo.INFO_CMDLINE);
        assertEquals(0, u32(info + 20));
        assertEquals(0, u32(info + 24));
    }

    @Test
    void moduleErrors() {
        byte[] img = aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000);
        BootModule big = new BootModule("big.img", new byte[(int) RAM], "big.img");
        LoaderException e = assertThrows(LoaderException.class,
                () -> MultibootLoader.load(vm, RAM, "kernel.bin", img, null, List.of(big)));
        assertEquals("big.img: module 0: [0x101000, 0x1101000) does not fit in guest RAM (0x1000000 bytes; raise --mem)",
                e.getMessage());
    }

    @Test
    void lowKernelPushesBootDataAside() throws Exception {
        // a kernel in conventional memory where the boot data would go: it is placed around it
        byte[] text = pattern(0x100, 1);
        LoadedKernel k = load(elf32(0x8000, 0, Seg.load(0x8000, text, 0x2000)));
        GuestLayout.Placement gdt = k.placement("boot GDT"), info = k.placement("Multiboot information");
        assertEquals(0xA000, gdt.start());
        assertEquals(0xB000, info.start());
        assertBytes(0x8000, text);
        // conventional memory full: the boot data goes to extended memory
        LoadedKernel k2 = load(elf32(0x8000, 0, Seg.load(0x8000, text, 0x97000)));
        assertTrue(k2.placement("boot GDT").start() >= 0x100000, k2.placements().toString());
        // a module after a kernel in conventional memory skips the reserved hole
        LoadedKernel k3 = MultibootLoader.load(vm, RAM, "kernel.bin", elf32(0x8000, 0, Seg.load(0x8000, text, 0x90000)), null,
                List.of(new BootModule("m", new byte[0x10000], "m")));
        assertEquals(0x100000, k3.placement("module 0").start());
    }

    @Test
    void machineState() throws Exception {
        LoadedKernel k = load(aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100010));
        BootState s = k.state();
        assertFalse(s.longMode());
        assertEquals(0x2BADB002L, s.register(Reg.RAX));
        assertEquals(k.infoAddress(), s.register(Reg.RBX));
        assertEquals(0x100010, s.field(VmcsFields.GUEST_RIP));
        assertEquals(0x11, s.field(VmcsFields.GUEST_CR0), "PE and ET; paging off");
        assertEquals(0, s.field(VmcsFields.GUEST_CR4));
        assertEquals(0, s.field(VmcsFields.GUEST_IA32_EFER));
        assertEquals(2, s.field(VmcsFields.GUEST_RFLAGS));
        assertEquals(0x08, s.field(VmcsFields.GUEST_CS_SELECTOR));
        assertEquals(0xC09B, s.field(VmcsFields.GUEST_CS_ACCESS_RIGHTS));
        assertEquals(0xFFFFFFFFL, s.field(VmcsFields.GUEST_CS_LIMIT));
        assertEquals(0, s.field(VmcsFields.GUEST_CS_BASE));
        for (var f : List.of(VmcsFields.GUEST_DS_ACCESS_RIGHTS, VmcsFields.GUEST_SS_ACCESS_RIGHTS, VmcsFields.GUEST_ES_ACCESS_RIGHTS,
                VmcsFields.GUEST_FS_ACCESS_RIGHTS, VmcsFields.GUEST_GS_ACCESS_RIGHTS)) {
            assertEquals(0xC093, s.field(f), f.name());
        }
        assertEquals(0x10, s.field(VmcsFields.GUEST_SS_SELECTOR));
        // the GDT in guest memory backs the selectors
        long gdt = s.field(VmcsFields.GUEST_GDTR_BASE);
        assertEquals(gdt, k.placement("boot GDT").start());
        assertEquals(31, s.field(VmcsFields.GUEST_GDTR_LIMIT));
        assertEquals(0, vm.readValue(gdt, 8));
        assertEquals(0x00CF9B000000FFFFL, vm.readValue(gdt + 8, 8));
        assertEquals(0x00CF93000000FFFFL, vm.readValue(gdt + 16, 8));
        long tss = gdt + BootGdt.TSS_OFFSET;
        assertEquals(tss, s.field(VmcsFields.GUEST_TR_BASE));
        long tssDesc = vm.readValue(gdt + 24, 8);
        assertEquals(0x67, tssDesc & 0xFFFF);
        assertEquals(tss, (tssDesc >>> 16 & 0xFFFFFF) | (tssDesc >>> 56) << 24);
        assertEquals(0x8B, tssDesc >>> 40 & 0xFF);
    }

    void assertLoadError(byte[] image, String expected) {
        LoaderException e = assertThrows(LoaderException.class, () -> load(image));
        String m = e.getMessage();
        assertTrue(m.contains(expected), () -> "expected '" + expected + "' in: " + m);
        assertTrue(m.startsWith("kernel.bin: "), m);
        assertFalse(m.contains("\n"), m);
    }
}
