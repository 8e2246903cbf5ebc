package org.jvmx.vmx.vmcs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The set of VMCS components a processor supports, loaded from a table (one line per field:
 * name, FULL encoding in hex, group). The width, type and access of each field come from the
 * bits of its encoding (SDM Vol. 3C 25.11.2); the group column is only a cross-check, so a
 * typo in an encoding is caught when the table loads instead of surfacing as a wrong width.
 */
public final class VmcsFieldTable {
    /** The resource holding every field of SDM Vol. 3C Appendix B. */
    public static final String RESOURCE = "vmcs-fields.tsv";

    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    /** Encoding bits 14:1, the key of a field regardless of FULL/HIGH access. */
    private static final int KEY_SPACE = 1 << 14;

    private static volatile VmcsFieldTable standard;

    private final List<VmcsField> fields;
    private final VmcsField[] byKey = new VmcsField[KEY_SPACE];
    private final Map<String, VmcsField> byName = new HashMap<>();

    private VmcsFieldTable(List<VmcsField> fields) {
        this.fields = Collections.unmodifiableList(fields);
        for (VmcsField f : fields) {
            byKey[f.encoding() >>> 1] = f;
            byName.put(f.name(), f);
        }
    }

    /** The table of every Appendix B field, loaded once from {@link #RESOURCE}. */
    public static VmcsFieldTable standard() {
        VmcsFieldTable t = standard;
        if (t == null) {
            synchronized (VmcsFieldTable.class) {
                t = standard;
                if (t == null) {
                    standard = t = loadResource();
                }
            }
        }
        return t;
    }

    private static VmcsFieldTable loadResource() {
        try (InputStream in = VmcsFieldTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return parse(RESOURCE, r.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /**
     * Parses table lines. Blank lines and lines starting with '#' are ignored.
     *
     * @throws VmcsTableException naming the source and line of the first inconsistent line
     */
    public static VmcsFieldTable parse(String source, List<String> lines) {
        List<VmcsField> fields = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<Integer, String> encodings = new HashMap<>();
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cols = raw.split("\t", -1);
            if (cols.length != 3) {
                throw new VmcsTableException(source, lineNo, "expected 3 tab-separated columns, found " + cols.length);
            }
            String name = cols[0].strip();
            String encText = cols[1].strip();
            String group = cols[2].strip();
            if (!NAME.matcher(name).matches()) {
                throw new VmcsTableException(source, lineNo, "bad field name '" + name + "'");
            }
            long enc = parseHex(source, lineNo, encText);
            if (!VmcsEncoding.hasNoReservedBits(enc)) {
                throw new VmcsTableException(source, lineNo, name + ": encoding " + encText
                        + " sets reserved bits (bit 12 or bits above 14)");
            }
            if (VmcsEncoding.isHighAccess(enc)) {
                throw new VmcsTableException(source, lineNo, name + ": encoding " + encText
                        + " is a HIGH access encoding; list the FULL one");
            }
            VmcsFieldWidth width = VmcsEncoding.width(enc);
            VmcsFieldType type = VmcsEncoding.type(enc);
            String decoded = VmcsField.groupName(type, width);
            if (!decoded.equals(group)) {
                throw new VmcsTableException(source, lineNo, name + ": group '" + group + "' but encoding "
                        + encText + " decodes to '" + decoded + "'");
            }
            if (names.containsKey(name)) {
                throw new VmcsTableException(source, lineNo, "duplicate field name " + name
                        + " (first on line " + names.get(name) + ")");
            }
            String other = encodings.putIfAbsent((int) enc, name);
            if (other != null) {
                throw new VmcsTableException(source, lineNo, name + ": encoding " + encText + " already used by " + other);
            }
            names.put(name, lineNo);
            fields.add(new VmcsField(name, (int) enc, width, type, fields.size()));
        }
        return new VmcsFieldTable(fields);
    }

    private static long parseHex(String source, int lineNo, String text) {
        String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : null;
        if (digits == null || digits.isEmpty() || digits.length() > 8) {
            throw new VmcsTableException(source, lineNo, "bad encoding '" + text + "' (want 0x and up to 8 hex digits)");
        }
        try {
            return Long.parseLong(digits, 16);
        } catch (NumberFormatException e) {
            throw new VmcsTableException(source, lineNo, "bad encoding '" + text + "'");
        }
    }

    /** Every field, in table order; {@link VmcsField#slot()} is the position in this list. */
    public List<VmcsField> fields() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    /**
     * The field a VMREAD/VMWRITE encoding names, FULL or HIGH, or {@code null} when it names
     * no supported component: reserved bits set, no field at that index, or a HIGH access to
     * a field that is not 64 bits wide (SDM 25.11.2, 31.3 VMREAD/VMWRITE).
     */
    public VmcsField byEncoding(long encoding) {
        if (!VmcsEncoding.hasNoReservedBits(encoding)) {
            return null;
        }
        VmcsField f = byKey[(int) encoding >>> 1];
        if (f == null || (VmcsEncoding.isHighAccess(encoding) && f.width() != VmcsFieldWidth.BITS_64)) {
            return null;
        }
        return f;
    }

    public boolean supports(long encoding) {
        return byEncoding(encoding) != null;
    }

    /** The field of that name, or {@code null}. */
    public VmcsField byName(String name) {
        return byName.get(name);
    }

    /** The field of that name; fails if the table has none (used for named constants). */
    public VmcsField require(String name) {
        VmcsField f = byName.get(name);
        if (f == null) {
            throw new IllegalStateException("VMCS field table has no field " + name);
        }
        return f;
    }
}
