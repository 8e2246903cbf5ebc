package org.jvmx.vmx.vmcs;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VmcsFieldTableTest {
    private static final VmcsFieldTable T = VmcsFieldTable.standard();

    @Test
    void standardTableHoldsEveryAppendixBField() {
        assertEquals(202, T.size());
        // per group counts (SDM Vol. 3C B.1-B.4)
        assertEquals(5, count("control-16"));
        assertEquals(11, count("guest-16"));
        assertEquals(7, count("host-16"));
        assertEquals(38, count("control-64"));
        assertEquals(2, count("read-only-64"));
        assertEquals(23, count("guest-64"));
        assertEquals(13, count("host-64"));
        assertEquals(19, count("control-32"));
        assertEquals(8, count("read-only-32"));
        assertEquals(23, count("guest-32"));
        assertEquals(1, count("host-32"));
        assertEquals(8, count("control-natural"));
        assertEquals(6, count("read-only-natural"));
        assertEquals(23, count("guest-natural"));
        assertEquals(15, count("host-natural"));
    }

    private static long count(String group) {
        return T.fields().stream().filter(f -> f.group().equals(group)).count();
    }

    @ParameterizedTest
    @CsvSource({
        "VIRTUAL_PROCESSOR_ID, 0x0000", "GUEST_ES_SELECTOR, 0x0800", "GUEST_TR_SELECTOR, 0x080E",
        "HOST_ES_SELECTOR, 0x0C00", "HOST_TR_SELECTOR, 0x0C0C", "IO_BITMAP_A, 0x2000", "MSR_BITMAP, 0x2004",
        "TSC_OFFSET, 0x2010", "EPT_POINTER, 0x201A", "VMREAD_BITMAP, 0x2026", "VMWRITE_BITMAP, 0x2028",
        "GUEST_PHYSICAL_ADDRESS, 0x2400", "VMCS_LINK_POINTER, 0x2800", "GUEST_IA32_DEBUGCTL, 0x2802",
        "GUEST_IA32_EFER, 0x2806", "GUEST_PDPTE3, 0x2810", "HOST_IA32_PAT, 0x2C00",
        "PIN_BASED_VM_EXEC_CONTROL, 0x4000", "CPU_BASED_VM_EXEC_CONTROL, 0x4002", "VM_EXIT_CONTROLS, 0x400C",
        "VM_ENTRY_CONTROLS, 0x4012", "SECONDARY_VM_EXEC_CONTROL, 0x401E", "VM_INSTRUCTION_ERROR, 0x4400",
        "VM_EXIT_REASON, 0x4402", "VMX_INSTRUCTION_INFO, 0x440E", "GUEST_CS_ACCESS_RIGHTS, 0x4816",
        "GUEST_INTERRUPTIBILITY_STATE, 0x4824", "GUEST_ACTIVITY_STATE, 0x4826",
        "VMX_PREEMPTION_TIMER_VALUE, 0x482E", "HOST_IA32_SYSENTER_CS, 0x4C00", "CR0_GUEST_HOST_MASK, 0x6000",
        "CR4_READ_SHADOW, 0x6006", "EXIT_QUALIFICATION, 0x6400", "GUEST_LINEAR_ADDRESS, 0x640A",
        "GUEST_CR0, 0x6800", "GUEST_RSP, 0x681C", "GUEST_RIP, 0x681E", "GUEST_RFLAGS, 0x6820",
        "HOST_CR3, 0x6C02", "HOST_TR_BASE, 0x6C0A", "HOST_RSP, 0x6C14", "HOST_RIP, 0x6C16",
    })
    void knownEncodings(String name, String hex) {
        int enc = Integer.decode(hex);
        VmcsField f = T.byName(name);
        assertNotNull(f, name);
        assertEquals(enc, f.encoding(), name);
        assertSame(f, T.byEncoding(enc));
    }

    @Test
    void decodedAttributesOfSpotFields() {
        assertEquals(VmcsFieldWidth.NATURAL, VmcsFields.GUEST_RIP.width());
        assertEquals(VmcsFieldType.GUEST, VmcsFields.GUEST_RIP.type());
        assertEquals(VmcsFieldType.HOST, VmcsFields.HOST_TR_BASE.type());
        assertEquals(VmcsFieldType.READ_ONLY, VmcsFields.VM_EXIT_REASON.type());
        assertEquals(VmcsFieldWidth.BITS_32, VmcsFields.VM_EXIT_REASON.width());
        assertEquals(VmcsFieldWidth.BITS_64, VmcsFields.EPT_POINTER.width());
        assertEquals(VmcsFieldType.CONTROL, VmcsFields.EPT_POINTER.type());
        assertEquals(VmcsFieldWidth.BITS_16, VmcsFields.GUEST_CS_SELECTOR.width());
        assertEquals(0x201B, VmcsFields.EPT_POINTER.highEncoding());
        assertEquals(0x2801, VmcsFields.VMCS_LINK_POINTER.highEncoding());
        assertThrows(IllegalStateException.class, VmcsFields.GUEST_RIP::highEncoding);
    }

    @Test
    void highEncodingsResolveOnlyFor64BitFields() {
        for (VmcsField f : T.fields()) {
            VmcsField high = T.byEncoding(f.encoding() | 1);
            if (f.width() == VmcsFieldWidth.BITS_64) {
                assertSame(f, high, f.name());
            } else {
                assertNull(high, f.name());
            }
        }
    }

    @Test
    void everyFieldIsConsistentWithItsEncoding() {
        Set<Integer> seen = new HashSet<>();
        for (VmcsField f : T.fields()) {
            assertTrue(seen.add(f.encoding()));
            assertEquals(VmcsEncoding.width(f.encoding()), f.width());
            assertEquals(VmcsEncoding.type(f.encoding()), f.type());
            assertEquals(f.encoding(), VmcsEncoding.of(f.width(), f.type(), VmcsEncoding.index(f.encoding())));
            assertSame(f, T.fields().get(f.slot()));
            assertSame(f, T.byName(f.name()));
        }
    }

    @Test
    void unsupportedEncodingsResolveToNothing() {
        assertNull(T.byEncoding(0x681E | 0x1000)); // bit 12 reserved
        assertNull(T.byEncoding(0x681E | 0x8000)); // bit 15 reserved
        assertNull(T.byEncoding(0x681EL | 1L << 32)); // bits 63:32 of a 64-bit register operand
        assertNull(T.byEncoding(0x6830)); // no guest natural-width field with index 0x18
        assertNull(T.byEncoding(0x4C02));
        assertNull(T.byEncoding(-1L));
    }

    @Test
    void constantsAndTableListTheSameFields() throws Exception {
        Set<String> constants = new HashSet<>();
        for (Field c : VmcsFields.class.getDeclaredFields()) {
            if (Modifier.isStatic(c.getModifiers()) && c.getType() == VmcsField.class) {
                VmcsField f = (VmcsField) c.get(null);
                assertEquals(c.getName(), f.name());
                constants.add(c.getName());
            }
        }
        Set<String> table = new HashSet<>();
        T.fields().forEach(f -> table.add(f.name()));
        assertEquals(table, constants);
    }

    @Test
    void loaderAcceptsAConsistentTable() {
        VmcsFieldTable t = VmcsFieldTable.parse("t", List.of("# comment", "", "A\t0x681E\tguest-natural",
                "B\t0x2000\tcontrol-64", "C\t0x4402\tread-only-32", "D\t0x0C00\thost-16"));
        assertEquals(4, t.size());
        assertEquals("guest-natural", t.byName("A").group());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "A\t0x681E\thost-natural        | decodes to 'guest-natural'",
        "A\t0x681E\tguest-64            | decodes to 'guest-natural'",
        "A\t0x4402\tcontrol-32          | decodes to 'read-only-32'",
        "A\t0x2400\tread-only-32        | decodes to 'read-only-64'",
        "A\t0x781E\tguest-natural       | reserved bits",
        "A\t0xE81E\tguest-natural       | reserved bits",
        "A\t0x2001\tcontrol-64          | HIGH access",
        "A\t0x681E                      | 3 tab-separated columns",
        "A\t681E\tguest-natural         | bad encoding",
        "A\t0x68G1\tguest-natural       | bad encoding",
        "a-b\t0x681E\tguest-natural     | bad field name",
        "A\t0x681E\tguest-wide          | group 'guest-wide'",
    })
    void loaderRejectsInconsistentLines(String line, String message) {
        VmcsTableException e = assertThrows(VmcsTableException.class,
                () -> VmcsFieldTable.parse("bad.tsv", List.of("# header", line.strip())));
        assertTrue(e.getMessage().startsWith("bad.tsv:2: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void loaderRejectsDuplicates() {
        VmcsTableException name = assertThrows(VmcsTableException.class, () -> VmcsFieldTable.parse("d",
                List.of("A\t0x681E\tguest-natural", "A\t0x681C\tguest-natural")));
        assertTrue(name.getMessage().contains("duplicate field name A"), name.getMessage());
        VmcsTableException enc = assertThrows(VmcsTableException.class, () -> VmcsFieldTable.parse("d",
                List.of("A\t0x681E\tguest-natural", "B\t0x681E\tguest-natural")));
        assertTrue(enc.getMessage().contains("already used by A"), enc.getMessage());
    }
}
