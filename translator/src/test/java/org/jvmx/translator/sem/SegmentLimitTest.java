package org.jvmx.translator.sem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmx.translator.sem.SegmentedGuest.A_CODE_R;
import static org.jvmx.translator.sem.SegmentedGuest.A_CODE_XO;
import static org.jvmx.translator.sem.SegmentedGuest.A_DATA;
import static org.jvmx.translator.sem.SegmentedGuest.A_DATA_DOWN;
import static org.jvmx.translator.sem.SegmentedGuest.A_DATA_RO;
import static org.jvmx.translator.sem.SegmentedGuest.BIG;
import static org.jvmx.translator.sem.SegmentedGuest.CODE;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.mem.GuestFault;

/**
 * Segment limit and type checks of data accesses, stack accesses, string instructions and
 * instruction fetch outside 64-bit mode (SDM Vol. 3A, 5.3-5.6; Vol. 2 "Protected Mode
 * Exceptions"), in legacy protected mode and in compatibility mode: each broken rule alone
 * faults precisely with the right vector and error code, and the access just inside the limit
 * succeeds.
 */
class SegmentLimitTest {
    static final int GP = GuestFault.GP, SS = GuestFault.SS;
    static final int EAX = CpuState.RAX, EBX = CpuState.RBX, ECX = CpuState.RCX, ESP = CpuState.RSP,
            EBP = CpuState.RBP, ESI = CpuState.RSI, EDI = CpuState.RDI;
    static final int DS = CpuState.DS, ES = CpuState.ES, FSR = CpuState.FS, SSR = CpuState.SS, CS = CpuState.CS;

    static final int[] MOV_EAX_MEM = {0x8B, 0x03}, MOV_AL_MEM = {0x8A, 0x03}, MOV_AX_MEM = {0x66, 0x8B, 0x03},
            MOV_MEM_EAX = {0x89, 0x03}, ADD_MEM_EAX = {0x01, 0x03}, LOCK_ADD_MEM_EAX = {0xF0, 0x01, 0x03},
            MOVDQU_MEM_XMM0 = {0xF3, 0x0F, 0x7F, 0x03}, PUSH_EAX = {0x50}, POP_EAX = {0x58},
            MOV_EAX_EBP = {0x8B, 0x45, 0x00}, STOSD = {0xAB}, REP_STOSB = {0xF3, 0xAA}, LODSD_FS = {0x64, 0xAD},
            LODSD_SS = {0x36, 0xAD}, MOVSB = {0xA4}, CALL_EAX = {0xFF, 0xD0}, RET = {0xC3}, LEAVE = {0xC9},
            ENTER_8_0 = {0xC8, 0x08, 0x00, 0x00};

    /** Data segment base (offset 0 → linear 0x10000) and a limit for the expand-up tests. */
    static final long BASE = 0x10000, LIMIT = 0x0FFF;
    /** A 32-bit (D = 1) readable code segment with a byte-granular limit. */
    static final int CODE32_AR = SegmentRegister.AR_DB | A_CODE_R;

    static SegmentedGuest guest(boolean compat, int... code) {
        return new SegmentedGuest(compat, 0, code);
    }

