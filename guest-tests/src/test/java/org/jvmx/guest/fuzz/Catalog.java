package org.jvmx.guest.fuzz;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jvmx.decoder.Decoder;
import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.guest.host.JvmxCpu;
import org.jvmx.translator.exec.Engine;

/**
 * What the random generator may draw from, given the set of implemented mnemonics: every
 * spec form of an implemented mnemonic that the host CPU has, that {@link Exclusions} allows and
 * that {@link FormEmitter} can write (the way of writing it, with or without the size keyword or
 * as raw bytes, is probed once: a handful of random instances must assemble and decode back to
 * the form's mnemonic), plus the {@link Units}. Mnemonics whose instructions always fault at CPL 3
 * are kept apart and drawn rarely, since they end the sequence.
 */
final class Catalog {
    /** A writable form with the style that writes it. */
    record Template(SpecForm form, int style) {
    }

    private static final int PROBES = 12;
    /**
     * Not marked {@code priv} in the spec but faulting at CPL 3 here all the same: I/O and CLI/STI
     * without IOPL (SDM Vol. 1 18.2), MONITOR/MWAIT and GETSEC without their enables.
     */
    private static final String ALWAYS_FAULTING = "IN|OUT|INS[BWD]|OUTS[BWD]|CLI|STI|MONITORX?|MWAITX?|GETSECQ?";

    final Set<Mnemonic> implemented;
    final Setup helpers;
    final Map<Mnemonic, List<Object>> normal = new LinkedHashMap<>(), faulting = new LinkedHashMap<>();
    /** Forms of implemented mnemonics left out, with the reason. */
    final Map<String, String> skipped = new LinkedHashMap<>();

    Catalog(Set<Mnemonic> implemented) {
        this(implemented, true);
    }

    /**
     * @param checkForms run a few instances of each form in jvmx too and leave out the forms it
     *                   answers with #UD where the host does not: a group may implement some forms
     *                   of a mnemonic only (string MOVSD but not SSE MOVSD, XMM but not MMX forms)
     */
    Catalog(Set<Mnemonic> implemented, boolean checkForms) {
        this.implemented = implemented;
        this.helpers = Setup.of(implemented);
        List<SpecForm> cands = new ArrayList<>();
        for (SpecForm f : SpecForm.all()) {
            Mnemonic m = f.mnemonic();
            if (!implemented.contains(m) || Units.OWNED.contains(m)) continue;
            String why = reason(f);
            if (why != null) skipped.put(f.line(), why);
            else cands.add(f);
        }
        Map<SpecForm, Integer> style = probe(cands);
        if (checkForms) dropUnimplementedForms(style);
        for (SpecForm f : cands) {
            Integer s = style.get(f);
            if (s == null) {
                skipped.putIfAbsent(f.line(), "no way of writing it for GNU as that decodes back to " + f.mnemonic());
                continue;
            }
            boolean faults = f.has("priv") || "int".equals(f.attribute("flow")) || "sys".equals(f.attribute("flow"))
                    || f.mnemonic().name().matches(ALWAYS_FAULTING);
            (faults ? faulting : normal).computeIfAbsent(f.mnemonic(), k -> new ArrayList<>()).add(new Template(f, s));
        }
        for (Units.Unit u : Units.available(implemented))
            normal.computeIfAbsent(u.mnemonic(), k -> new ArrayList<>()).add(u);
    }

    /** Why a form cannot be in a random sequence, or null. */
    static String reason(SpecForm f) {
        String why = Exclusions.why(f.mnemonic());
        if (why != null) return why;
        String kind = f.encodingKind();
        if (!kind.equals("LEGACY") && !kind.equals("VEX")) return kind + " encodings are not generated (no opmask/ZMM state in the harness)";
        if (f.has("i64")) return "invalid in 64-bit mode";
        if (f.line().startsWith("0F 0D /r mod=11"))
            return "vendor-specific: a reserved NOP on Intel, #UD on AMD (the PREFETCH group)";
        for (String c : f.cpuid()) if (!HostFeatures.has(c)) return "the host CPU lacks " + c;
        String flow = f.attribute("flow");
        if (flow != null && flow.matches("call|ret|ijmp|icall|xbegin")) return "control transfer written by a unit only";
        for (String d : f.operands()) {
            if (d.startsWith("VSIB")) return "vector-index memory: index registers would leave the sandbox";
            String k = FormEmitter.Op.parse(d).kind();
            if (k.matches("S|C|D|ES|CS|SS|DS|FS|GS")) return "segment/control/debug register operand";
        }
        return null;
    }

