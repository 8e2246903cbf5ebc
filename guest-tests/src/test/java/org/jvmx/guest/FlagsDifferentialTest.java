package org.jvmx.guest;

import static org.junit.jupiter.api.Assertions.*;
import static org.jvmx.guest.host.HostState.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.guest.host.HostState;
import org.jvmx.translator.cpu.LazyFlags;

/**
 * Every flag-setting operation of {@link LazyFlags}, at every operand size, against the host CPU:
 * random and edge operands (random incoming flags, so ADC/SBB carry-in, INC/DEC's kept CF and
 * the rotates' kept SF ZF AF PF are exercised), run natively as {@code op rax-ish, rcx-ish} (or
 * {@code op al.., cl} for shifts and rotates; see {@link #NEW_OPS} for the later ops, which also use
 * RDX). Every flag the engine calls defined, and the result (with the high half of the
 * one-operand multiplies), must match.
 */
class FlagsDifferentialTest {
    private static final int PER_FORM = 2_500;
    /** Cases per form for the ops added later (NEW_OPS). */
    private static final int PER_NEW_FORM = 2_000;
    private static final int BATCH = 5_000;
    private static final long SEED = 0x5eed_f1a9L;
    private static final int[] SIZES = { 8, 16, 32, 64 };
    private static final String[] OPS = { "add", "adc", "sub", "sbb", "cmp", "and", "or", "xor", "test",
            "inc", "dec", "neg", "shl", "shr", "sar", "rol", "ror" };
    /**
     * Later ops, at the sizes they exist in: {@code mul1}/{@code imul1} are the one-operand forms
     * (RDX:RAX = RAX * RCX), {@code imul3} is {@code imul r, r/m, -3}; SHLD/SHRD shift RAX by CL
     * filling from RDX; ANDN is {@code rax = ~rcx & rdx}; BZHI takes its index from DL.
     */
    private static final String[] NEW_OPS = { "rcl", "rcr", "shld", "shrd", "mul1", "imul1", "imul2", "imul3",
            "bt", "bts", "btr", "btc", "bsf", "bsr", "popcnt", "lzcnt", "tzcnt", "andn", "blsi", "blsmsk", "blsr",
            "bzhi", "adcx", "adox" };
    private static final String[][] REG3 = { { "al", "cl", "dl" }, { "ax", "cx", "dx" }, { "eax", "ecx", "edx" },
            { "rax", "rcx", "rdx" } };

    private record Form(String op, int size) {
        String asm() {
            String[] r = REG3[Integer.numberOfTrailingZeros(size) - 3];
            return switch (op) {
                case "inc", "dec", "neg" -> op + " " + r[0];
                case "shl", "shr", "sar", "rol", "ror", "rcl", "rcr" -> op + " " + r[0] + ", cl";
                case "shld", "shrd" -> op + " " + r[0] + ", " + r[2] + ", cl";
                case "mul1", "imul1" -> op.substring(0, op.length() - 1) + " " + r[1];
                case "imul2" -> "imul " + r[0] + ", " + r[1];
                case "imul3" -> "imul " + r[0] + ", " + r[1] + ", -3";
                case "blsi", "blsmsk", "blsr" -> op + " " + r[0] + ", " + r[1];
                case "andn" -> op + " " + r[0] + ", " + r[1] + ", " + r[2];
                case "bzhi" -> op + " " + r[0] + ", " + r[1] + ", " + r[2];
                default -> op + " " + r[0] + ", " + r[1];
            };
        }

        /** RCX is a shift count (CL). */
        boolean shift() { return List.of("shl", "shr", "sar", "rol", "ror", "rcl", "rcr", "shld", "shrd").contains(op); }

        /** The one-operand multiplies, whose high half (AH, DX, EDX, RDX) is checked too. */
        boolean wide() { return op.equals("mul1") || op.equals("imul1"); }

        /** 16-bit SHLD/SHRD with a masked count over 16: result and flags undefined. */
        boolean resultUndefined(long b) { return size == 16 && op.startsWith("sh") && op.endsWith("d") && (b & 31) > 16; }
    }

