# Shared prerequisite checks for the scripts: each stops with a message naming what is missing.
# shellcheck shell=bash
die() { echo "interlude: $*" >&2; exit 1; }

need_java() {
  command -v java >/dev/null || die "Java not found: install a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk)"
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "Java 17 or newer is required, found ${v:-unknown}"
}

need_maven() {
  command -v mvn >/dev/null || die "Maven not found: install Maven 3.8+ (e.g. apt-get install maven)"
}

need_node() {
  command -v node >/dev/null || die "Node.js not found: install Node.js 20+ (it builds the web client)"
  command -v npm >/dev/null || die "npm not found: install npm (it comes with Node.js 20+)"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js 20 or newer is required, found $(node -v)"
}

need_chromium() {
  local c=${CHROMIUM_PATH:-/usr/bin/chromium}
  [ -x "$c" ] || die "Chromium not found at $c: browser tests need Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH"
}

need_haproxy() {
  command -v haproxy >/dev/null || die "HAProxy not found: the cluster tests run scripts/cluster behind it (apt-get install haproxy)"
}

# JVM options every Interlude node gets before INTERLUDE_JAVA_OPTS. The frame validator
# (vertx-json-schema) is one method too large for the JIT's default limit; interpreted, it cost
# about 45 µs per inbound frame, compiled about 7 (docs/performance.md).
INTERLUDE_JVM_DEFAULTS="-XX:-DontCompileHugeMethods"

# ClusterFaultTest partitions the network between nodes only where network namespaces can be
# made (root with CAP_NET_ADMIN, iproute2's ip). Where they cannot, the scenario does not run:
# say so loudly rather than let it pass unnoticed. Returns 1 in that case.
partition_note() {
  local probe="ilprobe$$"
  if command -v ip >/dev/null 2>&1 && ip netns add "$probe" >/dev/null 2>&1; then
    if ip netns exec "$probe" ip link add v0 type veth peer name v1 >/dev/null 2>&1; then
      ip netns del "$probe"
      return 0
    fi
    ip netns del "$probe"
  fi
  cat >&2 <<'NOTE'
##########################################################################################
# NOTE: network namespaces are not available on this machine (they need root with
# CAP_NET_ADMIN and iproute2). ClusterFaultTest runs its nodes on loopback and DOES NOT
# RUN THE NETWORK PARTITION SCENARIO. Run scripts/partition-test where namespaces work;
# the last recorded result is in docs/operations.md ("Fault tests").
##########################################################################################
NOTE
  return 1
}
