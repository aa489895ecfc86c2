package org.interlude.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Summaries, the text table and the self-contained HTML report (uPlot vendored in). */
final class Report {
  private Report() {}

  static String line(JsonObject r) {
    StringBuilder b = new StringBuilder(r.getString("scenario") + " " + r.getString("target"));
    if (r.containsKey("offeredRate")) {
      b.append(" offered=").append(r.getValue("offeredRate")).append("/s");
    }
    if (r.containsKey("achievedRate")) {
      b.append(" achieved=").append(r.getValue("achievedRate")).append("/s");
    }
    JsonObject l = r.getJsonObject("latencyMs");
    if (l == null) {
      l = r.getJsonObject("reportToAlertMs");
    }
    if (l == null) {
      l = r.getJsonObject("resumeLatencyMs");
    }
    if (l == null) {
      l = r.getJsonObject("dueToPromptMs");
    }
    if (l != null && l.containsKey("p50")) {
      b.append(String.format(" p50=%s p99=%s p99.9=%s max=%s ms", l.getValue("p50"), l.getValue("p99"), l.getValue("p999"),
          l.getValue("max")));
    }
    JsonObject cpu = r.getJsonObject("cpu");
    if (cpu != null && cpu.containsKey("serverCpuMicrosPerMessage")) {
      b.append(" cpu/msg=").append(cpu.getValue("serverCpuMicrosPerMessage")).append("us");
    }
    for (String k : new String[] {"heapBytesPerConnection", "rssBytesPerConnection", "allResumedSeconds", "syncRetries", "prompts", "allDeliveredSeconds", "lost", "unacked",
        "errors"}) {
      if (r.containsKey(k)) {
        b.append(' ').append(k).append('=').append(r.getValue(k));
      }
    }
    return b.toString();
  }

  /** Ratios of Interlude to the Vert.x relay per comparable run. */
  static JsonArray summary(JsonArray runs) {
    JsonArray out = new JsonArray();
    Map<String, Map<String, JsonObject>> byKey = new LinkedHashMap<>();
    for (Object o : runs) {
      JsonObject r = (JsonObject) o;
      String key = r.getString("scenario") + (r.containsKey("offeredRate") ? "@" + r.getValue("offeredRate") : "");
      byKey.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(r.getString("target"), r);
    }
    byKey.forEach((key, m) -> {
      JsonObject i = m.get("interlude");
      JsonObject v = m.get("vertx-relay");
      if (i == null || v == null) {
        return;
      }
      JsonObject s = new JsonObject().put("run", key);
      Double ci = cpu(i);
      Double cv = cpu(v);
      if (ci != null && cv != null && cv > 0) {
        s.put("cpuPerMessageRatioVsVertxRelay", Math.round(ci / cv * 100) / 100.0);
      }
      Double pi = p50(i);
      Double pv = p50(v);
      if (pi != null && pv != null && pv > 0) {
        s.put("p50RatioVsVertxRelay", Math.round(pi / pv * 100) / 100.0);
      }
      if (i.containsKey("achievedRate") && v.containsKey("achievedRate")) {
        s.put("achievedRateRatioVsVertxRelay",
            Math.round(i.getLong("achievedRate") * 100.0 / Math.max(1, v.getLong("achievedRate"))) / 100.0);
      }
      out.add(s);
    });
    return out;
  }

  private static Double cpu(JsonObject r) {
    JsonObject c = r.getJsonObject("cpu");
    return c == null || !c.containsKey("serverCpuMicrosPerMessage") ? null : c.getDouble("serverCpuMicrosPerMessage");
  }

  private static Double p50(JsonObject r) {
    JsonObject l = r.getJsonObject("latencyMs");
    return l == null || !l.containsKey("p50") ? null : l.getDouble("p50");
  }