    /** The engine's result of {@code f} on (a, b) starting from {@code flagsIn}; flags left in {@code lf}. */
    private static long emulate(LazyFlags lf, Form f, long a, long b, long c, long flagsIn) {
        lf.setDirect(flagsIn);
        int s = f.size();
        int count = (int) (b & 0xff);
        return switch (f.op()) {
            case "add" -> lf.add(s, a, b);
            case "adc" -> lf.adc(s, a, b);
            case "sub" -> lf.sub(s, a, b);
            case "sbb" -> lf.sbb(s, a, b);
            case "cmp" -> { lf.cmp(s, a, b); yield a & -1L >>> (64 - s); }
            case "and" -> lf.and(s, a, b);
            case "or" -> lf.or(s, a, b);
            case "xor" -> lf.xor(s, a, b);
            case "test" -> { lf.test(s, a, b); yield a & -1L >>> (64 - s); }
            case "inc" -> lf.inc(s, a);
            case "dec" -> lf.dec(s, a);
            case "neg" -> lf.neg(s, a);
            case "shl" -> lf.shl(s, a, count);
            case "shr" -> lf.shr(s, a, count);
            case "sar" -> lf.sar(s, a, count);
            case "rol" -> lf.rol(s, a, count);
            case "ror" -> lf.ror(s, a, count);
            case "rcl" -> lf.rcl(s, a, count);
            case "rcr" -> lf.rcr(s, a, count);
            case "shld" -> lf.shld(s, a, c, count);
            case "shrd" -> lf.shrd(s, a, c, count);
            case "mul1" -> lf.mul(s, a, b);
            case "imul1", "imul2" -> lf.imul(s, a, b);
            case "imul3" -> lf.imul(s, b, -3);
            case "bt" -> lf.bt(s, a, b);
            case "bts" -> lf.bts(s, a, b);
            case "btr" -> lf.btr(s, a, b);
            case "btc" -> lf.btc(s, a, b);
            case "bsf" -> lf.bsf(s, a, b);
            case "bsr" -> lf.bsr(s, a, b);
            case "popcnt" -> lf.popcnt(s, b);
            case "lzcnt" -> lf.lzcnt(s, b);
            case "tzcnt" -> lf.tzcnt(s, b);
            case "andn" -> lf.andn(s, b, c);
            case "blsi" -> lf.blsi(s, b);
            case "blsmsk" -> lf.blsmsk(s, b);
            case "blsr" -> lf.blsr(s, b);
            case "bzhi" -> lf.bzhi(s, b, c);
            case "adcx" -> lf.adcx(s, a, b);
            case "adox" -> lf.adox(s, a, b);
            default -> throw new AssertionError(f.op());
        };
    }

    private static long operand(SplittableRandom r, int size) {
        long sign = 1L << (size - 1);
        return switch (r.nextInt(6)) {
            case 0, 1, 2 -> r.nextLong();
            case 3 -> new long[] { 0, 1, -1, 2, -2, sign, sign - 1, sign + 1, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100,
                    0x7fff, 0x8000, 0xffff, 0x8000_0000L, 0x7fff_ffffL, 0xffff_ffffL }[r.nextInt(20)]
                    | (r.nextBoolean() ? 0 : r.nextLong() << size); // garbage above the size must not matter
            case 4 -> r.nextLong(-16, 17);
            default -> sign + r.nextLong(-16, 17);
        };
    }

    /** Whether {@code op} exists at {@code size} bits (register forms). */
    private static boolean exists(String op, int size) {
        return switch (op) {
            case "rcl", "rcr", "mul1", "imul1" -> true;
            case "andn", "blsi", "blsmsk", "blsr", "bzhi", "adcx", "adox" -> size >= 32;
            default -> size >= 16;
        };
    }

    /** A BT bit offset: below the size, just above it, or any register value (taken mod size). */
    private static long bitOffset(SplittableRandom r, int size) {
        return switch (r.nextInt(3)) {
            case 0 -> r.nextInt(size);
            case 1 -> r.nextInt(size, 2 * size + 2);
            default -> r.nextLong();
        };
    }

    private static long count(SplittableRandom r, int size) {
        return switch (r.nextInt(4)) {
            case 0, 1 -> r.nextInt(size + 3);                    // 0..size+2: 0, 1, size, size+1 and around
            case 2 -> (r.nextInt(1, 4) << 6) | r.nextInt(4);   // masks to 0..3 (the CPU masks to 5 or 6 bits)
            default -> r.nextLong();                             // any CL, upper bits ignored by the CPU
        };
    }