    // ---- explicit memory operands

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void expandUpLimitForByteWordDword(boolean compat) {
        int[][] code = {MOV_AL_MEM, MOV_AX_MEM, MOV_EAX_MEM};
        for (int s = 0; s < 3; s++) {
            int size = 1 << s;
            try (SegmentedGuest g = guest(compat, code[s])) {
                g.ram.write(BASE + LIMIT - size + 1, size, 0x11223344L & ((1L << 8 * size) - 1));
                g.seg(DS, BASE, LIMIT, BIG & ~SegmentRegister.AR_G | A_DATA).gpr(EBX, LIMIT - size + 1).ok();
                assertEquals(0x11223344L & ((1L << 8 * size) - 1), g.cpu.gpr[EAX] & ((1L << 8 * size) - 1));
            }
            try (SegmentedGuest g = guest(compat, code[s])) {
                g.seg(DS, BASE, LIMIT, A_DATA).gpr(EBX, LIMIT - size + 2).faults(GP, 0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void expandDownLimitsWithSmallAndBigB(boolean compat) {
        // Expand-down, B = 0: offsets LIMIT+1 .. FFFFH are valid.
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.seg(DS, BASE, LIMIT, A_DATA_DOWN).gpr(EBX, LIMIT + 1).ok();
        }
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.seg(DS, BASE, LIMIT, A_DATA_DOWN).gpr(EBX, LIMIT).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.seg(DS, BASE, LIMIT, A_DATA_DOWN).gpr(EBX, 0xFFFC).ok();
        }
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.seg(DS, BASE, LIMIT, A_DATA_DOWN).gpr(EBX, 0xFFFD).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, MOV_AL_MEM)) {
            g.seg(DS, BASE, LIMIT, A_DATA_DOWN).gpr(EBX, 0xFFFF).ok();
        }
        // B = 1: up to FFFFFFFFH (base 0x20000 + 0xFFFFFFFC wraps to linear 0x1FFFC).
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.ram.write(0x1FFFC, 4, 0xCAFEF00DL);
            g.seg(DS, 0x20000, LIMIT, SegmentRegister.AR_DB | A_DATA_DOWN).gpr(EBX, 0xFFFF_FFFCL).ok();
            assertEquals(0xCAFEF00DL, g.cpu.gpr[EAX]);
        }
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.seg(DS, 0x20000, LIMIT, SegmentRegister.AR_DB | A_DATA_DOWN).gpr(EBX, 0xFFFF_FFFDL).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, MOV_AX_MEM)) {
            g.seg(DS, BASE, LIMIT, SegmentRegister.AR_DB | A_DATA_DOWN).gpr(EBX, LIMIT).faults(GP, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void writeToReadOnlyDataFaultsButReadWorks(boolean compat) {
        try (SegmentedGuest g = guest(compat, MOV_MEM_EAX)) {
            g.seg(DS, BASE, LIMIT, A_DATA_RO).gpr(EBX, 0x10).gpr(EAX, 0x55).faults(GP, 0, BASE, 0x40);
        }
        try (SegmentedGuest g = guest(compat, ADD_MEM_EAX)) { // RMW: no flags or memory changed either
            g.seg(DS, BASE, LIMIT, A_DATA_RO).gpr(EBX, 0x10).gpr(EAX, 0x55);
            long flags = g.cpu.state.rflags();
            g.faults(GP, 0, BASE, 0x40);
            assertEquals(flags, g.cpu.state.rflags());
        }
        try (SegmentedGuest g = guest(compat, LOCK_ADD_MEM_EAX)) {
            g.seg(DS, BASE, LIMIT, A_DATA_RO).gpr(EBX, 0x10).gpr(EAX, 0x55).faults(GP, 0, BASE, 0x40);
        }
        try (SegmentedGuest g = guest(compat, MOVDQU_MEM_XMM0)) {
            g.seg(DS, BASE, LIMIT, A_DATA_RO).gpr(EBX, 0x10).faults(GP, 0, BASE, 0x40);
        }
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.seg(DS, BASE, LIMIT, A_DATA_RO).gpr(EBX, 0x10).ok();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void lockedAndVectorWritesCheckTheLimit(boolean compat) {
        try (SegmentedGuest g = guest(compat, LOCK_ADD_MEM_EAX)) {
            g.seg(DS, BASE, LIMIT, A_DATA).gpr(EBX, LIMIT - 3).gpr(EAX, 1).ok();
            assertEquals(1, g.ram.read(BASE + LIMIT - 3, 4));
        }
        try (SegmentedGuest g = guest(compat, LOCK_ADD_MEM_EAX)) {
            g.seg(DS, BASE, LIMIT, A_DATA).gpr(EBX, LIMIT - 2).gpr(EAX, 1).faults(GP, 0, BASE + LIMIT - 8, 16);
        }
        try (SegmentedGuest g = guest(compat, MOVDQU_MEM_XMM0)) {
            g.seg(DS, BASE, LIMIT, A_DATA).gpr(EBX, LIMIT - 15).ok();
        }
        try (SegmentedGuest g = guest(compat, MOVDQU_MEM_XMM0)) {
            g.cpu.state.xmm[0] = -1;
            g.seg(DS, BASE, LIMIT, A_DATA).gpr(EBX, LIMIT - 14).faults(GP, 0, BASE + LIMIT - 16, 17);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void codeSegmentsThroughDs(boolean compat) {
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) { // execute-only: no reads
            g.seg(DS, BASE, LIMIT, A_CODE_XO).gpr(EBX, 0x10).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) { // readable code: reads work
            g.seg(DS, BASE, LIMIT, A_CODE_R).gpr(EBX, 0x10).ok();
        }
        try (SegmentedGuest g = guest(compat, MOV_MEM_EAX)) { // code is never writable
            g.seg(DS, BASE, LIMIT, A_CODE_R).gpr(EBX, 0x10).faults(GP, 0, BASE, 0x40);
        }
        try (SegmentedGuest g = guest(compat, 0x2E, 0x8B, 0x03)) { // mov eax, cs:[ebx]: readable CS
            g.gpr(EBX, 0x10).ok();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nullDataSegmentFaults(boolean compat) {
        try (SegmentedGuest g = guest(compat, MOV_EAX_MEM)) {
            g.cpu.state.ds.loadNull(0);
            g.gpr(EBX, 0x10).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, 0x64, 0x89, 0x03)) { // mov fs:[ebx], eax
            g.cpu.state.fs.loadNull(3);
            g.gpr(EBX, 0x10).faults(GP, 0, 0, 0x40);
        }
    }

    // ---- the stack

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void pushAndPopAgainstExpandUpSsLimit(boolean compat) {
        try (SegmentedGuest g = guest(compat, PUSH_EAX)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT + 1).gpr(EAX, 0x12345678).ok();
            assertEquals(LIMIT - 3, g.cpu.gpr[ESP]);
            assertEquals(0x12345678, g.ram.read(BASE + LIMIT - 3, 4));
        }
        try (SegmentedGuest g = guest(compat, PUSH_EAX)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT + 2).faults(SS, 0, BASE + LIMIT - 8, 16);
        }
        try (SegmentedGuest g = guest(compat, POP_EAX)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT - 2).faults(SS, 0);
        }
        try (SegmentedGuest g = guest(compat, MOV_EAX_EBP)) { // EBP-based operands go through SS
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(EBP, LIMIT - 2).faults(SS, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void expandDownStack(boolean compat) {
        int ar = SegmentRegister.AR_DB | A_DATA_DOWN;
        try (SegmentedGuest g = guest(compat, PUSH_EAX)) {
            g.seg(SSR, BASE, LIMIT, ar).gpr(ESP, LIMIT + 5).gpr(EAX, 7).ok();
            assertEquals(LIMIT + 1, g.cpu.gpr[ESP]);
            assertEquals(7, g.ram.read(BASE + LIMIT + 1, 4));
        }
        try (SegmentedGuest g = guest(compat, PUSH_EAX)) {
            g.seg(SSR, BASE, LIMIT, ar).gpr(ESP, LIMIT + 4).faults(SS, 0, BASE + LIMIT - 8, 16);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sixteenBitStackUsesSp(boolean compat) {
        try (SegmentedGuest g = guest(compat, PUSH_EAX)) { // SS.B = 0: SP wraps, bits 31:16 of ESP kept
            g.seg(SSR, BASE, 0xFFFF, A_DATA).gpr(ESP, 0xABCD_0004L).gpr(EAX, 0x99).ok();
            assertEquals(0xABCD_0000L, g.cpu.gpr[ESP]);
            assertEquals(0x99, g.ram.read(BASE, 4));
        }
        try (SegmentedGuest g = guest(compat, PUSH_EAX)) { // SP = 2: the dword lands at FFFEH..10001H
            g.seg(SSR, BASE, 0xFFFF, A_DATA).gpr(ESP, 0xABCD_0002L).faults(SS, 0);
        }
        try (SegmentedGuest g = guest(compat, POP_EAX)) {
            g.ram.write(BASE + 0xFFFC, 4, 0x4242);
            g.seg(SSR, BASE, 0xFFFF, A_DATA).gpr(ESP, 0x7777_FFFCL).ok();
            assertEquals(0x4242, g.cpu.gpr[EAX]);
            assertEquals(0x7777_0000L, g.cpu.gpr[ESP]);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void callRetEnterLeaveCheckTheStack(boolean compat) {
        try (SegmentedGuest g = guest(compat, CALL_EAX)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT + 2).gpr(EAX, 0x2000).faults(SS, 0);
        }
        try (SegmentedGuest g = guest(compat, CALL_EAX)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT + 1).gpr(EAX, 0x2000).ok();
            assertEquals(0x2000, g.cpu.state.rip);
            assertEquals(CODE + 2, g.ram.read(BASE + LIMIT - 3, 4));
        }
        try (SegmentedGuest g = guest(compat, RET)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT - 2).faults(SS, 0);
        }
        try (SegmentedGuest g = guest(compat, LEAVE)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(EBP, LIMIT - 1).faults(SS, 0);
        }
        try (SegmentedGuest g = guest(compat, ENTER_8_0)) { // the pushed EBP fits, ESP - 8 stays in range
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, 0x100).gpr(EBP, 0x55).ok();
            assertEquals(0xFC, g.cpu.gpr[EBP]);
            assertEquals(0xF4, g.cpu.gpr[ESP]);
            assertEquals(0x55, g.ram.read(BASE + 0xFC, 4));
        }
        try (SegmentedGuest g = guest(compat, ENTER_8_0)) {
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT + 2).faults(SS, 0);
        }
        try (SegmentedGuest g = guest(compat, ENTER_8_0)) { // expand-down: the new ESP below the limit faults
            g.seg(SSR, BASE, LIMIT, SegmentRegister.AR_DB | A_DATA_DOWN).gpr(ESP, LIMIT + 9).faults(SS, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void pushadAndPopadCheckEverySlot(boolean compat) {
        try (SegmentedGuest g = guest(compat, 0x60, 0x61)) { // pushad; popad
            for (int r = 0; r < 8; r++) g.cpu.gpr[r] = 0x1000 * (r + 1);
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT + 1).ok();
            assertEquals(LIMIT + 1 - 32, g.cpu.gpr[ESP]);
            assertEquals(0x1000, g.ram.read(BASE + LIMIT - 3, 4));          // EAX first, highest
            assertEquals(LIMIT + 1, g.ram.read(BASE + LIMIT + 1 - 20, 4));  // the original ESP
            assertEquals(0x8000, g.ram.read(BASE + LIMIT + 1 - 32, 4));     // EDI last, lowest
            for (int r = 0; r < 8; r++) if (r != ESP) g.cpu.gpr[r] = 0;
            g.ok();
            for (int r = 0; r < 8; r++) assertEquals(r == ESP ? LIMIT + 1 : 0x1000 * (r + 1), g.cpu.gpr[r]);
        }
        try (SegmentedGuest g = guest(compat, 0x60)) { // the first slot crosses the limit: nothing written
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT + 2).faults(SS, 0, BASE + LIMIT - 40, 48);
        }
        try (SegmentedGuest g = guest(compat, 0x60)) { // expand-down: the last slot below the limit
            g.seg(SSR, BASE, LIMIT, SegmentRegister.AR_DB | A_DATA_DOWN).gpr(ESP, LIMIT + 32).faults(SS, 0, BASE + LIMIT - 8, 48);
        }
        try (SegmentedGuest g = guest(compat, 0x61)) { // popad reading past the limit: no register changes
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESP, LIMIT - 30).faults(SS, 0);
        }
    }

    // ---- string instructions

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void stringDestinationIsEsAndChecked(boolean compat) {
        try (SegmentedGuest g = guest(compat, STOSD)) {
            g.seg(ES, BASE, LIMIT, A_DATA).gpr(EDI, LIMIT - 3).gpr(EAX, 0xABCDEF).ok();
            assertEquals(0xABCDEF, g.ram.read(BASE + LIMIT - 3, 4));
            assertEquals(LIMIT + 1, g.cpu.gpr[EDI]);
        }
        try (SegmentedGuest g = guest(compat, STOSD)) {
            g.seg(ES, BASE, LIMIT, A_DATA).gpr(EDI, LIMIT - 2).faults(GP, 0, BASE + LIMIT - 8, 16);
        }
        try (SegmentedGuest g = guest(compat, STOSD)) {
            g.seg(ES, BASE, LIMIT, A_DATA_RO).gpr(EDI, 0).faults(GP, 0, BASE, 16);
        }
        try (SegmentedGuest g = guest(compat, MOVSB)) { // the source is checked too (DS null)
            g.cpu.state.ds.loadNull(0);
            g.gpr(ESI, 0).gpr(EDI, 0x100).faults(GP, 0, 0x100, 4);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void repStopsAtTheLimitWithRegistersOfTheDoneIterations(boolean compat) {
        try (SegmentedGuest g = guest(compat, REP_STOSB)) {
            g.seg(ES, BASE, LIMIT, A_DATA).gpr(EDI, LIMIT - 1).gpr(ECX, 4).gpr(EAX, 0x5A);
            Exit x = g.run(1);
            assertEquals(Exit.Kind.FAULT, x.kind(), x.toString());
            assertEquals(GP, x.vector());
            assertEquals(CODE, g.cpu.state.rip);
            assertEquals(2, g.cpu.gpr[ECX]);
            assertEquals(LIMIT + 1, g.cpu.gpr[EDI]);
            assertEquals(0x5A5A, g.ram.read(BASE + LIMIT - 1, 2));
            assertEquals(0, g.ram.read(BASE + LIMIT + 1, 1));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void stringSourceOverrides(boolean compat) {
        try (SegmentedGuest g = guest(compat, LODSD_FS)) {
            g.ram.write(0x30000 + LIMIT - 3, 4, 0x600D);
            g.seg(FSR, 0x30000, LIMIT, A_DATA).gpr(ESI, LIMIT - 3).ok();
            assertEquals(0x600D, g.cpu.gpr[EAX]);
        }
        try (SegmentedGuest g = guest(compat, LODSD_FS)) {
            g.seg(FSR, 0x30000, LIMIT, A_DATA).gpr(ESI, LIMIT - 2).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, LODSD_SS)) { // through SS: #SS
            g.seg(SSR, BASE, LIMIT, BIG | A_DATA).gpr(ESI, LIMIT - 2).faults(SS, 0);
        }
    }

    // ---- instruction fetch and branches

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fetchBeyondCsLimitFaults(boolean compat) {
        int[] movEax1 = {0xB8, 0x01, 0x00, 0x00, 0x00};
        try (SegmentedGuest g = guest(compat, movEax1)) { // the instruction's last byte past the limit
            g.seg(CS, 0, CODE + 3, BIG & ~SegmentRegister.AR_G | CODE32_AR).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, movEax1)) { // just inside: it runs; the next fetch faults
            g.seg(CS, 0, CODE + 4, CODE32_AR);
            Exit x = g.run(10);
            assertEquals(1, g.cpu.gpr[EAX]);
            assertEquals(Exit.Kind.FAULT, x.kind(), x.toString());
            assertEquals(GP, x.vector());
            assertEquals(CODE + 5, g.cpu.state.rip);
        }
        try (SegmentedGuest g = guest(compat, 0x90, 0xB8, 0x01, 0x00, 0x00, 0x00)) { // the block ends before it
            g.seg(CS, 0, CODE + 3, CODE32_AR);
            Exit x = g.run(10);
            assertEquals(Exit.Kind.FAULT, x.kind(), x.toString());
            assertEquals(GP, x.vector());
            assertEquals(0, x.errorCode());
            assertEquals(CODE + 1, g.cpu.state.rip);
            assertEquals(0, g.cpu.gpr[EAX]);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nearBranchBeyondCsLimitFaultsOnTheBranch(boolean compat) {
        int limit = (int) CODE + 0x100;
        try (SegmentedGuest g = guest(compat, 0xE9, 0x00, 0x01, 0x00, 0x00)) { // jmp CODE+5+0x100
            g.seg(CS, 0, limit, CODE32_AR).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, 0xE9, 0xFB, 0x00, 0x00, 0x00)) { // jmp CODE+0x100: the last byte
            g.seg(CS, 0, limit, CODE32_AR).ok();
            assertEquals(CODE + 0x100, g.cpu.state.rip);
        }
        try (SegmentedGuest g = guest(compat, CALL_EAX)) {
            g.seg(CS, 0, limit, CODE32_AR).gpr(EAX, limit + 1).faults(GP, 0, 0x8000 - 8, 8);
        }
        try (SegmentedGuest g = guest(compat, RET)) {
            g.ram.write(0x8000, 4, limit + 1);
            g.seg(CS, 0, limit, CODE32_AR).faults(GP, 0);
        }
        try (SegmentedGuest g = guest(compat, 0x74, 0x7E)) { // je +0x7E with ZF = 1
            g.cpu.flags.setDirect(0x40);
            g.seg(CS, 0, CODE + 0x7F, CODE32_AR).faults(GP, 0);
        }
    }

    // ---- real-address mode: the limit counts, the type does not

    @org.junit.jupiter.api.Test
    void realModeChecksOnlyTheLimit() {
        int[] movMemAx = {0x89, 0x07}, movAxMem = {0x8B, 0x07}; // 16-bit code: mov [bx], ax; mov ax, [bx]
        try (SegmentedGuest g = guest(false, movMemAx)) {
            realMode(g);
            g.seg(DS, BASE, 0xFFFF, A_DATA_RO).gpr(EBX, 0xFFFE).gpr(EAX, 0x1234).ok(); // read-only ignored
            assertEquals(0x1234, g.ram.read(BASE + 0xFFFE, 2));
        }
        try (SegmentedGuest g = guest(false, movAxMem)) {
            realMode(g);
            g.seg(DS, BASE, 0xFFFF, A_DATA).gpr(EBX, 0xFFFF).faults(GP, 0); // a word at FFFFH crosses the limit
        }
    }

    private static void realMode(SegmentedGuest g) {
        g.cpu.state.cr0 &= ~CpuState.CR0_PE;
        g.cpu.state.cs.set(0, 0, 0xFFFF, A_CODE_R);
        g.cpu.refreshMode();
    }
}
