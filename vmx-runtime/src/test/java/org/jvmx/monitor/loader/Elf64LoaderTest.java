package org.jvmx.monitor.loader;

import static org.jvmx.monitor.loader.BootImages.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;

/** ELF64 kernels entered directly in 64-bit mode. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Elf64LoaderTest {
    static final long RAM = 8 << 20;

    /** mov rax, 0x1234; mov rbx, rsp; push rax; mov ecx, 0x10; mov ds, ecx; mov ss, ecx; hlt */
    static final byte[] CODE = {0x48, (byte) 0xc7, (byte) 0xc0, 0x34, 0x12, 0, 0, 0x48, (byte) 0x89, (byte) 0xe3, 0x50,
            (byte) 0xb9, 0x10, 0, 0, 0, (byte) 0x8e, (byte) 0xd9, (byte) 0x8e, (byte) 0xd1, (byte) 0xf4};

    @Test
    void loadsSegmentsBuildsTablesAndRuns() throws Exception {
        try (Vm vm = Vm.create()) {
            vm.addRam(0, RAM);
            byte[] data = pattern(0x40, 3);
            LoadedKernel k = Elf64Loader.load(vm, RAM, "kernel64.elf", elf64(0x100000, -1,
                    Seg.load(0x100000, CODE, CODE.length), Seg.load(0x200000, data, 0x1000)));
            assertEquals(LoadedKernel.Kind.ELF64_LONG_MODE, k.kind());
            assertEquals(-1, k.infoAddress());
            BootState s = k.state();
            assertTrue(s.longMode());
            assertEquals(0x100000, s.rip());
            assertEquals(0xA09B, s.field(VmcsFields.GUEST_CS_ACCESS_RIGHTS));
            assertEquals(0x80000031L, s.field(VmcsFields.GUEST_CR0));
            assertEquals(0x20, s.field(VmcsFields.GUEST_CR4));
            assertEquals(0x500, s.field(VmcsFields.GUEST_IA32_EFER));
            long cr3 = s.field(VmcsFields.GUEST_CR3);
            assertEquals(k.placement("page tables").start(), cr3);
            GuestLayout.Placement stack = k.placement("boot stack");
            assertEquals(stack.end(), s.rsp());
            assertEquals(Elf64Loader.STACK_SIZE, stack.size());
            assertArrayEquals(data, vm.read(0x200000, data.length));
            assertArrayEquals(new byte[0x1000 - 0x40], vm.read(0x200040, 0x1000 - 0x40));
            // 64-bit GDT: code with L, 16-byte TSS descriptor
            long gdt = s.field(VmcsFields.GUEST_GDTR_BASE);
            assertEquals(0x00AF9B000000FFFFL, vm.readValue(gdt + 8, 8));
            assertEquals(39, s.field(VmcsFields.GUEST_GDTR_LIMIT));

            Vcpu cpu = vm.createVcpu();
            s.writeTo(cpu);
            VmExit exit = cpu.run();
            assertEquals(ExitReason.HLT, exit.reason(), exit.toString());
            assertEquals(0x1234, cpu.reg(Reg.RAX));
            assertEquals(s.rsp(), cpu.reg(Reg.RBX));
            assertEquals(0x1234, vm.readValue(s.rsp() - 8, 8));
            assertEquals(0x10, cpu.vmread(VmcsFields.GUEST_SS_SELECTOR));
        }
    }

    @Test
    void largeRamNeedsMoreTableRoom() throws Exception {
        try (Vm vm = Vm.create()) {
            // the loader only writes low memory here: 8 MiB backs it, the layout believes in 3 GiB
            long ram = 3L << 30;
            vm.addRam(0, RAM);
            LoadedKernel k = Elf64Loader.load(vm, ram, "k", elf64(0x100000, -1, Seg.load(0x100000, CODE, CODE.length)));
            assertEquals((2 + 3) * 0x1000, k.placement("page tables").size());
            // the last 2 MiB page of the third GiB maps to itself
            long pml4 = k.state().field(VmcsFields.GUEST_CR3);
            long pdpt = vm.readValue(pml4, 8) & ~0xFFFL;
            long pd2 = vm.readValue(pdpt + 16, 8) & ~0xFFFL;
            assertEquals((ram - (2 << 20)) | 0x87, vm.readValue(pd2 + 511 * 8, 8));
            assertEquals(ram - PcMemoryMap.EXTENDED_START, PcMemoryMap.entries(ram).get(2).length());
        }
    }

    @Test
    void errors() {
        try (Vm vm = Vm.create()) {
            vm.addRam(0, RAM);
            assertError(vm, elf64(0x100000, -1, Seg.load(0x100000, CODE, 0x2000), Seg.load(0x101000, CODE, 0x100)),
                    "kernel64.elf: program header 1 at offset 0x78: [0x101000, 0x101100) overlaps program header 0 [0x100000, 0x102000)");
            assertError(vm, elf64(0x300000, -1, Seg.load(0x100000, CODE, 0x100)),
                    "kernel64.elf: entry point 0x300000 is outside every loaded segment");
            assertError(vm, elf64(0x1000000, -1, Seg.load(0x1000000, CODE, 0x100)),
                    "kernel64.elf: program header 0 at offset 0x40: [0x1000000, 0x1000100) does not fit in guest RAM (0x800000 bytes; raise --mem)");
            byte[] dyn = elf64(0x100000, -1, Seg.load(0x100000, CODE, 0x100));
            dyn[0x10] = ElfFile.ET_DYN;
            assertError(vm, dyn, "kernel64.elf: offset 0x10: not an executable (e_type 3, expected 2 ET_EXEC)");
            byte[] i386 = elf64(0x100000, -1, Seg.load(0x100000, CODE, 0x100));
            i386[0x12] = ElfFile.EM_386;
            assertError(vm, i386, "not an x86-64 ELF file");
            byte[] cut = elf64(0x100000, -1, Seg.load(0x100000, CODE, 0x100));
            assertError(vm, java.util.Arrays.copyOf(cut, 0x1008), "extend past the end of the file (0x1008 bytes)");
            assertError(vm, java.util.Arrays.copyOf(cut, 0x30), "kernel64.elf: truncated ELF header: file is 48 bytes");
            assertError(vm, elf32(0x100000, -1, Seg.load(0x100000, CODE, 0x100)), "32-bit ELF (ELFCLASS32) is not supported");
        }
    }

    static void assertError(Vm vm, byte[] image, String expected) {
        LoaderException e = assertThrows(LoaderException.class, () -> Elf64Loader.load(vm, RAM, "kernel64.elf", image));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void kernelLoaderDispatch() throws Exception {
        try (Vm vm = Vm.create()) {
            vm.addRam(0, RAM);
            byte[] plain64 = elf64(0x100000, -1, Seg.load(0x100000, CODE, CODE.length));
            assertEquals(LoadedKernel.Kind.ELF64_LONG_MODE, KernelLoader.load(vm, RAM, "a", plain64, null, List.of()).kind());
            byte[] mb64 = elf64(0x100000, 0, Seg.load(0x100000, CODE, CODE.length));
            assertEquals(LoadedKernel.Kind.MULTIBOOT_ELF, KernelLoader.load(vm, RAM, "b", mb64, null, List.of()).kind());
            byte[] mb32 = elf32(0x100000, 0, Seg.load(0x100000, CODE, CODE.length));
            assertEquals(LoadedKernel.Kind.MULTIBOOT_ELF, KernelLoader.load(vm, RAM, "c", mb32, null, List.of()).kind());
            byte[] aout = aout(0x1000, 0, 0, 0x100000, 0x100000, 0, 0, 0x100000);
            assertEquals(LoadedKernel.Kind.MULTIBOOT_AOUT, KernelLoader.load(vm, RAM, "d", aout, "x", List.of()).kind());
            LoaderException e = assertThrows(LoaderException.class,
                    () -> KernelLoader.load(vm, RAM, "e.bin", new byte[100], null, List.of()));
            assertEquals("e.bin: not a bootable kernel: no Multiboot header (magic 0x1badb002) in the first 8192 bytes "
                    + "and not an ELF64 file", e.getMessage());
            byte[] badSum = aout.clone();
            badSum[8]++;
            assertThrows(LoaderException.class, () -> KernelLoader.load(vm, RAM, "f", badSum, null, List.of()),
                    "bad checksum");
            LoaderException m = assertThrows(LoaderException.class, () -> KernelLoader.load(vm, RAM, "g", plain64, null,
                    List.of(new BootModule("m", new byte[1], "m"))));
            assertTrue(m.getMessage().contains("modules need a Multiboot kernel"));
            LoaderException cls32 = assertThrows(LoaderException.class, () -> KernelLoader.load(vm, RAM, "h",
                    elf32(0x100000, -1, Seg.load(0x100000, CODE, CODE.length)), null, List.of()));
            assertTrue(cls32.getMessage().startsWith("h: not a bootable kernel"), cls32.getMessage());
        }
    }
}
