#!/bin/sh
# Builds a 64-bit guest kernel from C sources plus the shared library in lib/ (entry, interrupt
# stubs, serial console, IDT) with gcc and GNU ld:  build-kernel.sh OUT.elf SOURCE.c...
# The flags make the build reproducible: the image depends only on the sources and the tools.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
shift
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags="-O2 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=small -fno-stack-protector
 -fno-asynchronous-unwind-tables -fno-builtin -nostdlib -Wall -Werror -I$here/lib"
gcc $cflags -c "$here/lib/start.S" -o "$tmp/start.o"
gcc $cflags -c "$here/lib/lib.c" -o "$tmp/lib.o"
objs="$tmp/start.o $tmp/lib.o"
n=0
for c in "$@"; do
    n=$((n + 1))
    gcc $cflags -c "$c" -o "$tmp/k$n.o"
    objs="$objs $tmp/k$n.o"
done
ld -nostdlib -static -no-pie --build-id=none --no-warn-rwx-segments -z noexecstack -z max-page-size=0x1000 -T "$here/lib/kernel.ld" \
    $objs -o "$tmp/kernel.elf"
mv "$tmp/kernel.elf" "$out"
