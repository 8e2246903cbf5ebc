package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Hand-checked decodes of the engine's rules (SDM Vol. 2, chapter 2), beside the oracle tests. */
class DecoderTest {
    private final Decoder decoder = new Decoder();

    private Instruction decode(String hex) {
        return decode(hex, 0x1000);
    }

    private Instruction decode(String hex, long ip) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        Instruction in = new Instruction();
        int len = decoder.decode(b, 0, b.length, ip, in);
        assertEquals(in.length(), len);
        return in;
    }

    @Test
    void addWithRexAndSib() {
        Instruction in = decode("4a 01 44 8d f8"); // add [rbp+r9*4-8], rax
        assertFalse(in.isInvalid());
        assertEquals(Mnemonic.ADD, in.mnemonic());
        assertEquals(5, in.length());
        assertEquals(OperandKind.MEMORY, in.operandKind(0));
        assertEquals(Register.RBP, in.memBase());
        assertEquals(Register.R9, in.memIndex());
        assertEquals(4, in.memScale());
        assertEquals(-8, in.memDisplacement());
        assertEquals(Register.SS, in.memSegment());
        assertEquals(64, in.memBits());
        assertEquals(Register.RAX, in.register(1));
        assertEquals(64, in.operandSize());
    }

    @Test
    void ripRelativeDisplacementIsAbsolute() {
        Instruction in = decode("48 8b 05 10 00 00 00", 0x401000); // mov rax, [rip+0x10]
        assertTrue(in.isRipRelative());
        assertEquals(Register.RIP, in.memBase());
        assertEquals(0x401000 + 7 + 0x10, in.memDisplacement());
    }

    @Test
    void highByteRegistersOnlyWithoutRex() {
        assertEquals(Register.AH, decode("88 e0").register(1));   // mov al, ah (88 /r: Eb,Gb; reg 4 = AH)
        assertEquals(Register.SPL, decode("40 88 e4").register(0)); // with any REX, 4 is SPL
    }

    @Test
    void operandSizePrefixAndRexW() {
        assertEquals(16, decode("66 01 c0").operandSize());
        assertEquals(64, decode("66 48 01 c0").operandSize());   // REX.W wins over 66
        assertEquals(Register.AX, decode("66 01 c0").register(0));
        Instruction imm = decode("48 81 c0 ff ff ff ff"); // add rax, -1 (imm32 sign-extended)
        assertEquals(-1L, imm.immediate(1));
    }

    @Test
    void pushDefaultsTo64Bits() {
        assertEquals(Register.RBP, decode("55").register(0));
        assertEquals(Register.BP, decode("66 55").register(0));
        assertEquals(Register.R13, decode("41 55").register(0));
    }

    @Test
    void relativeBranchTargetsAreAbsolute() {
        assertEquals(0x1000 + 2 - 2, decode("eb fe").branchTarget());
        Instruction call = decode("e8 00 01 00 00");
        assertEquals(FlowKind.CALL, call.flowKind());
        assertEquals(0x1000 + 5 + 0x100, call.branchTarget());
        Instruction jcc = decode("0f 84 00 00 00 00");
        assertEquals(FlowKind.CONDITIONAL_JUMP, jcc.flowKind());
        assertEquals(Mnemonic.JE, jcc.mnemonic());
    }

    @Test
    void rexBeforeLegacyPrefixIsIgnored() {
        // 48 66 01 c0: the REX is not last, so it is dropped; 66 applies: add ax, ax
        Instruction in = decode("48 66 01 c0");
        assertEquals(16, in.operandSize());
        assertEquals(Register.AX, in.register(0));
    }

    @Test
    void lockRules() {
        assertTrue(decode("f0 01 00").hasLock());                    // lock add [rax], eax
        assertEquals(InvalidReason.LOCK_NOT_ALLOWED, decode("f0 01 c0").invalidReason()); // register destination
        assertEquals(InvalidReason.LOCK_NOT_ALLOWED, decode("f0 8b 00").invalidReason()); // MOV is not lockable
    }

    @Test
    void sensitiveAndPrivilegedClasses() {
        Instruction cpuid = decode("0f a2");
        assertEquals(VirtClass.SENSITIVE, cpuid.virtClass());
        assertArrayEquals(new int[] {10}, cpuid.exitReasons());
        Instruction hlt = decode("f4");
        assertEquals(VirtClass.SENSITIVE, hlt.virtClass());
        assertTrue(hlt.isPrivileged());
        assertEquals(VirtClass.INNOCUOUS, decode("01 c0").virtClass());
        Instruction vmlaunch = decode("0f 01 c2");
        assertEquals(Mnemonic.VMLAUNCH, vmlaunch.mnemonic());
        assertArrayEquals(new int[] {20}, vmlaunch.exitReasons());
    }

    @Test
    void flagsOfArithmetic() {
        Instruction add = decode("01 c0");
        int status = 1 | 4 | 16 | 64 | 128 | 2048; // CF PF AF ZF SF OF
        assertEquals(status, add.flagsWritten());
        Instruction adc = decode("11 c0");
        assertEquals(1, adc.flagsRead() & 1);
    }

    @Test
    void invalidEncodingsCarryTheirReason() {
        assertEquals(InvalidReason.INVALID_IN_64BIT, decode("06").invalidReason());       // push es
        assertEquals(InvalidReason.NO_MORE_BYTES, decode("48").invalidReason());
        assertEquals(InvalidReason.TOO_LONG, decode("66 66 66 66 66 66 66 66 66 66 66 66 66 66 01 c0").invalidReason());
        assertEquals(InvalidReason.VEX_WITH_LEGACY_PREFIX, decode("66 c5 f8 77").invalidReason());
        assertTrue(decode("0f 0b").mnemonic() == Mnemonic.UD2);
    }

    @Test
    void vexOperands() {
        Instruction in = decode("c5 f4 58 c2"); // vaddps ymm0, ymm1, ymm2
        assertEquals(Mnemonic.VADDPS, in.mnemonic());
        assertEquals(Register.YMM0, in.register(0));
        assertEquals(Register.YMM1, in.register(1));
        assertEquals(Register.YMM2, in.register(2));
        assertEquals(256, in.vectorBits());
        assertEquals(InvalidReason.VVVV_NOT_UNUSED, decode("c5 f0 77").invalidReason()); // vzeroupper with vvvv != 1111
    }

    @Test
    void evexMaskingBroadcastAndCompressedDisplacement() {
        // vaddps zmm0{k1}{z}, zmm0, dword bcst [rax+0x40]: disp8 1 * 4 bytes (broadcast element)
        Instruction in = decode("62 f1 7c d9 58 40 10");
        assertFalse(in.isInvalid(), in.invalidReason().text());
        assertEquals(1, in.opmask());
        assertTrue(in.zeroingMasking());
        assertTrue(in.isBroadcast());
        assertEquals(0x40, in.memDisplacement());
        // full-vector memory operand: disp8 1 * 64
        assertEquals(64, decode("62 f1 7c 48 58 40 01").memDisplacement());
        // {z} without a mask register is #UD
        assertEquals(InvalidReason.EVEX_MASKING, decode("62 f1 7c c8 58 c1").invalidReason());
        // embedded rounding on register operands
        Instruction er = decode("62 f1 7c 38 58 c1");
        assertEquals(1, er.roundingControl());
        assertEquals(512, er.vectorBits());
    }

    @Test
    void gatherNeedsDistinctRegisters() {
        assertFalse(decode("62 f2 7d 49 92 04 20").isInvalid()); // vgatherdps zmm0{k1}, [rax+zmm4]
        assertTrue(decode("62 f2 7d 48 92 04 20").isInvalid());  // no mask: #UD
        assertEquals(InvalidReason.SAME_REGISTERS, decode("62 f2 7d 49 92 04 00").invalidReason()); // index == destination
    }

    @Test
    void neverThrowsOnTruncatedInput() {
        byte[] b = HexFormat.of().parseHex("62f17cd958401000");
        Instruction in = new Instruction();
        for (int n = 1; n < b.length; n++) {
            int len = decoder.decode(b, 0, n, 0, in);
            assertTrue(len >= 1 && len <= 15);
            if (n < 7) assertEquals(InvalidReason.NO_MORE_BYTES, in.invalidReason(), "length " + n);
        }
    }

    @Test
    void formatterLooksLikeObjdump() {
        assertEquals("add    DWORD PTR [rax],eax", decode("01 00").toString());
        assertEquals("mov    rax,QWORD PTR [rbp-0x8]", decode("48 8b 45 f8").toString());
        assertEquals("ret", decode("c3").toString());
        assertEquals("rep stos DWORD PTR es:[rdi],eax", decode("f3 ab").toString());
        assertEquals("cmpltps xmm0,xmm1", decode("0f c2 c1 01").toString());
        assertEquals("vpcmpnequb k1,ymm16,YMMWORD PTR [rdi]", decode("62 b3 7d 20 3e 0f 04").toString());
        assertEquals("movabs rax,0x1122334455667788", decode("48 b8 88 77 66 55 44 33 22 11").toString());
        assertEquals("mov    rax,0x0", decode("48 c7 c0 00 00 00 00").toString());
        assertEquals("shr    eax,1", decode("d1 e8").toString());
        assertEquals("mov    rax,QWORD PTR fs:0x28", decode("64 48 8b 04 25 28 00 00 00").toString());
    }
}
