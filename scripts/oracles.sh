#!/usr/bin/env bash
# Installs the test oracles that a fresh machine lacks: iced-x86 (npm, into tools/oracle,
# git-ignored), Debian's busybox-static, binutils (objdump), gcc, valgrind (a 32-bit binary) and
# xz-utils (the .xz input of the busybox acceptance test: busybox only decompresses xz).
set -eu
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
ICED_VERSION=1.21.0
if [ ! -f "$root/tools/oracle/node_modules/iced-x86/package.json" ]; then
  echo "oracles: installing iced-x86@$ICED_VERSION (npm) into tools/oracle" >&2
  mkdir -p "$root/tools/oracle"
  (cd "$root/tools/oracle" && npm install --no-audit --no-fund --loglevel=error "iced-x86@$ICED_VERSION" >/dev/null)
fi
missing=()
[ -x /bin/busybox ] || missing+=(busybox-static)
command -v objdump >/dev/null 2>&1 || missing+=(binutils)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
# A real 32-bit x86 program for the decoder's 32-bit oracle test (IcedOracleLegacyTest).
[ -x /usr/libexec/valgrind/memcheck-x86-linux ] || missing+=(valgrind)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "oracles: apt-get install ${missing[*]}" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "oracles: missing ${missing[*]}: install them (apt-get install ${missing[*]}) and re-run" >&2
    exit 2
  fi
fi