    /** For each writable form, the first style whose probes all assemble and decode to its mnemonic. */
    private Map<SpecForm, Integer> probe(List<SpecForm> cands) {
        Map<SpecForm, Integer> chosen = new LinkedHashMap<>();
        List<SpecForm> open = new ArrayList<>(cands);
        for (int style = FormEmitter.STYLE_PTR; style <= FormEmitter.STYLE_RAW && !open.isEmpty(); style++) {
            List<String> snippets = new ArrayList<>();
            List<SpecForm> owner = new ArrayList<>();
            List<SpecForm> writable = new ArrayList<>();
            for (SpecForm f : open) {
                SplittableRandom r = new SplittableRandom(f.line().hashCode() * 31L + style);
                List<String> mine = new ArrayList<>();
                for (int k = 0; k < PROBES; k++) {
                    FormEmitter.Piece p = FormEmitter.emit(f, style, r, helpers);
                    if (p == null) break;
                    mine.add(String.join("\n", p.lines()).replace(FormEmitter.LABEL, "9f") + "\n9:");
                }
                if (mine.size() < PROBES) continue;
                writable.add(f);
                for (String s : mine) {
                    snippets.add(s);
                    owner.add(f);
                }
            }
            if (snippets.isEmpty()) continue;
            Gas.Result res = Gas.assembleEach(snippets);
            Map<SpecForm, Boolean> ok = new LinkedHashMap<>();
            for (SpecForm f : writable) ok.put(f, true);
            for (int i = 0; i < snippets.size(); i++) {
                byte[] code = res.code().get(i);
                if (code == null || !decodesTo(code, owner.get(i).mnemonic())) ok.put(owner.get(i), false);
            }
            for (int i = 0; i < snippets.size(); i++) {
                List<byte[]> l = samples.computeIfAbsent(owner.get(i), k -> new ArrayList<>());
                if (ok.get(owner.get(i)) && l.size() < 3) l.add(res.code().get(i));
            }
            for (var e : ok.entrySet()) {
                if (e.getValue()) {
                    chosen.put(e.getKey(), style);
                    open.remove(e.getKey());
                }
            }
        }
        return chosen;
    }

    private final Map<SpecForm, List<byte[]>> samples = new LinkedHashMap<>();

    private void dropUnimplementedForms(Map<SpecForm, Integer> style) {
        List<HostCase> cases = new ArrayList<>();
        List<SpecForm> owner = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(7);
        for (var e : style.entrySet()) {
            for (byte[] code : samples.getOrDefault(e.getKey(), List.of())) {
                cases.add(new HostCase(SequenceGenerator.state(r), code));
                owner.add(e.getKey());
            }
        }
        List<HostResult> nat = HostCpu.get().run(cases);
        for (int i = 0; i < cases.size(); i++) {
            SpecForm f = owner.get(i);
            if (!style.containsKey(f) || nat.get(i).signal() == HostResult.SIGILL) continue;
            HostResult j = JvmxCpu.run(cases.get(i), Engine.Tier.INTERPRET);
            if (j.signal() == HostResult.SIGILL && mnemonicAt(cases.get(i).code(), j.ripOffset()) == f.mnemonic()) {
                style.remove(f);
                skipped.put(f.line(), "jvmx answers #UD where the host runs it: form not implemented (yet)");
            }
        }
    }

    static Mnemonic mnemonicAt(byte[] code, long off) {
        if (off < 0 || off >= code.length) return null;
        Instruction in = new Instruction();
        new Decoder().decode(code, (int) off, code.length, HostCpu.CODE_BASE + off, in);
        return in.isInvalid() ? null : in.mnemonic();
    }

    /** True when some instruction of {@code code} decodes to {@code m}. */
    static boolean decodesTo(byte[] code, Mnemonic m) {
        return mnemonics(code).contains(m);
    }

    /** The mnemonics of the instructions in {@code code} (stops at the first invalid one). */
    static Set<Mnemonic> mnemonics(byte[] code) {
        return mnemonics(code, 64, true);
    }

    /** As {@link #mnemonics(byte[])}, decoding {@code bits}-bit code. */
    static Set<Mnemonic> mnemonics(byte[] code, int bits) {
        return mnemonics(code, bits, false);
    }

    /** With {@code cases}, the code of a host case: far returns switch modes ({@link org.jvmx.guest.host.Compat32}). */
    private static Set<Mnemonic> mnemonics(byte[] code, int bits, boolean cases) {
        Set<Mnemonic> out = EnumSet.noneOf(Mnemonic.class);
        Instruction in = new Instruction();
        for (int off = 0; off < code.length; ) {
            int n = Decoder.of(bits).decode(code, off, code.length, HostCpu.CODE_BASE + off, in);
            if (n <= 0 || in.isInvalid()) break;
            out.add(in.mnemonic());
            if (cases) bits = org.jvmx.guest.host.Compat32.bitnessAfter(in, bits);
            off += n;
        }
        return out;
    }

    /** Every mnemonic some template or unit can produce. */
    Set<Mnemonic> generated() {
        Set<Mnemonic> s = EnumSet.noneOf(Mnemonic.class);
        s.addAll(normal.keySet());
        s.addAll(faulting.keySet());
        return s;
    }

    boolean isEmpty() { return normal.isEmpty() && faulting.isEmpty(); }

    static Map<Mnemonic, Integer> counts(Map<Mnemonic, List<Object>> m) {
        Map<Mnemonic, Integer> c = new EnumMap<>(Mnemonic.class);
        m.forEach((k, v) -> c.put(k, v.size()));
        return c;
    }
}
