#!/bin/sh
# Builds the demo kernel into $1/demo-kernel.elf: a Multiboot kernel that switches itself into long mode (see ../build-kernel.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec sh "$here/../build-kernel.sh" --multiboot "$1/demo-kernel.elf" "$here/kernel.c"
