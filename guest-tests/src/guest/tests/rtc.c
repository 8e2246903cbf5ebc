/* The CMOS RTC: registers A-D and the date and time, read as a BIOS or kernel reads them. */
#include "kernel.h"

static uint8_t cmos(uint8_t r) {
    outb(0x70, r);
    return inb(0x71);
}

static unsigned bcd(uint8_t v) { return (v >> 4) * 10 + (v & 15); }

void kmain(void) {
    while (cmos(0x0A) & 0x80) { }                            /* wait out an update in progress */
    uint8_t b = cmos(0x0B);
    unsigned s = cmos(0x00), m = cmos(0x02), h = cmos(0x04), d = cmos(0x07), mo = cmos(0x08), y = cmos(0x09);
    unsigned c = cmos(0x32);
    if (!(b & 4)) { s = bcd(s); m = bcd(m); h = bcd(h); d = bcd(d); mo = bcd(mo); y = bcd(y); c = bcd(c); }
    printf("rtc: register B %x, %u-%u-%u %u:%u:%u\n", (uint64_t) b, (uint64_t) (c * 100 + y), (uint64_t) mo,
           (uint64_t) d, (uint64_t) h, (uint64_t) m, (uint64_t) s);
    printf("rtc-fields %u %u %u %u %u %u %u\n", (uint64_t) c, (uint64_t) y, (uint64_t) mo, (uint64_t) d,
           (uint64_t) h, (uint64_t) m, (uint64_t) s);
}
