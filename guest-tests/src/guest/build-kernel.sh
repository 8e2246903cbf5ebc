#!/bin/sh
# Builds a 64-bit guest kernel from C sources plus the shared library in lib/ (entry, interrupt
# stubs, serial console, IDT) with gcc and GNU ld:
#   build-kernel.sh [--multiboot | --protected32] OUT.elf SOURCE.c...
# With --multiboot the kernel carries a Multiboot header and enters in 32-bit protected mode
# (lib/multiboot.S), switching itself into long mode; otherwise it is entered in 64-bit mode.
# With --protected32 it is a 32-bit kernel that stays in protected mode, built with lib32/.
# Boot-test kernels that need it are named tests/multiboot_*.c and tests/protected32_*.c.
# The flags make the build reproducible: the image depends only on the sources and the tools.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
multiboot=
protected32=
if [ "$1" = --multiboot ]; then multiboot=1; shift; fi
if [ "$1" = --protected32 ]; then protected32=1; shift; fi
out=$1
shift
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags="-O2 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=small -fno-stack-protector
 -fno-asynchronous-unwind-tables -fno-builtin -nostdlib -Wall -Werror -I$here/lib -I$here/common"
if [ -n "$protected32" ]; then
    cflags="-m32 -march=i686 -mno-sse -mno-mmx -mno-80387 -O2 -ffreestanding -fno-pic -fno-pie
     -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -nostdlib -Wall -Werror -I$here/lib32 -I$here/common"
    gcc $cflags -c "$here/lib32/start32.S" -o "$tmp/start.o"
    gcc $cflags -c "$here/lib32/lib32.c" -o "$tmp/lib.o"
    gcc $cflags -c "$here/common/machine.c" -o "$tmp/machine.o"
    objs="$tmp/start.o $tmp/lib.o $tmp/machine.o"
    n=0
    for c in "$@"; do
        n=$((n + 1))
        gcc $cflags -c "$c" -o "$tmp/k$n.o"
        objs="$objs $tmp/k$n.o"
    done
    ld -m elf_i386 -nostdlib -static -no-pie --build-id=none --no-warn-rwx-segments -z noexecstack \
        -z max-page-size=0x1000 -T "$here/lib32/kernel32.ld" $objs -o "$tmp/kernel.elf"
    mv "$tmp/kernel.elf" "$out"
    exit 0
fi
gcc $cflags -c "$here/lib/start.S" -o "$tmp/start.o"
gcc $cflags -c "$here/lib/lib.c" -o "$tmp/lib.o"
gcc $cflags -c "$here/common/machine.c" -o "$tmp/machine.o"
objs="$tmp/start.o $tmp/lib.o $tmp/machine.o"
script="$here/lib/kernel.ld"
if [ -n "$multiboot" ]; then
    gcc $cflags -c "$here/lib/multiboot.S" -o "$tmp/multiboot.o"
    objs="$tmp/multiboot.o $objs"
    script="$here/lib/multiboot.ld"
fi
n=0
for c in "$@"; do
    n=$((n + 1))
    gcc $cflags -c "$c" -o "$tmp/k$n.o"
    objs="$objs $tmp/k$n.o"
done
ld -nostdlib -static -no-pie --build-id=none --no-warn-rwx-segments -z noexecstack -z max-page-size=0x1000 -T "$script" \
    $objs -o "$tmp/kernel.elf"
mv "$tmp/kernel.elf" "$out"
