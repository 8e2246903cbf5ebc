package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Hand-checked decodes of 32-bit and 16-bit code ({@link Decoder#of(int)}; SDM Vol. 2, 2.2.1, 2.3.5,
 * Appendix A superscripts i64/o64/d64/f64), beside the oracle tests ({@link IcedOracleLegacyTest},
 * {@link DecoderFuzzTest#randomInputs32()}).
 */
class LegacyModeTest {
    private static Instruction decode(int bits, String hex) {
        return decode(bits, hex, 0x1000);
    }

    private static Instruction decode(int bits, String hex, long ip) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        Instruction in = new Instruction();
        int len = Decoder.of(bits).decode(b, 0, b.length, ip, in);
        assertEquals(in.length(), len);
        assertEquals(bits, in.bitness());
        return in;
    }

    private static String text(int bits, String hex) {
        return decode(bits, hex).toString();
    }

    @Test
    void decodersPerMode() {
        assertSame(Decoder.of(32), Decoder.of(32));
        assertEquals(64, new Decoder().bitness());
        assertEquals(16, new Decoder(16).bitness());
        assertThrows(IllegalArgumentException.class, () -> Decoder.of(8));
        assertEquals(64, decode(64, "90").bitness());
    }

    @Test
    void defaultSizesAndPrefixes() {
        Instruction in = decode(32, "01 c0"); // add eax, eax
        assertEquals(32, in.operandSize());
        assertEquals(32, in.addressSize());
        assertEquals(16, decode(32, "66 01 c0").operandSize());
        assertEquals(16, decode(16, "01 c0").operandSize());
        assertEquals(32, decode(16, "66 01 c0").operandSize());
        assertEquals(Register.AX, decode(16, "01 c0").register(0));
        assertEquals(16, decode(16, "8b 07").addressSize());     // mov ax, [bx]
        assertEquals(32, decode(16, "67 8b 07").addressSize());  // mov ax, [edi]
        assertEquals(16, decode(32, "67 8b 07").addressSize());  // mov eax, [bx]
    }

    @Test
    void incDecInsteadOfRex() {
        Instruction in = decode(32, "48 01 c0");
        assertEquals(Mnemonic.DEC, in.mnemonic());
        assertEquals(Register.EAX, in.register(0));
        assertEquals(1, in.length());
        assertEquals(Mnemonic.INC, decode(32, "40").mnemonic());
        assertEquals(Register.DI, decode(16, "4f").register(0));
    }

    @Test
    void absoluteDisp32InsteadOfRipRelative() {
        Instruction in = decode(32, "8b 05 78 56 34 12", 0x401000); // mov eax, [0x12345678]
        assertFalse(in.isRipRelative());
        assertEquals(Register.NONE, in.memBase());
        assertEquals(0x12345678, in.memDisplacement());
        assertEquals("mov    eax,DWORD PTR ds:0x12345678", in.toString());
    }

    @Test
    void sixteenBitAddressing() {
        Instruction in = decode(16, "8b 42 fe"); // mov ax, [bp+si-2]
        assertEquals(Register.BP, in.memBase());
        assertEquals(Register.SI, in.memIndex());
        assertEquals(-2, in.memDisplacement());
        assertEquals(Register.SS, in.memSegment());
        assertEquals("mov    ax,WORD PTR [bp+si-0x2]", in.toString());
        Instruction abs = decode(16, "8b 1e 34 12"); // mov bx, [0x1234]
        assertEquals(Register.NONE, abs.memBase());
        assertEquals(0x1234, abs.memDisplacement());
        assertEquals(Register.DS, abs.memSegment());
        Instruction bp = decode(32, "67 8b 46 10"); // mov eax, [bp+0x10]
        assertEquals(Register.BP, bp.memBase());
        assertEquals(Register.SS, bp.memSegment());
    }

    @Test
    void opcodesInvalidIn64BitMode() {
        assertEquals(InvalidReason.INVALID_IN_64BIT, decode(64, "06").invalidReason());
        assertEquals(Mnemonic.PUSH, decode(32, "06").mnemonic());
        assertEquals(Register.ES, decode(32, "06").register(0));
        assertEquals(Mnemonic.DAA, decode(32, "27").mnemonic());
        assertEquals(Mnemonic.PUSHAD, decode(32, "60").mnemonic());
        assertEquals(Mnemonic.PUSHA, decode(16, "60").mnemonic());
        assertEquals(Mnemonic.ARPL, decode(32, "63 c3").mnemonic());
        assertEquals(Mnemonic.MOVSXD, decode(64, "63 c3").mnemonic());
        assertEquals(Mnemonic.AAM, decode(32, "d4 0a").mnemonic());
        assertEquals(Mnemonic.SALC, decode(32, "d6").mnemonic());
        assertEquals(Mnemonic.ADD, decode(32, "82 c0 01").mnemonic());
        assertEquals(Mnemonic.PUSHFD, decode(32, "9c").mnemonic());
        assertEquals(Mnemonic.PUSHFQ, decode(64, "9c").mnemonic());
        assertEquals(Mnemonic.PUSHF, decode(16, "9c").mnemonic());
        assertTrue(decode(32, "0f 01 f8").isInvalid()); // SWAPGS: 64-bit mode only
    }

    @Test
    void lesLdsBoundOrVexEvex() {
        assertEquals(Mnemonic.LES, decode(32, "c4 03").mnemonic());          // les eax, [ebx]
        assertEquals(Mnemonic.LDS, decode(32, "c5 03").mnemonic());
        assertEquals(48, decode(32, "c5 03").memBits());                   // m16:32
        assertEquals(Mnemonic.BOUND, decode(32, "62 03").mnemonic());
        assertEquals(64, decode(32, "62 03").memBits());                   // m32&32
        assertEquals(Mnemonic.VADDPS, decode(32, "c5 f8 58 c1").mnemonic()); // mod = 11: VEX
        assertEquals(Mnemonic.VADDPS, decode(32, "62 f1 7c 48 58 c1").mnemonic());
    }

    @Test
    void vexNamesEightRegisters() {
        // VEX.B (inverted 0 would be xmm9 in 64-bit mode) and vvvv's top bit are ignored
        Instruction in = decode(32, "c4 c1 38 58 c1"); // vaddps xmm0, xmm0, xmm1
        assertEquals(Register.XMM0, in.register(1));
        assertEquals(Register.XMM1, in.register(2));
        assertTrue(decode(32, "c4 e1 38 28 c1").isInvalid());        // unused vvvv must still be 1111b
        assertTrue(decode(32, "62 f1 7c 00 58 c1").isInvalid());     // EVEX.V' must be 0 (inverted 1)
        assertEquals(Register.EAX, decode(32, "c4 e1 f9 7e c0").register(0)); // VEX.W1 vmovq r64 -> vmovd eax
        assertEquals(Mnemonic.VMOVD, decode(32, "c4 e1 f9 7e c0").mnemonic());
    }

    @Test
    void farPointersAndBranches() {
        Instruction call = decode(32, "9a 78 56 34 12 10 00"); // call 0x10:0x12345678
        assertEquals(2, call.operandCount());
        assertEquals(0x12345678L, call.immediate(0));
        assertEquals(0x10, call.immediate(1));
        assertEquals("call   0x10:0x12345678", call.toString());
        assertEquals(FlowKind.CALL, call.flowKind());
        Instruction far16 = decode(16, "ea 00 10 08 00"); // jmp 0x8:0x1000 (ptr16:16)
        assertEquals(5, far16.length());
        assertEquals("jmp    0x8:0x1000", far16.toString());
        // near branches keep the operand size: rel16 with 66, the target wraps at 16 bits
        Instruction jmp = decode(32, "66 e9 00 f0", 0x1000);
        assertEquals(4, jmp.length());
        assertEquals(0x4L, jmp.branchTarget());       // 0x1004 + 0xf000 wraps to 0x0004
        assertEquals(0x1005L + 0x10, decode(32, "e8 10 00 00 00", 0x1000).branchTarget());
        assertEquals(32, decode(32, "ff d0").operandBits(0));   // call eax
        assertEquals(16, decode(16, "ff d0").operandBits(0));   // call ax
        assertEquals(Mnemonic.JCXZ, decode(32, "67 e3 00").mnemonic());
        assertEquals(Mnemonic.JECXZ, decode(32, "e3 00").mnemonic());
    }

    @Test
    void segmentOverridesAndSystemRegisters() {
        Instruction in = decode(32, "26 8b 03"); // mov eax, es:[ebx]
        assertEquals(Register.ES, in.memSegment());
        assertEquals("mov    eax,DWORD PTR es:[ebx]", in.toString());
        assertEquals("es mov eax,DWORD PTR [rbx]", decode(64, "26 8b 03").toString()); // ignored in 64-bit mode
        Instruction cr = decode(32, "0f 20 c0"); // mov eax, cr0
        assertEquals(Register.EAX, cr.register(0));
        assertEquals(Register.RAX, decode(64, "0f 20 c0").register(0));
        assertEquals(48, decode(32, "0f 01 10").memBits()); // lgdt m16&32
        assertEquals("movs   DWORD PTR es:[di],DWORD PTR ds:[si]", text(16, "66 a5"));
    }
}