  static String table(JsonObject result) {
    StringBuilder b = new StringBuilder();
    for (Object o : result.getJsonArray("runs")) {
      b.append(line((JsonObject) o)).append('\n');
    }
    for (Object o : result.getJsonArray("summary")) {
      b.append(((JsonObject) o).encode()).append('\n');
    }
    return b.toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String html(JsonObject result, Path uplotDist) throws Exception {
    String js;
    String css;
    if (Files.exists(uplotDist.resolve("uPlot.iife.min.js"))) {
      js = Files.readString(uplotDist.resolve("uPlot.iife.min.js"));
      css = Files.readString(uplotDist.resolve("uPlot.min.css"));
    } else {
      // scripts/bench always installs it; a bare test run writes the report without plots.
      js = "window.uPlot = function () { document.getElementById('plots').textContent ="
          + " 'Plots need uPlot: run npm install in bench/report (scripts/bench does).'; };";
      css = "";
    }
    StringBuilder rows = new StringBuilder();
    for (Object o : result.getJsonArray("runs")) {
      rows.append("<li>").append(esc(line((JsonObject) o))).append("</li>\n");
    }
    StringBuilder omitted = new StringBuilder();
    for (Object o : result.getJsonArray("omitted", new JsonArray())) {
      JsonObject x = (JsonObject) o;
      omitted.append("<li>").append(esc(x.getString("scenario"))).append(" (not against ")
          .append(esc(String.join(", ", x.getJsonArray("targets", new JsonArray()).stream().map(String::valueOf).toList())))
          .append("): ").append(esc(x.getString("reason", ""))).append("</li>\n");
    }
    String data = result.encode().replace("</", "<\\/");
    return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Interlude benchmark</title>
        <style>%s</style>
        <style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}pre{background:#f4f4f4;padding:1em;overflow:auto}
        .plot{margin:1.5em 0}</style></head><body>
        <h1>Interlude benchmark</h1>
        <p>Latency percentile plots: x axis is the percentile on a "number of nines" scale (1 = 90%%, 2 = 99%%, 3 = 99.9%%), y axis milliseconds (log).</p>
        <h2>Runs</h2><ul>%s</ul>
        <h2>Interlude only</h2><ul>%s</ul>
        <div id="plots"></div>
        <h2>Machine and versions</h2><pre id="meta"></pre>
        <script>%s</script>
        <script>
        const result = %s;
        document.getElementById('meta').textContent = JSON.stringify({machine: result.machine, versions: result.versions, options: result.options, summary: result.summary, omitted: result.omitted}, null, 2);
        const colors = {'interlude': '#c0392b', 'vertx-relay': '#2471a3', 'node-relay': '#229954'};
        const groups = {};
        for (const r of result.runs) {
          const lat = r.latencyMs || r.reportToAlertMs || r.resumeLatencyMs || r.dueToPromptMs;
          if (!lat || !lat.distribution) continue;
          const key = r.scenario + (r.offeredRate ? ' @ ' + r.offeredRate + ' msg/s' : '');
          (groups[key] = groups[key] || []).push({target: r.target, dist: lat.distribution});
        }
        const nines = p => p >= 100 ? 5.5 : -Math.log10(1 - p / 100);
        for (const [key, series] of Object.entries(groups)) {
          const xs = series[0].dist.map(d => nines(d[0]));
          const data = [xs, ...series.map(s => s.dist.map(d => Math.max(d[1], 0.01)))];
          const div = document.createElement('div'); div.className = 'plot';
          const h = document.createElement('h3'); h.textContent = key; div.appendChild(h);
          document.getElementById('plots').appendChild(div);
          new uPlot({width: 900, height: 320,
            scales: {x: {time: false}, y: {distr: 3}},
            axes: [{label: 'percentile', values: (u, v) => v.map(x => x >= 5.5 ? 'max' : (100 - 100 / Math.pow(10, x)).toPrecision(Math.max(2, Math.ceil(x) + 2)) + '%%')},
                   {label: 'ms'}],
            series: [{label: 'nines'}, ...series.map(s => ({label: s.target, stroke: colors[s.target] || '#555', width: 2, points: {show: true}}))]
          }, data, div);
        }
        </script></body></html>
        """.formatted(css, rows, omitted, js, data);
  }
}
