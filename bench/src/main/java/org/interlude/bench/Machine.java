package org.interlude.bench;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine and the versions a run measured, for the results file. */
final class Machine {
  private Machine() {}

  static JsonObject describe() {
    JsonObject m = new JsonObject().put("cores", Runtime.getRuntime().availableProcessors());
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          m.put("cpuModel", line.substring(line.indexOf(':') + 1).trim());
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          m.put("memoryBytes", Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
      m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
    } catch (Exception e) {
      m.put("error", e.toString());
    }
    m.put("loadAverageAtStart", ProcStats.run("cat", "/proc/loadavg").trim());
    return m;
  }

  static JsonObject versions(Path root) {
    return new JsonObject().put("java", System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")")
        .put("node", ProcStats.run("node", "--version").trim())
        .put("gitCommit", ProcStats.run("git", "-C", root.toString(), "rev-parse", "HEAD").trim())
        .put("gitDirty", !ProcStats.run("git", "-C", root.toString(), "status", "--porcelain", "--untracked-files=no").isBlank())
        .put("vertx", io.vertx.core.impl.VertxImpl.class.getPackage().getImplementationVersion());
  }
}
