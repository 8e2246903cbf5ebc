package org.jvmx.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixture: 32-bit code behind a Multiboot header, assembled into an ELF32 kernel at 1 MiB (GNU as/ld). */
final class TinyMultibootKernel {
    private TinyMultibootKernel() {
    }

    static byte[] build(Path dir, String body) throws Exception {
        Path s = dir.resolve("k.s"), o = dir.resolve("k.o"), elf = dir.resolve("k.elf");
        Files.writeString(s, """
                .code32
                .text
                .globl _start
                .align 4
                .long 0x1BADB002, 0, -0x1BADB002
                _start:
                """ + body);
        run("as", "--32", "-o", o.toString(), s.toString());
        run("ld", "-m", "elf_i386", "-Ttext", "0x100000", "-e", "_start", "-o", elf.toString(), o.toString());
        return Files.readAllBytes(elf);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
    }
}
