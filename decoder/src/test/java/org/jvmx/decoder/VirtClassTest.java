package org.jvmx.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The virtualization class of the system and VMX instructions: privileged (#GP(0) outside CPL 0,
 * SDM Vol. 3A, 5.9) and the basic VM-exit reasons each can cause (SDM Vol. 3C, Appendix C and
 * 26.1 "Instructions That Cause VM Exits"). The exit reasons are what vmx-runtime dispatches on.
 */
class VirtClassTest {
    private final Decoder decoder = new Decoder();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # bytes          | mnemonic  | privileged | exit reasons (space-separated)
            0f a2            | CPUID     | false | 10
            0f 37            | GETSEC    | false | 11
            f4               | HLT       | true  | 12
            0f 08            | INVD      | true  | 13
            0f 01 38         | INVLPG    | true  | 14
            0f 33            | RDPMC     | false | 15
            0f 31            | RDTSC     | false | 16
            0f 01 c1         | VMCALL    | false | 18
            66 0f c7 30      | VMCLEAR   | true  | 19
            0f 01 c2         | VMLAUNCH  | true  | 20
            0f c7 30         | VMPTRLD   | true  | 21
            0f c7 38         | VMPTRST   | true  | 22
            0f 78 c8         | VMREAD    | true  | 23
            0f 01 c3         | VMRESUME  | true  | 24
            0f 79 c8         | VMWRITE   | true  | 25
            0f 01 c4         | VMXOFF    | true  | 26
            f3 0f c7 30      | VMXON     | true  | 27
            0f 22 d8         | MOV       | true  | 28
            0f 06            | CLTS      | true  | 28
            0f 01 f0         | LMSW      | true  | 28
            0f 20 c0         | MOV       | true  | 28
            0f 23 c0         | MOV       | true  | 29
            0f 21 c0         | MOV       | true  | 29
            e4 60            | IN        | false | 30
            ef               | OUT       | false | 30
            6c               | INSB      | false | 30
            0f 32            | RDMSR     | true  | 31
            0f 30            | WRMSR     | true  | 32
            0f 01 c9         | MWAIT     | true  | 36
            0f 01 c8         | MONITOR   | true  | 39
            f3 90            | PAUSE     | false | 40
            0f 01 10         | LGDT      | true  | 46
            0f 01 18         | LIDT      | true  | 46
            0f 01 00         | SGDT      | false | 46
            0f 01 08         | SIDT      | false | 46
            0f 00 d0         | LLDT      | true  | 47
            0f 00 d8         | LTR       | true  | 47
            0f 00 c0         | SLDT      | false | 47
            0f 00 c8         | STR       | false | 47
            66 0f 38 80 00   | INVEPT    | true  | 50
            0f 01 f9         | RDTSCP    | false | 51
            66 0f 38 81 00   | INVVPID   | true  | 53
            0f 09            | WBINVD    | true  | 54
            0f 01 d1         | XSETBV    | true  | 55
            0f c7 f0         | RDRAND    | false | 57
            66 0f 38 82 00   | INVPCID   | true  | 58
            0f 01 d4         | VMFUNC    | false | 59
            0f c7 f8         | RDSEED    | false | 61
            0f c7 28         | XSAVES    | true  | 63
            0f c7 18         | XRSTORS   | true  | 64
            """)
    void sensitiveInstructions(String hex, String mnemonic, boolean privileged, String exits) {
        Instruction in = decode(hex);
        assertFalse(in.isInvalid(), hex + ": " + in.invalidReason().text());
        assertEquals(mnemonic, in.mnemonic().name(), hex);
        assertEquals(privileged, in.isPrivileged(), hex + " privileged");
        int[] want = Arrays.stream(exits.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        int[] got = in.exitReasons();
        Arrays.sort(got);
        assertArrayEquals(want, got, hex + " exit reasons");
        assertEquals(VirtClass.SENSITIVE, in.virtClass());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # bytes       | mnemonic | privileged
            0f 01 f8      | SWAPGS   | true
            0f 07         | SYSRET   | true
            0f 35         | SYSEXIT  | true
            0f 05         | SYSCALL  | false
            48 cf         | IRETQ    | false
            01 c0         | ADD      | false
            """)
    void instructionsThatNeverExitByThemselves(String hex, String mnemonic, boolean privileged) {
        Instruction in = decode(hex);
        assertFalse(in.isInvalid(), hex + ": " + in.invalidReason().text());
        assertEquals(mnemonic, in.mnemonic().name(), hex);
        assertEquals(privileged, in.isPrivileged(), hex + " privileged");
        assertEquals(0, in.exitReasonCount(), hex);
        assertEquals(privileged ? VirtClass.PRIVILEGED : in.exitReasonCount() > 0 ? VirtClass.SENSITIVE : VirtClass.INNOCUOUS,
                in.virtClass());
    }

    private Instruction decode(String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        Instruction in = new Instruction();
        decoder.decode(b, 0, b.length, 0x1000, in);
        return in;
    }
}
