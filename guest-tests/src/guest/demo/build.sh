#!/bin/sh
# Builds the demo kernel from this directory into $1/demo-kernel.elf with gcc and GNU as/ld.
# The flags make the build reproducible: the image depends only on these sources and the tools.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags="-O2 -ffreestanding -fno-pic -fno-pie -mno-red-zone -mcmodel=small -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin -nostdlib -Wall -Werror"
gcc $cflags -c "$src/start.S" -o "$tmp/start.o"
gcc $cflags -c "$src/kernel.c" -o "$tmp/kernel.o"
ld -nostdlib -static -no-pie --build-id=none -z noexecstack -z max-page-size=0x1000 -T "$src/kernel.ld" \
    "$tmp/start.o" "$tmp/kernel.o" -o "$tmp/demo-kernel.elf"
mv "$tmp/demo-kernel.elf" "$out/demo-kernel.elf"
