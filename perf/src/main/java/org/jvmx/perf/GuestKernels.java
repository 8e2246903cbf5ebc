package org.jvmx.perf;

import java.util.HexFormat;

/**
 * The guest programs the execution benchmarks run, as x86-64 machine code (64-bit mode; each
 * ends in HLT). Data lives at {@link #DATA}. The source of each is in its comment, as GNU as
 * assembles it with {@code .intel_syntax noprefix}.
 */
public final class GuestKernels {
    private GuestKernels() {
    }

    public static final long CODE = 0x1000, DATA = 0x10_0000;

    /**
     * An integer loop, 6 instructions per iteration, 1,000,000 iterations:
     * <pre>
     *   mov ecx, 1000000 ; xor eax, eax ; mov edx, 1
     * 1: add eax, edx ; lea edx, [rdx + rdx*2 + 7] ; xor eax, ecx ; add edx, eax ; dec ecx ; jnz 1b
     *   hlt
     * </pre>
     */
    public static final byte[] INT_LOOP = hex("b940420f00 31c0 ba01000000 01d0 8d545207 31c8 01c2 ffc9 75f2 f4");

    /**
     * A byte-wise checksum over 64 KiB at {@link #DATA} (Fletcher-like: EAX = sum of bytes,
     * EDX = sum of the running sums), 6 instructions per byte with a load:
     * <pre>
     *   mov rsi, 0x100000 ; mov ecx, 65536 ; xor eax, eax ; xor edx, edx
     * 1: movzx ebx, byte ptr [rsi] ; add eax, ebx ; add edx, eax ; inc rsi ; dec ecx ; jnz 1b
     *   hlt
     * </pre>
     */
    public static final byte[] CHECKSUM = hex("48c7c600001000 b900000100 31c0 31d2 0fb61e 01d8 01c2 48ffc6 ffc9 75f2 f4");
    public static final int CHECKSUM_BYTES = 65536;

    /**
     * Insertion sort of 1,000 signed dwords at {@link #DATA}: data-dependent branches, loads and stores.
     * <pre>
     *   mov rdi, 0x100000 ; mov ecx, 1000 ; mov r8d, 1
     * 2: cmp r8, rcx ; jae 5f ; mov eax, [rdi + r8*4] ; mov r9, r8
     * 3: test r9, r9 ; jz 4f ; mov edx, [rdi + r9*4 - 4] ; cmp edx, eax ; jle 4f
     *    mov [rdi + r9*4], edx ; dec r9 ; jmp 3b
     * 4: mov [rdi + r9*4], eax ; inc r8 ; jmp 2b
     * 5: hlt
     * </pre>
     */
    public static final byte[] SORT = hex("48c7c700001000 b9e8030000 41b801000000 4939c8 7327 428b0487 4d89c1 4d85c9 7412"
            + "428b548ffc 39c2 7e09 4289148f 49ffc9 ebe9 4289048f 49ffc0 ebd4 f4");
    public static final int SORT_ELEMENTS = 1000;

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }
}