    @Test
    void everyDefinedFlagMatchesTheHostCpu() {
        List<Form> forms = new ArrayList<>();
        for (String op : OPS) for (int s : SIZES) forms.add(new Form(op, s));
        int firstNew = forms.size();
        for (String op : NEW_OPS) for (int s : SIZES) if (exists(op, s)) forms.add(new Form(op, s));
        List<byte[]> code = Gas.assemble(forms.stream().map(Form::asm).toList());

        SplittableRandom r = new SplittableRandom(SEED);
        List<HostCase> cases = new ArrayList<>();
        List<Integer> formOf = new ArrayList<>();
        for (int i = 0; i < forms.size(); i++) {
            Form f = forms.get(i);
            for (int k = 0, n = i < firstNew ? PER_FORM : PER_NEW_FORM; k < n; k++) {
                long a = operand(r, f.size());
                long b = f.shift() ? count(r, f.size()) : f.op().startsWith("bt") ? bitOffset(r, f.size()) : operand(r, f.size());
                long c = f.op().equals("bzhi") ? count(r, f.size()) : operand(r, f.size());
                long flags = r.nextLong() & (LazyFlags.STATUS | DF);
                cases.add(new HostCase(HostState.initial().withGpr(RAX, a).withGpr(RCX, b).withGpr(RDX, c)
                        .withRflags(flags), code.get(i)));
                formOf.add(i);
            }
        }

        HostCpu cpu = HostCpu.get();
        LazyFlags lf = new LazyFlags();
        int mismatches = 0;
        int[] perFormCases = new int[forms.size()], perFormBad = new int[forms.size()];
        StringBuilder report = new StringBuilder();
        for (int from = 0; from < cases.size(); from += BATCH) {
            List<HostCase> batch = cases.subList(from, Math.min(cases.size(), from + BATCH));
            List<HostResult> results = cpu.run(batch);
            assertEquals(batch.size(), results.size());
            for (int j = 0; j < batch.size(); j++) {
                HostCase c = batch.get(j);
                HostResult hr = results.get(j);
                Form f = forms.get(formOf.get(from + j));
                perFormCases[formOf.get(from + j)]++;
                assertFalse(hr.faulted(), () -> f.asm() + ": " + hr);
                long a = c.state().gpr(RAX), b = c.state().gpr(RCX), d = c.state().gpr(RDX), in = c.state().rflags();
                long want = emulate(lf, f, a, b, d, in);
                long defined = lf.definedMask();
                long got = hr.state().rflags();
                long m = -1L >>> (64 - f.size());
                boolean flagsOk = ((got ^ lf.rflags()) & defined) == 0;
                boolean resOk = (hr.state().gpr(RAX) & m) == want || f.resultUndefined(b);
                if (f.wide()) {
                    long hostHigh = f.size() == 8 ? (hr.state().gpr(RAX) >>> 8) & 0xff : hr.state().gpr(RDX) & m;
                    long hostLow = f.size() == 8 ? hr.state().gpr(RAX) & 0xff : hr.state().gpr(RAX) & m;
                    resOk = hostLow == want && hostHigh == lf.high();
                }
                if (!flagsOk || !resOk) {
                    perFormBad[formOf.get(from + j)]++;
                    if (mismatches++ < 30)
                        report.append(String.format("%-12s a=%016x b=%016x in=%03x: host res=%x flags=%03x, "
                                + "jvmx res=%x flags=%03x defined=%03x%n", f.asm(), a, b, in,
                                hr.state().gpr(RAX) & m, got & LazyFlags.STATUS, want, lf.rflags(), defined));
                }
            }
        }
        System.out.printf("FlagsDifferentialTest: %d forms, %d cases, %d mismatches%n", forms.size(), cases.size(),
                mismatches);
        for (int i = 0; i < forms.size(); i++)
            if (perFormBad[i] != 0) report.append(forms.get(i).asm()).append(": ").append(perFormBad[i]).append(" bad\n");
        for (int i = 0; i < forms.size(); i++) assertEquals(i < firstNew ? PER_FORM : PER_NEW_FORM, perFormCases[i]);
        assertEquals(0, mismatches, report::toString);
    }
}
