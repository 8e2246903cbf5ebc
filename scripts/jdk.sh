# Sourced by ./jvmx and ./test: finds a JDK 25 (or newer) and exports JAVA_HOME.
# Order: $JAVA_HOME, then `java` on PATH, then the JDKs under /usr/lib/jvm (JVMX_JDK_DIRS overrides that list).
jvmx_jdk_feature() { # prints the feature release of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
jvmx_find_jdk() {
  local c v
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in ${JVMX_JDK_DIRS:-/usr/lib/jvm/*}; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    v=$(jvmx_jdk_feature "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$c"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "jvmx: no JDK 25 found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm): install one (e.g. Eclipse Temurin 25 from adoptium.net) and point JAVA_HOME at it" >&2
  return 2
}
