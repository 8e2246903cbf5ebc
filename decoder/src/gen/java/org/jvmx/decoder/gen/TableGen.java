package org.jvmx.decoder.gen;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Build-time generator of the decoder's tables from the instruction spec
 * ({@code decoder/src/main/spec/*.spec}, format in FORMAT.md beside them).
 *
 * <p>Run by Maven in generate-sources with the JDK's source launcher:
 * {@code java TableGen.java SPEC_DIR JAVA_OUT RESOURCE_OUT}. It writes the {@code Mnemonic},
 * {@code CpuidFeature} and {@code OperandCode} sources and the binary {@code decode-tables.bin}
 * that {@code org.jvmx.decoder.Tables} loads. Any malformed line is reported as
 * {@code file:line: message} and the build fails.
 */
public final class TableGen {

    // ---- the operand vocabulary (the one place it is defined; OperandCode.java is generated from it)

    /** Addressing kinds, in id order. */
    static final List<String> KINDS = List.of(
            "NONE", "E", "G", "M", "R", "Z", "I", "IS", "J", "O", "X", "Y", "S", "C", "D",
            "V", "W", "U", "H", "L", "P", "Q", "N", "B", "KR", "KW", "KU", "KH", "BND", "BNDW",
            "ST", "STI", "VSIBX", "VSIBY", "VSIBZ", "T", "TU", "TH", "FIXED", "CONST1", "MIB", "SIBMEM", "XLAT", "XD", "A", "IM4");
    /** Sizes, in id order. */
    static final List<String> SIZES = List.of(
            "", "b", "w", "d", "q", "v", "z", "y", "dq", "qq", "dqq", "x", "hx", "qx", "ox",
            "ss", "sd", "sh", "t", "p", "s", "e", "fs", "fx", "xs", "kh", "n", "a");
    /** Fixed register operands accepted by name; rAX/eAX follow the operand size. */
    static final List<String> FIXED = List.of(
            "AL", "CL", "DL", "BL", "AX", "CX", "DX", "BX", "EAX", "ECX", "EDX", "EBX", "RAX", "RCX", "RDX", "RBX",
            "rAX", "eAX", "ES", "CS", "SS", "DS", "FS", "GS", "XMM0", "ST0");

    /** Encoding spaces: legacy maps 0-3, VEX maps 1-3, EVEX maps 1-3, 5, 6. */
    static final int SPACES = 15;
    static final int SP_LEGACY = 0, SP_VEX = 4, SP_EVEX = 7, SP_XOP = 12;

    // selector bits (must agree with Decoder)
    static final int SEL_PFX = 0, SEL_REG = 2, SEL_MODREG = 5, SEL_RM = 6, SEL_W = 9, SEL_L = 10, SEL_OSZ = 12, SEL_ASZ32 = 14, SEL_REXB = 15, SEL_SUFFIX = 16, SEL_P66 = 24,
            SEL_NOT64 = 25;

    // attribute bits (must agree with Decoder; emitted into OperandCode as constants)
    static final String[] ATTR_NAMES = {
        "LOCK", "REP", "REPNE", "O64", "F64", "I64", "O64ONLY", "PRIV", "FLOW0", "FLOW1", "FLOW2", "FLOW3",
        "MODRM", "VVVV", "K", "KZ", "KREQ", "ER", "SAE", "BCST0", "BCST1", "BCSTW", "TUPLE0", "TUPLE1", "TUPLE2",
        "TUPLE3", "TUPLE4", "HLE", "BND", "NOTRACK", "FORCEREG", "DISTINCT"};
    static final List<String> FLOWS = List.of("none", "jmp", "jcc", "call", "ret", "int", "sys", "ijmp", "icall", "xbegin");
    static final List<String> TUPLES = List.of("NONE", "FV", "FVM", "HV", "HVM", "QVM", "OVM", "T1S", "T1S8", "T1S16",
            "T1F", "T2", "T4", "T8", "M128", "DUP", "T1S4", "QV");
    /** RFLAGS letters → bit numbers. */
    static final String FLAG_LETTERS = "CPAZSTIDOXRNVFGJ";
    static final int[] FLAG_BITS = {0, 2, 4, 6, 7, 8, 9, 10, 11, 18, 16, 14, 17, 19, 20, 21};

    record Form(String file, int line, int space, int opcode, int mask, int value, String mnemonic,
                int[] ops, int attrs, int[] flags, int[] exits, String cpuid, boolean needsModrm) {}

    static final class SpecError extends RuntimeException {
        SpecError(String m) { super(m); }
    }

    private final List<Form> forms = new ArrayList<>();
    /** VEX/EVEX W0 forms with a 32-bit general register, and W1 forms with a 64-bit one (see addLegacyWCopies). */
    private final List<Form> gpr32W0 = new ArrayList<>(), gpr64W1 = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: TableGen SPEC_DIR JAVA_OUT RESOURCE_OUT");
            System.exit(2);
        }
        TableGen g = new TableGen();
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            files = s.filter(p -> p.toString().endsWith(".spec")).sorted().toList();
        }
        for (Path f : files) g.parseFile(f);
        if (!g.errors.isEmpty()) {
            g.errors.forEach(System.err::println);
            System.err.println("tablegen: " + g.errors.size() + " error(s) in the spec");
            System.exit(1);
        }
        g.addLegacyWCopies();
        g.checkSlots();
        if (!g.errors.isEmpty()) {
            g.errors.forEach(System.err::println);
            System.exit(1);
        }
        g.emit(Path.of(args[1]), Path.of(args[2]));
        System.out.println("tablegen: " + g.forms.size() + " forms from " + files.size() + " spec files");
    }

    void parseFile(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        String name = f.getFileName().toString();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            int hash = raw.indexOf('#');
            String l = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (l.isEmpty()) continue;
            try {
                parseLine(name, i + 1, l);
            } catch (SpecError e) {
                errors.add(name + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
    }

    // ---- one line

    void parseLine(String file, int lineNo, String l) {
        String[] cols = l.split("\\|", -1);
        if (cols.length < 2 || cols.length > 3) throw new SpecError("expected 'ENCODING | MNEMONIC OPERANDS | ATTRIBUTES'");
        String[] enc = cols[0].strip().split("\\s+");
        String insn = cols[1].strip();
        String attrText = cols.length == 3 ? cols[2].strip() : "";
        if (insn.isEmpty()) throw new SpecError("missing mnemonic");

        int sp = insn.indexOf(' ');
        String mnem = sp < 0 ? insn : insn.substring(0, sp);
        String opText = sp < 0 ? "" : insn.substring(sp + 1).replace(" ", "");
        if (!mnem.matches("[A-Z][A-Z0-9_]*")) throw new SpecError("bad mnemonic '" + mnem + "'");

        // encoding
        int mask = 0, value = 0;
        int space = -1;
        List<Integer> opcodes = new ArrayList<>();
        boolean plusR = false, modrm = false, fixedModrm = false, forceReg = false;
        int modrmReg = -1, modrmRm = -1, mod = -1; // mod: -1 any, 3 reg, 0 mem
        int mandatory = -1; // -1 absent, 0 NP, 1 66, 2 F3, 3 F2
        int w = -1, vl = -1; // vl: -1 = all legal (vector), -2 = LIG
        boolean vex = false, evex = false, xop = false;
        int legacyMap = 0;
        boolean opcodeSeen = false;
        int osz = -1, asz = -1;
        int modeSel = -1; // -1 any mode, 0 only 64-bit mode, 1 only 16/32-bit modes (SEL_NOT64)
        for (int t = 0; t < enc.length; t++) {
            String tok = enc[t];
            if (tok.startsWith("VEX.") || tok.startsWith("EVEX.") || tok.startsWith("XOP.")) {
                if (opcodeSeen || vex || evex) throw new SpecError("VEX/EVEX/XOP token must come first");
                evex = tok.startsWith("EVEX.");
                xop = tok.startsWith("XOP.");
                vex = !evex;
                int map = -1;
                mandatory = 0;
                for (String fld : tok.substring(tok.indexOf('.') + 1).split("\\.")) {
                    switch (fld) {
                        case "128", "L0", "LZ" -> vl = 0;
                        case "256", "L1" -> vl = 1;
                        case "512" -> { if (!evex) throw new SpecError("512 needs EVEX"); vl = 2; }
                        case "LIG" -> vl = -2;
                        case "NP" -> mandatory = 0;
                        case "66" -> mandatory = 1;
                        case "F3" -> mandatory = 2;
                        case "F2" -> mandatory = 3;
                        case "0F" -> map = 1;
                        case "0F38" -> map = 2;
                        case "0F3A" -> map = 3;
                        case "MAP5" -> { if (!evex) throw new SpecError("MAP5 needs EVEX"); map = 5; }
                        case "MAP6" -> { if (!evex) throw new SpecError("MAP6 needs EVEX"); map = 6; }
                        case "08", "09", "0A" -> { if (!xop) throw new SpecError("maps 08/09/0A need XOP"); map = Integer.parseInt(fld, 16); }
                        case "W0" -> w = 0;
                        case "W1" -> w = 1;
                        case "WIG" -> w = -1;
                        case "NDS", "NDD", "DDS" -> { }
                        default -> throw new SpecError("unknown VEX/EVEX field '" + fld + "' in " + tok);
                    }
                }
                if (map < 0) throw new SpecError("VEX/EVEX token without map (0F/0F38/0F3A/MAP5/MAP6): " + tok);
                if (xop != map >= 8) throw new SpecError("XOP needs map 08/09/0A");
                space = xop ? SP_XOP + map - 8 : vex ? SP_VEX + map - 1 : SP_EVEX + (map <= 3 ? map - 1 : map - 2);
                continue;
            }
            switch (tok) {
                case "NP" -> { mandatory = 0; continue; }
                case "W0" -> { w = 0; continue; }
                case "W1", "REX.W" -> { w = 1; continue; }
                case "o16" -> { osz = 0; continue; }
                case "o32" -> { osz = 1; continue; }
                case "o64" -> { osz = 2; continue; }
                case "a32" -> { asz = 1; continue; }
                case "a64" -> { asz = 0; modeSel = 0; continue; }
                case "a16" -> { asz = 0; modeSel = 1; continue; }
                case "mode64" -> { modeSel = 0; continue; }
                case "legacy" -> { modeSel = 1; continue; }
                case "rexb0" -> { mask |= 1 << SEL_REXB; continue; }
                case "no66" -> { mask |= 1 << SEL_P66; continue; }
                case "/r" -> { modrm = true; continue; }
                case "mod=11" -> { mod = 3; continue; }
                case "mod!=11" -> { mod = 0; continue; }
                case "mod=any" -> { forceReg = true; continue; }
                default -> { }
            }
            if (tok.matches("/[0-7]")) { modrm = true; modrmReg = tok.charAt(1) - '0'; continue; }
            if (tok.matches("rm=[0-7]")) { modrmRm = tok.charAt(3) - '0'; continue; }
            if (tok.matches("imm=[0-9A-F]{2}")) {
                int sfx = Integer.parseInt(tok.substring(4), 16);
                mask |= 0xff << SEL_SUFFIX;
                value |= sfx << SEL_SUFFIX;
                continue;
            }
            if (tok.matches("[0-9A-F]{2}(\\+[ri])?")) {
                int b = Integer.parseInt(tok.substring(0, 2), 16);
                if (!opcodeSeen) {
                    if (!vex && !evex) {
                        if ((b == 0x66 || b == 0xF2 || b == 0xF3) && legacyMap == 0 && hexFollows(enc, t)) {
                            mandatory = b == 0x66 ? 1 : b == 0xF3 ? 2 : 3;
                            continue;
                        }
                        if (b == 0x0F && legacyMap == 0) { legacyMap = 1; continue; }
                        if (legacyMap == 1 && (b == 0x38 || b == 0x3A)) { // 0F 38 / 0F 3A are always escapes
                            legacyMap = b == 0x38 ? 2 : 3;
                            continue;
                        }
                    }
                    opcodeSeen = true;
                    if (tok.endsWith("+r")) {
                        plusR = true;
                        if ((b & 7) != 0) throw new SpecError("+r opcode must have low 3 bits 0: " + tok);
                        for (int r = 0; r < 8; r++) opcodes.add(b + r);
                    } else if (tok.endsWith("+i")) {
                        throw new SpecError("+i applies to a ModRM byte after the opcode");
                    } else {
                        opcodes.add(b);
                    }
                    continue;
                }
                // a byte after the opcode: fixed ModRM
                if (modrm) throw new SpecError("second ModRM byte: " + tok);
                modrm = true;
                if ((b >> 6) != 3) throw new SpecError("fixed ModRM byte must have mod=11: " + tok);
                mod = 3;
                modrmReg = (b >> 3) & 7;
                if (tok.endsWith("+i")) {
                    if ((b & 7) != 0) throw new SpecError("+i ModRM must have rm=0: " + tok);
                } else {
                    modrmRm = b & 7;
                    fixedModrm = true;
                }
                continue;
            }
            throw new SpecError("unknown encoding token '" + tok + "'");
        }
        if (opcodes.isEmpty()) throw new SpecError("no opcode byte");
        if (space < 0) space = SP_LEGACY + legacyMap;

        // operands
        List<Integer> ops = new ArrayList<>();
        boolean regOnly = false, memOnly = false, usesVvvv = false, usesRm = false, usesReg = false;
        if (!opText.isEmpty()) {
            for (String o : opText.split(",")) {
                int code = operand(o);
                if (o.equals("Ap")) {
                    // the far pointer ptr16:16/32 is two immediates, in encoding order: offset (z), selector (w)
                    ops.add(KINDS.indexOf("A") | SIZES.indexOf("z") << 8);
                    code = KINDS.indexOf("A") | SIZES.indexOf("w") << 8;
                }
                ops.add(code);
                String kind = KINDS.get(code & 0xff);
                switch (kind) {
                    case "M", "VSIBX", "VSIBY", "VSIBZ", "MIB", "SIBMEM" -> { memOnly = true; usesRm = true; }
                    case "A" -> { }
                    case "R", "U", "N", "KU", "TU", "STI" -> { regOnly = true; usesRm = true; }
                    case "E", "W", "Q", "KW", "BNDW" -> usesRm = true;
                    case "G", "S", "C", "D", "V", "P", "KR", "BND", "T" -> usesReg = true;
                    case "H", "B", "KH", "TH" -> usesVvvv = true;
                    case "Z" -> { if (!plusR) throw new SpecError("Z operand needs an XX+r opcode"); }
                    default -> { }
                }
            }
        }
        if (ops.size() > 5) throw new SpecError("more than 5 operands");
        if ((usesRm || usesReg) && !modrm) throw new SpecError("ModRM operand without /r, /digit or ModRM byte");
        if (regOnly && memOnly) throw new SpecError("operands need both register-only and memory-only r/m");
        if (regOnly && !forceReg) { if (mod == 0) throw new SpecError("mod!=11 contradicts a register-only operand"); mod = 3; }
        if (memOnly) { if (mod == 3) throw new SpecError("mod=11 contradicts a memory-only operand"); mod = 0; }
        if (usesVvvv && !vex && !evex) throw new SpecError("H/B/KH operand needs VEX or EVEX");

        // selector mask/value
        if (mandatory >= 0) { mask |= 3 << SEL_PFX; value |= mandatory << SEL_PFX; }
        if (modrmReg >= 0) { mask |= 7 << SEL_REG; value |= modrmReg << SEL_REG; }
        if (mod >= 0) { mask |= 1 << SEL_MODREG; value |= (mod == 3 ? 1 : 0) << SEL_MODREG; }
        if (modrmRm >= 0) { mask |= 7 << SEL_RM; value |= modrmRm << SEL_RM; }
        if (w >= 0) { mask |= 1 << SEL_W; value |= w << SEL_W; }
        if (vl >= 0) { mask |= 3 << SEL_L; value |= vl << SEL_L; }
        if (osz >= 0) { mask |= 3 << SEL_OSZ; value |= osz << SEL_OSZ; }
        if (asz >= 0) { mask |= 1 << SEL_ASZ32; value |= asz << SEL_ASZ32; }
        if (attrText.matches("(.*\\s)?o64only(\\s.*)?")) modeSel = 0;
        // VEX/EVEX forms whose W1 names a 64-bit general register (VMOVQ r64, ANDN r64, ...) exist only in
        // 64-bit mode; outside it W is ignored and the W0 form (r32) decodes both (SDM Vol. 2, 2.3.5.4:
        // "VEX.W1 ... in non-64-bit modes is ignored"; iced-x86 agrees)
        boolean vexLike = vex || evex || xop;
        boolean gpr64 = vexLike && w == 1 && hasGpr(ops, "q", "y");
        boolean gpr32 = vexLike && w == 0 && hasGpr(ops, "d", "y");
        if (gpr64) modeSel = 0;
        if (modeSel >= 0) { mask |= 1 << SEL_NOT64; value |= modeSel << SEL_NOT64; }
        if ((mod >= 0 || modrmReg >= 0 || modrmRm >= 0) && !modrm) throw new SpecError("ModRM restriction without ModRM");

        // attributes
        int attrs = 0;
        int[] flags = new int[5]; // r w u c s
        List<Integer> exits = new ArrayList<>();
        String cpuid = "";
        int flow = 0, tuple = 0, bcst = 0;
        for (String a : attrText.isEmpty() ? new String[0] : attrText.split("\\s+")) {
            int colon = a.indexOf(':');
            if (colon == 1 && "rwucs".indexOf(a.charAt(0)) >= 0) {
                int which = "rwucs".indexOf(a.charAt(0));
                for (char c : a.substring(2).toCharArray()) {
                    int fi = FLAG_LETTERS.indexOf(c);
                    if (fi < 0 || c == ',') {
                        if (c == ',') continue;
                        throw new SpecError("unknown flag letter '" + c + "' in " + a);
                    }
                    flags[which] |= 1 << FLAG_BITS[fi];
                }
                continue;
            }
            if (a.startsWith("flow=")) {
                flow = FLOWS.indexOf(a.substring(5));
                if (flow < 0) throw new SpecError("unknown flow '" + a + "'");
                continue;
            }
            if (a.startsWith("exit=")) {
                for (String n : a.substring(5).split(",")) {
                    try { exits.add(Integer.parseInt(n)); } catch (NumberFormatException e) { throw new SpecError("bad exit reason " + a); }
                }
                continue;
            }
            if (a.startsWith("cpuid=")) {
                String[] parts = a.substring(6).toUpperCase(Locale.ROOT).split(",");
                if (parts.length > 2) throw new SpecError("at most two CPUID features: " + a);
                for (int k = 0; k < parts.length; k++) {
                    parts[k] = parts[k].replaceAll("[^A-Z0-9_]", "_");
                    if (Character.isDigit(parts[k].charAt(0))) parts[k] = "_" + parts[k]; // 3DNOW -> _3DNOW, a Java name
                }
                cpuid = String.join(",", parts);
                continue;
            }
            if (a.startsWith("tuple=")) {
                tuple = TUPLES.indexOf(a.substring(6));
                if (tuple <= 0) throw new SpecError("unknown tuple '" + a + "'");
                continue;
            }
            if (a.startsWith("bcst=")) {
                bcst = switch (a.substring(5)) {
                    case "16" -> 1; case "32" -> 2; case "64" -> 3; case "W" -> 4;
                    default -> throw new SpecError("bad broadcast " + a);
                };
                continue;
            }
            switch (a) {
                case "lock" -> attrs |= bit("LOCK");
                case "rep" -> attrs |= bit("REP");
                case "repne" -> attrs |= bit("REPNE") | bit("REP");
                case "o64" -> attrs |= bit("O64");
                case "f64" -> attrs |= bit("F64");
                case "i64" -> attrs |= bit("I64");
                case "o64only" -> attrs |= bit("O64ONLY");
                case "priv" -> attrs |= bit("PRIV");
                case "k" -> attrs |= bit("K");
                case "kz" -> attrs |= bit("K") | bit("KZ");
                case "k!" -> attrs |= bit("K") | bit("KREQ");
                case "er" -> attrs |= bit("ER");
                case "sae" -> attrs |= bit("SAE");
                case "xacquire", "xrelease", "hle" -> attrs |= bit("HLE");
                case "bnd" -> attrs |= bit("BND");
                case "notrack" -> attrs |= bit("NOTRACK");
                case "distinct" -> attrs |= bit("DISTINCT");
                case "nomask0", "gather" -> { }
                default -> throw new SpecError("unknown attribute '" + a + "'");
            }
        }
        if ((attrs & (bit("K") | bit("ER") | bit("SAE"))) != 0 && !evex) throw new SpecError("k/kz/er/sae need EVEX");
        if (bcst != 0 && !evex) throw new SpecError("bcst needs EVEX");
        if (evex && tuple == 0 && hasMemory(ops)) throw new SpecError("EVEX form with a memory operand needs tuple=");
        attrs |= flow << bitIndex("FLOW0");
        attrs |= tuple << bitIndex("TUPLE0");
        if (bcst == 4) attrs |= bit("BCSTW") | (2 << bitIndex("BCST0"));
        else attrs |= bcst << bitIndex("BCST0");
        if (modrm) attrs |= bit("MODRM");
        if (forceReg) attrs |= bit("FORCEREG");
        if (usesVvvv) attrs |= bit("VVVV");

        int[] opArr = ops.stream().mapToInt(Integer::intValue).toArray();
        int[] exitArr = exits.stream().mapToInt(Integer::intValue).toArray();
        for (int opc : opcodes) {
            Form f = new Form(file, lineNo, space, opc, mask, value, mnem, opArr, attrs, flags, exitArr, cpuid, modrm);
            forms.add(f);
            if (gpr32 && modeSel < 0) gpr32W0.add(f);
            if (gpr64) gpr64W1.add(f);
        }
    }

    private static boolean hexFollows(String[] enc, int t) {
        for (int i = t + 1; i < enc.length; i++) if (enc[i].matches("[0-9A-F]{2}(\\+[ri])?")) return true;
        return false;
    }

    /** Whether a general-register operand (E G R B Z, Ry/M..) has one of these sizes. */
    private static boolean hasGpr(List<Integer> ops, String... sizes) {
        for (int o : ops) {
            String k = KINDS.get(o & 0xff);
            if (!List.of("E", "G", "R", "B", "Z").contains(k)) continue;
            if (Arrays.asList(sizes).contains(SIZES.get((o >> 8) & 0xff))) return true;
        }
        return false;
    }

    private static boolean hasMemory(List<Integer> ops) {
        for (int o : ops) {
            String k = KINDS.get(o & 0xff);
            if (List.of("E", "M", "W", "Q", "KW", "VSIBX", "VSIBY", "VSIBZ", "BNDW", "MIB", "SIBMEM").contains(k)) return true;
        }
        return false;
    }

    static int bitIndex(String name) {
        int i = Arrays.asList(ATTR_NAMES).indexOf(name);
        if (i < 0) throw new IllegalStateException(name);
        return i;
    }

    static int bit(String name) {
        return 1 << bitIndex(name);
    }

    /** Parses one operand into kind | size << 8 | extra << 16. */
    static int operand(String o) {
        int slash = o.indexOf('/');
        if (slash > 0) {
            // register-or-memory with different sizes (Intel's r32/m8): Ry/Mb (general), Udq/Md (vector), Nq/Md
            int r = operand(o.substring(0, slash)), m = operand(o.substring(slash + 1));
            String rk = KINDS.get(r & 0xff);
            if (!KINDS.get(m & 0xff).equals("M")) throw new SpecError("after '/' a memory operand M<size> is needed: '" + o + "'");
            String k = switch (rk) { case "R" -> "E"; case "U" -> "W"; case "N" -> "Q"; case "KU" -> "KW";
                default -> throw new SpecError("before '/' a register-only operand R/U/N/KU is needed: '" + o + "'"); };
            return KINDS.indexOf(k) | (r & 0xff00) | ((((m >> 8) & 0xff) + 1) << 16);
        }
        if (o.equals("1")) return KINDS.indexOf("CONST1");
        if (o.equals("IM4")) return KINDS.indexOf("IM4");
        if (o.equals("ST")) return KINDS.indexOf("ST");
        if (o.equals("STi")) return KINDS.indexOf("STI");
        int fixed = FIXED.indexOf(o);
        if (fixed >= 0) return KINDS.indexOf("FIXED") | (fixed << 16);
        if (o.startsWith("VSIB")) {
            // VSIBx.d : index register width, element size
            String[] p = o.split("\\.");
            int kind = KINDS.indexOf(p[0].toUpperCase(Locale.ROOT));
            if (kind < 0 || p.length != 2) throw new SpecError("bad VSIB operand '" + o + "' (VSIBx.d, VSIBy.q, VSIBz.d ...)");
            int size = SIZES.indexOf(p[1]);
            if (size < 0) throw new SpecError("bad VSIB element size in '" + o + "'");
            return kind | size << 8;
        }
        int i = 0;
        while (i < o.length() && Character.isUpperCase(o.charAt(i))) i++;
        String kind = o.substring(0, i);
        String size = o.substring(i);
        if (kind.equals("I") && size.startsWith("s")) { kind = "IS"; size = size.substring(1); if (size.isEmpty()) size = "b"; }
        if (kind.equals("ST") && size.equals("i")) { kind = "STI"; size = ""; }
        switch (kind) { case "TMM", "TMMR" -> kind = "T"; case "TMMU" -> kind = "TU"; case "TMMH" -> kind = "TH"; default -> { } }
        int k = KINDS.indexOf(kind);
        if (k <= 0 || kind.equals("FIXED") || kind.equals("CONST1")) throw new SpecError("unknown operand kind in '" + o + "'");
        int s = SIZES.indexOf(size);
        if (s < 0) throw new SpecError("unknown operand size '" + size + "' in '" + o + "'");
        return k | s << 8;
    }

    /**
     * Outside 64-bit mode VEX/EVEX.W is ignored where W1 selects a 64-bit general register (VMOVD/VMOVQ,
     * VPEXTRD/Q, ...; SDM Vol. 2, 2.3.5.4; the W1 forms are {@code mode64}): a W0 form whose slot has
     * such a W1 sibling (same selector apart from W) gets a copy, right after it, that matches any W
     * outside 64-bit mode. W0 forms without a W1 sibling (KMOVB k, r32) stay W0-only.
     */
    void addLegacyWCopies() {
        int ignore = 1 << SEL_W | 1 << SEL_NOT64;
        for (Form f : gpr32W0) {
            boolean sibling = false;
            for (Form g : gpr64W1) {
                sibling |= g.space == f.space && g.opcode == f.opcode && (g.mask & ~ignore) == (f.mask & ~ignore)
                        && (g.value & ~ignore) == (f.value & ~ignore);
            }
            if (!sibling) continue;
            int m2 = (f.mask & ~(1 << SEL_W)) | 1 << SEL_NOT64, v2 = (f.value & ~(1 << SEL_W)) | 1 << SEL_NOT64;
            forms.add(forms.indexOf(f) + 1, new Form(f.file, f.line, f.space, f.opcode, m2, v2, f.mnemonic, f.ops, f.attrs,
                    f.flags, f.exits, f.cpuid, f.needsModrm));
        }
    }

    // ---- consistency across lines

    void checkSlots() {
        Map<Integer, List<Form>> bySlot = new LinkedHashMap<>();
        for (Form f : forms) bySlot.computeIfAbsent(f.space * 256 + f.opcode, k -> new ArrayList<>()).add(f);
        for (var e : bySlot.entrySet()) {
            List<Form> l = e.getValue();
            boolean any = l.stream().anyMatch(Form::needsModrm), all = l.stream().allMatch(Form::needsModrm);
            if (any && !all) {
                Form f = l.stream().filter(x -> !x.needsModrm).findFirst().orElseThrow();
                errors.add(f.file + ":" + f.line + ": opcode " + String.format("%02X", e.getKey() & 0xff)
                        + " in space " + (e.getKey() >> 8) + " mixes forms with and without ModRM");
            }
            // a form fully shadowed by an earlier one can never match
            for (int i = 0; i < l.size(); i++) {
                for (int j = 0; j < i; j++) {
                    Form a = l.get(j), b = l.get(i);
                    if ((a.mask & ~b.mask) == 0 && (b.value & a.mask) == a.value) {
                        errors.add(b.file + ":" + b.line + ": " + b.mnemonic + " can never match: shadowed by " + a.file + ":" + a.line + " " + a.mnemonic);
                        break;
                    }
                }
            }
        }
    }

    // ---- output

    void emit(Path javaOut, Path resOut) throws IOException {
        TreeSet<String> mnems = new TreeSet<>();
        TreeSet<String> cpuids = new TreeSet<>();
        for (Form f : forms) { mnems.add(f.mnemonic); if (!f.cpuid.isEmpty()) cpuids.addAll(Arrays.asList(f.cpuid.split(","))); }
        List<String> mnemList = new ArrayList<>(); mnemList.add("INVALID"); mnemList.addAll(mnems);
        List<String> cpuList = new ArrayList<>(); cpuList.add("NONE"); cpuList.addAll(cpuids);

        Path pkg = javaOut.resolve("org/jvmx/decoder");
        Files.createDirectories(pkg);
        writeEnum(pkg.resolve("Mnemonic.java"), "Mnemonic", "Instruction mnemonics, one per spec mnemonic.", mnemList);
        writeEnum(pkg.resolve("CpuidFeature.java"), "CpuidFeature", "The CPUID feature that defines an instruction form.", cpuList);
        writeOperandCodes(pkg.resolve("OperandCode.java"));

        // forms in slot order, preserving line order within a slot
        List<Form> sorted = new ArrayList<>(forms);
        sorted.sort((a, b) -> Integer.compare(a.space * 256 + a.opcode, b.space * 256 + b.opcode)); // stable
        int[] slotStart = new int[SPACES * 256], slotCount = new int[SPACES * 256];
        boolean[] slotModrm = new boolean[SPACES * 256];
        for (int i = 0; i < sorted.size(); i++) {
            Form f = sorted.get(i);
            int s = f.space * 256 + f.opcode;
            if (slotCount[s] == 0) slotStart[s] = i;
            slotCount[s]++;
            slotModrm[s] |= f.needsModrm;
        }
        List<String> files = new ArrayList<>(new TreeSet<>(forms.stream().map(Form::file).toList()));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x4a564d58); // "JVMX"
            out.writeInt(1);
            out.writeInt(files.size());
            for (String f : files) out.writeUTF(f);
            out.writeInt(sorted.size());
            for (Form f : sorted) {
                out.writeInt(f.mask);
                out.writeInt(f.value);
                out.writeShort(mnemList.indexOf(f.mnemonic));
                out.writeInt(f.attrs);
                out.writeByte(f.ops.length);
                for (int o : f.ops) out.writeInt(o);
                for (int fl : f.flags) out.writeInt(fl);
                out.writeByte(f.exits.length);
                for (int x : f.exits) out.writeByte(x);
                String[] cp = f.cpuid.isEmpty() ? new String[0] : f.cpuid.split(",");
                out.writeShort(cp.length > 0 ? cpuList.indexOf(cp[0]) : 0);
                out.writeShort(cp.length > 1 ? cpuList.indexOf(cp[1]) : 0);
                out.writeShort(files.indexOf(f.file));
                out.writeShort(f.line);
            }
            // dispatch: per slot, a key taken from a contiguous range of selector bits picks a short
            // candidate list, so the decoder checks about one form instead of scanning them all
            List<Integer> dispatch = new ArrayList<>(List.of(0)), candidates = new ArrayList<>();
            int[] slotInfo = new int[SPACES * 256];
            for (int s = 0; s < SPACES * 256; s++) {
                if (slotCount[s] == 0) continue;
                int[] key = bestKey(sorted, slotStart[s], slotCount[s]);
                int lo = key[0], w = key[1];
                int base = dispatch.size();
                for (int k = 0; k < (1 << w); k++) {
                    List<Integer> list = new ArrayList<>();
                    for (int i = slotStart[s]; i < slotStart[s] + slotCount[s]; i++) {
                        if (canMatch(sorted.get(i), lo, w, k)) list.add(i);
                    }
                    if (list.size() > 255) throw new IllegalStateException("slot " + s + ": more than 255 candidates for one key");
                    // one candidate: the entry names the form (bit 0 set); else first candidate, count
                    if (list.size() == 1) {
                        dispatch.add(list.get(0) << 9 | 1);
                    } else {
                        dispatch.add(candidates.size() << 9 | list.size() << 1);
                        candidates.addAll(list);
                    }
                }
                slotInfo[s] = base << 10 | w << 6 | lo << 1 | (slotModrm[s] ? 1 : 0);
            }
            for (int s = 0; s < SPACES * 256; s++) out.writeInt(slotInfo[s]);
            out.writeInt(dispatch.size());
            for (int d : dispatch) out.writeInt(d);
            out.writeInt(candidates.size());
            for (int c : candidates) out.writeShort(c);
        }
        Path res = resOut.resolve("org/jvmx/decoder");
        Files.createDirectories(res);
        writeIfChanged(res.resolve("decode-tables.bin"), bytes.toByteArray());
    }

    /** Can form f match a selector whose bits [lo, lo + w) equal k? */
    private static boolean canMatch(Form f, int lo, int w, int k) {
        int range = ((1 << w) - 1) << lo;
        return ((k << lo) & f.mask & range) == (f.value & range);
    }

    /**
     * The contiguous selector bit range (lo, width <= 8) that leaves the fewest candidates per key:
     * least worst case, then least total, then the narrowest.
     */
    private static int[] bestKey(List<Form> sorted, int start, int count) {
        int[] best = {0, 0};
        long bestCost = (long) count << 40 | (long) count << 16;
        if (count == 1) return best;
        for (int lo = 0; lo < 25; lo++) { // (SEL_NOT64 is never part of a key: the 64-bit path stays as it was)
            for (int w = 1; w <= 8 && lo + w <= 25; w++) {
                int worst = 0, total = 0;
                for (int k = 0; k < (1 << w); k++) {
                    int n = 0;
                    for (int i = start; i < start + count; i++) if (canMatch(sorted.get(i), lo, w, k)) n++;
                    worst = Math.max(worst, n);
                    total += n;
                }
                long cost = (long) worst << 40 | (long) total << 16 | w;
                if (cost < bestCost) {
                    bestCost = cost;
                    best = new int[] {lo, w};
                }
            }
        }
        return best;
    }

    private static void writeEnum(Path p, String name, String doc, List<String> values) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("// Generated by org.jvmx.decoder.gen.TableGen from decoder/src/main/spec. Do not edit.\n");
        sb.append("package org.jvmx.decoder;\n\n/** ").append(doc).append(" */\npublic enum ").append(name).append(" {\n");
        for (int i = 0; i < values.size(); i++) {
            sb.append("    ").append(values.get(i)).append(i + 1 < values.size() ? ",\n" : ";\n");
        }
        sb.append("\n    private static final ").append(name).append("[] VALUES = values();\n\n");
        sb.append("    /** The constant with this ordinal. */\n    public static ").append(name)
          .append(" of(int ordinal) {\n        return VALUES[ordinal];\n    }\n}\n");
        writeIfChanged(p, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void writeOperandCodes(Path p) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("// Generated by org.jvmx.decoder.gen.TableGen (its operand vocabulary). Do not edit.\n");
        sb.append("package org.jvmx.decoder;\n\n/** Operand codes of the decode tables: kind | size << 8 | extra << 16. */\n");
        sb.append("final class OperandCode {\n    private OperandCode() { }\n\n");
        for (int i = 0; i < KINDS.size(); i++) sb.append("    static final int K_").append(KINDS.get(i)).append(" = ").append(i).append(";\n");
        sb.append('\n');
        for (int i = 0; i < SIZES.size(); i++) {
            String s = SIZES.get(i).isEmpty() ? "NONE" : SIZES.get(i).toUpperCase(Locale.ROOT);
            sb.append("    static final int S_").append(s).append(" = ").append(i).append(";\n");
        }
        sb.append('\n');
        for (int i = 0; i < FIXED.size(); i++) {
            // rAX (by operand size) and eAX (16/32) would clash with RAX/EAX in upper case: F_RAX_V, F_EAX_Z
            String suffix = i == FIXED.indexOf("rAX") ? "_V" : i == FIXED.indexOf("eAX") ? "_Z" : "";
            sb.append("    static final int F_").append(FIXED.get(i).toUpperCase(Locale.ROOT)).append(suffix)
              .append(" = ").append(i).append(";\n");
        }
        sb.append('\n');
        for (int i = 0; i < ATTR_NAMES.length; i++) sb.append("    static final int A_").append(ATTR_NAMES[i]).append(" = 1 << ").append(i).append(";\n");
        sb.append("    static final int A_FLOW_SHIFT = ").append(bitIndex("FLOW0")).append(", A_TUPLE_SHIFT = ").append(bitIndex("TUPLE0"))
          .append(", A_BCST_SHIFT = ").append(bitIndex("BCST0")).append(";\n\n");
        for (int i = 0; i < TUPLES.size(); i++) sb.append("    static final int T_").append(TUPLES.get(i)).append(" = ").append(i).append(";\n");
        sb.append("\n    static final String[] FIXED_NAMES = {");
        for (int i = 0; i < FIXED.size(); i++) sb.append(i > 0 ? ", " : "").append('"').append(FIXED.get(i)).append('"');
        sb.append("};\n}\n");
        writeIfChanged(p, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Keeps timestamps stable when nothing changed, so incremental builds stay incremental. */
    private static void writeIfChanged(Path p, byte[] content) throws IOException {
        if (Files.exists(p) && Arrays.equals(Files.readAllBytes(p), content)) return;
        Files.write(p, content);
    }
}
