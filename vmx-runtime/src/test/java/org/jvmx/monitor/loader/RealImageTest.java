package org.jvmx.monitor.loader;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;

/** Kernels assembled and linked with GNU as/ld at test time, loaded from files. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RealImageTest {
    static final long RAM = 32 << 20;

    /** A Multiboot kernel: header in .text (flags: page-align modules, memory info), stack in .bss. */
    static final String MULTIBOOT32 = """
            .intel_syntax noprefix
            .text
            .globl _start
            .align 4
            mb_header:
                .long 0x1BADB002
            AOUT
            _start:
                mov esp, offset stack_top
                mov [result], eax
                mov [result + 4], ebx
                mov eax, 0x10
                mov ds, eax
                hlt
            .data
            message: .asciz "hello from a multiboot kernel"
            .bss
            .align 16
            result: .skip 8
            stack: .skip 0x3000
            stack_top:
            """;

    /** A 64-bit kernel entered directly in long mode. */
    static final String LONG64 = """
            .intel_syntax noprefix
            .text
            .globl _start
            _start:
                lea rax, [rip + message]
                mov rbx, [rax]
                mov [rip + result], rbx
                push 0x77
                pop rcx
                hlt
            .data
            message: .ascii "jvmx64!!"
            .bss
            result: .skip 8
            """;

    static Path dir;

    @BeforeAll
    static void tools(@TempDir Path tmp) throws Exception {
        dir = tmp;
        String emulations = run("ld", "-V");
        Assumptions.assumeTrue(emulations.contains("elf_i386"), "ld lacks the elf_i386 emulation");
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + ": " + out);
        return out;
    }

    /** Assembles and links {@code source} with the given flags; returns the output file. */
    static Path build(String name, String source, String asFlag, String emulation, String... ldExtra) throws Exception {
        Files.writeString(dir.resolve(name + ".s"), source);
        run("as", asFlag, "-o", name + ".o", name + ".s");
        List<String> ld = new ArrayList<>(List.of("ld", "-m", emulation, "-Ttext", "0x100000", "-e", "_start",
                "--build-id=none", "-z", "max-page-size=0x1000", "-o", name));
        ld.addAll(List.of(ldExtra));
        ld.add(name + ".o");
        run(ld.toArray(String[]::new));
        return dir.resolve(name);
    }

    static long symbol(String file, String name) throws Exception {
        for (String line : run("nm", file).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].equals(name)) return Long.parseLong(f[0], 16);
        }
        throw new AssertionError("no symbol " + name + " in " + file);
    }

    static String cString(Vm vm, long gpa) {
        StringBuilder s = new StringBuilder();
        for (long a = gpa; vm.readValue(a, 1) != 0; a++) s.append((char) vm.readValue(a, 1));
        return s.toString();
    }

    @Test
    void multibootElf32FromGnuLd() throws Exception {
        // the ELF flavour: header flags without the a.out kludge
        String src = MULTIBOOT32.replace("AOUT", """
                    .long 0x00000003
                    .long -(0x1BADB002 + 0x00000003)
                """);
        Path kernel = build("mb32.elf", src, "--32", "elf_i386");
        Path module = dir.resolve("initrd.img");
        Files.write(module, BootImages.pattern(5000, 9));
        try (Vm vm = Vm.create()) {
            vm.addRam(0, RAM);
            LoadedKernel k = KernelLoader.load(vm, RAM, kernel, "mb32.elf quiet", List.of(module + " ro"));
            assertEquals(LoadedKernel.Kind.MULTIBOOT_ELF, k.kind());
            assertEquals(symbol("mb32.elf", "_start"), k.state().rip());
            Elf32File f = Elf32File.parse("mb32.elf", Files.readAllBytes(kernel));
            for (ElfSegment p : f.segments()) {
                if (!p.isLoad()) continue;
                assertArrayEquals(f.contents(p), vm.read(p.paddr(), (int) p.filesz()));
                assertArrayEquals(new byte[(int) (p.memsz() - p.filesz())], vm.read(p.paddr() + p.filesz(), (int) (p.memsz() - p.filesz())));
            }
            long message = symbol("mb32.elf", "message");
            assertEquals("hello from a multiboot kernel", new String(vm.read(message, 29)));
            long info = k.infoAddress();
            assertEquals(k.state().register(Reg.RBX), info);
            long mods = vm.readValue(info + 24, 4);
            long modStart = vm.readValue(mods, 4);
            assertEquals(0, modStart & 0xfff);
            assertTrue(modStart >= symbol("mb32.elf", "stack_top"));
            assertArrayEquals(Files.readAllBytes(module), vm.read(modStart, 5000));
            assertEquals(5000, vm.readValue(mods + 4, 4) - modStart);
            assertEquals(module + " ro", cString(vm, vm.readValue(mods + 8, 4)));
            assertEquals("mb32.elf quiet", cString(vm, vm.readValue(info + 16, 4)));
        }
    }

    @Test
    void multibootAoutKludgeFlatBinary() throws Exception {
        String src = MULTIBOOT32.replace("AOUT", """
                    .long 0x00010003
                    .long -(0x1BADB002 + 0x00010003)
                    .long mb_header          # header_addr
                    .long image_start        # load_addr
                    .long data_end           # load_end_addr
                    .long bss_end            # bss_end_addr
                    .long _start             # entry_addr
                """).replace(".text\n", ".text\nimage_start:\n").replace(".bss\n", "data_end:\n.bss\n")
                .replace("stack_top:\n", "stack_top:\nbss_end:\n");
        Path elf = build("mbaout.elf", src, "--32", "elf_i386");
        Path flat = build("mbaout.bin", src, "--32", "elf_i386", "--oformat", "binary");
        try (Vm vm = Vm.create()) {
            vm.addRam(0, RAM);
            LoadedKernel k = KernelLoader.load(vm, RAM, flat, null, List.of());
            assertEquals(LoadedKernel.Kind.MULTIBOOT_AOUT, k.kind());
            assertEquals(symbol("mbaout.elf", "_start"), k.state().rip());
            byte[] bin = Files.readAllBytes(flat);
            assertArrayEquals(bin, vm.read(0x100000, bin.length));
            long bssStart = symbol("mbaout.elf", "result"), bssEnd = symbol("mbaout.elf", "bss_end");
            assertArrayEquals(new byte[(int) (bssEnd - bssStart)], vm.read(bssStart, (int) (bssEnd - bssStart)));
            assertEquals(new GuestLayout.Placement(0x100000, bssEnd, "kernel image"), k.placement("kernel image"));
            assertEquals(symbol("mbaout.elf", "message"), 0x100000 + new String(bin, "ISO-8859-1").indexOf("hello"));
        }
    }

    @Test
    void elf64KernelRunsInLongMode() throws Exception {
        Path kernel = build("k64.elf", LONG64, "--64", "elf_x86_64");
        try (Vm vm = Vm.create()) {
            vm.addRam(0, RAM);
            LoadedKernel k = KernelLoader.load(vm, RAM, kernel, null, List.of());
            assertEquals(LoadedKernel.Kind.ELF64_LONG_MODE, k.kind());
            Vcpu cpu = vm.createVcpu();
            k.state().writeTo(cpu);
            VmExit exit = cpu.run();
            assertEquals(ExitReason.HLT, exit.reason(), exit.toString());
            assertEquals(0x77, cpu.reg(Reg.RCX));
            assertEquals("jvmx64!!", new String(vm.read(symbol("k64.elf", "result"), 8)));
        }
    }
}
