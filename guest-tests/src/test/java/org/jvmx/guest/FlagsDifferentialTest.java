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
 * {@code op al.., cl} for shifts and rotates). Every flag the engine calls defined, and the
 * result, must match.
 */
class FlagsDifferentialTest {
    private static final int PER_FORM = 2_500;
    private static final int BATCH = 5_000;
    private static final long SEED = 0x5eed_f1a9L;
    private static final int[] SIZES = { 8, 16, 32, 64 };
    private static final String[] OPS = { "add", "adc", "sub", "sbb", "cmp", "and", "or", "xor", "test",
            "inc", "dec", "neg", "shl", "shr", "sar", "rol", "ror" };
    private static final String[][] REG = { { "al", "cl" }, { "ax", "cx" }, { "eax", "ecx" }, { "rax", "rcx" } };

    private record Form(String op, int size) {
        String asm() {
            String[] r = REG[Integer.numberOfTrailingZeros(size) - 3];
            return switch (op) {
                case "inc", "dec", "neg" -> op + " " + r[0];
                case "shl", "shr", "sar", "rol", "ror" -> op + " " + r[0] + ", cl";
                default -> op + " " + r[0] + ", " + r[1];
            };
        }

        boolean shift() { return List.of("shl", "shr", "sar", "rol", "ror").contains(op); }
    }

    /** The engine's result of {@code f} on (a, b) starting from {@code flagsIn}; flags left in {@code lf}. */
    private static long emulate(LazyFlags lf, Form f, long a, long b, long flagsIn) {
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
        List<byte[]> code = Gas.assemble(forms.stream().map(Form::asm).toList());

        SplittableRandom r = new SplittableRandom(SEED);
        List<HostCase> cases = new ArrayList<>();
        List<Integer> formOf = new ArrayList<>();
        for (int i = 0; i < forms.size(); i++) {
            Form f = forms.get(i);
            for (int k = 0; k < PER_FORM; k++) {
                long a = operand(r, f.size());
                long b = f.shift() ? count(r, f.size()) : operand(r, f.size());
                long flags = r.nextLong() & (LazyFlags.STATUS | DF);
                cases.add(new HostCase(HostState.initial().withGpr(RAX, a).withGpr(RCX, b).withRflags(flags), code.get(i)));
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
                long a = c.state().gpr(RAX), b = c.state().gpr(RCX), in = c.state().rflags();
                long want = emulate(lf, f, a, b, in);
                long defined = lf.definedMask();
                long got = hr.state().rflags();
                long m = -1L >>> (64 - f.size());
                boolean flagsOk = ((got ^ lf.rflags()) & defined) == 0;
                boolean resOk = (hr.state().gpr(RAX) & m) == want;
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
        for (int n : perFormCases) assertEquals(PER_FORM, n);
        assertEquals(0, mismatches, report::toString);
    }
}
