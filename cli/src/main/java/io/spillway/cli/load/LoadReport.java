package io.spillway.cli.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.schemas.Json;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a load test as a table, as JSON, and as a self-contained HTML page.
 *
 * @param stalls the generator's own stalls while the clock ran (µs, see {@link Hiccups})
 */
record LoadReport(String mode, int users, double rate, Profile profile, double seconds, LoadRecorder recorder, Histogram stalls, Histogram completion) {

  private Histogram latency() {
    return recorder.total();
  }

  private double ms(double micros) {
    return micros / 1000.0;
  }

  private String tail(Histogram h) {
    return String.format(Locale.ROOT, "p99 %.1f / p99.9 %.1f / max %.1f ms", ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
        ms(h.getMaxValue()));
  }

  private void putTail(ObjectNode json, Histogram h) {
    json.put("p99Ms", ms(h.getValueAtPercentile(99))).put("p999Ms", ms(h.getValueAtPercentile(99.9))).put("maxMs", ms(h.getMaxValue()));
  }

  long answered() {
    return latency().getTotalCount();
  }

  long failures() {
    return recorder.outcomes().entrySet().stream().filter(e -> !e.getKey().startsWith("2")).mapToLong(Map.Entry::getValue).sum();
  }

  String toTable() {
    Histogram h = latency();
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "%n%-28s %s%n", "Mode", mode + " loop, profile " + profile.name().toLowerCase(Locale.ROOT).replace('_', '-')));
    t.append(String.format(Locale.ROOT, "%-28s %s%n", "Concurrent users", mode.equals("closed") ? String.valueOf(users) : "- (open loop at " + rate + " req/s)"));
    t.append(String.format(Locale.ROOT, "%-28s %.1f s%n", "Duration", seconds));
    t.append(String.format(Locale.ROOT, "%-28s %,.0f%n", "Queries per second (QPS)", answered() / seconds));
    t.append(String.format(Locale.ROOT, "%-28s %.1f ms%n", "Average response time", ms(h.getMean())));
    t.append(String.format(Locale.ROOT, "%-28s %.1f ms%n", "Peak response time", ms(h.getMaxValue())));
    t.append(String.format(Locale.ROOT, "%-28s %.1f / %.1f / %.1f / %.1f ms%n", "p50 / p90 / p99 / p99.9",
        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9))));
    t.append(String.format(Locale.ROOT, "%-28s %.3f%% (%,d of %,d)%n", "Error rate", answered() == 0 ? 0 : 100.0 * failures() / answered(), failures(), answered()));
    recorder.outcomes().forEach((k, v) -> t.append(String.format(Locale.ROOT, "  %-26s %,d%n", k.matches("\\d+") ? "HTTP " + k : k, v)));
    t.append(String.format(Locale.ROOT, "%-28s %s (a thread sleeping 1 ms, late by)%n", "Generator stalls", tail(stalls)));
    if (mode.equals("open")) {
      t.append(String.format(Locale.ROOT, "%-28s %s (requests taken up after their send time, by)%n", "Generator lateness",
          tail(recorder.lateness())));
    }
    if (completion.getTotalCount() > 0) {
      t.append(String.format(Locale.ROOT, "%-28s p50 %.1f / p99 %.1f / max %.1f ms (%d sampled jobs)%n", "End-to-end completion",
          ms(completion.getValueAtPercentile(50)), ms(completion.getValueAtPercentile(99)), ms(completion.getMaxValue()), completion.getTotalCount()));
    }
    return t.toString();
  }

  ObjectNode toJson() {
    Histogram h = latency();
    ObjectNode json = Json.mapper().createObjectNode();
    json.put("mode", mode).put("users", users).put("rate", rate).put("profile", profile.name()).put("durationSeconds", seconds)
        .put("answered", answered()).put("qps", answered() / seconds).put("averageMs", ms(h.getMean())).put("peakMs", ms(h.getMaxValue()))
        .put("p50Ms", ms(h.getValueAtPercentile(50))).put("p90Ms", ms(h.getValueAtPercentile(90))).put("p99Ms", ms(h.getValueAtPercentile(99)))
        .put("p999Ms", ms(h.getValueAtPercentile(99.9))).put("errorRate", answered() == 0 ? 0 : (double) failures() / answered());
    ObjectNode outcomes = json.putObject("outcomes");
    recorder.outcomes().forEach(outcomes::put);
    putTail(json.putObject("stalls"), stalls);
    putTail(json.putObject("lateness"), recorder.lateness());
    json.putObject("completion").put("sampled", completion.getTotalCount()).put("p50Ms", ms(completion.getValueAtPercentile(50)))
        .put("p99Ms", ms(completion.getValueAtPercentile(99))).put("maxMs", ms(completion.getMaxValue()));
    return json;
  }

  /** One page, no external resources: a latency-over-time chart and a latency histogram as inline SVG. */
  String toHtml() {
    TreeMap<Long, Histogram> seconds = recorder.perSecond();
    double maxMs = seconds.values().stream().mapToDouble(x -> ms(x.getMaxValue())).max().orElse(1);
    StringBuilder p99 = new StringBuilder();
    StringBuilder p50 = new StringBuilder();
    StringBuilder max = new StringBuilder();
    long last = seconds.isEmpty() ? 1 : Math.max(1, seconds.lastKey());
    seconds.forEach((s, hist) -> {
      double x = 40 + 740.0 * s / last;
      p50.append(point(x, ms(hist.getValueAtPercentile(50)), maxMs));
      p99.append(point(x, ms(hist.getValueAtPercentile(99)), maxMs));
      max.append(point(x, ms(hist.getMaxValue()), maxMs));
    });
    Histogram total = latency();
    StringBuilder bars = new StringBuilder();
    int buckets = 40;
    double top = Math.max(1, total.getValueAtPercentile(99.9));
    long[] counts = new long[buckets];
    total.recordedValues().forEach(v -> counts[(int) Math.min(buckets - 1, v.getValueIteratedTo() * buckets / (top + 1))] += v.getCountAtValueIteratedTo());
    long biggest = java.util.Arrays.stream(counts).max().orElse(1);
    for (int i = 0; i < buckets; i++) {
      double height = 200.0 * counts[i] / Math.max(1, biggest);
      bars.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='16' height='%.1f' fill='#4f8bc9'><title>%.1f ms: %d</title></rect>",
          40 + i * 18.5, 220 - height, height, ms(top * i / buckets), counts[i]));
    }
    return """
        <!doctype html><html><head><meta charset="utf-8"><title>Spillway load test</title>
        <style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}pre{background:#f5f5f5;padding:12px}svg{background:#fafafa;border:1px solid #ddd}</style></head>
        <body><h1>Spillway load test</h1><pre>%s</pre>
        <h2>Latency over time (ms per second: p50 green, p99 orange, max red)</h2>
        <svg width="800" height="240"><line x1="40" y1="220" x2="780" y2="220" stroke="#999"/><text x="4" y="20">%.0f ms</text>
        <polyline fill="none" stroke="#2e7d32" stroke-width="2" points="%s"/><polyline fill="none" stroke="#ef6c00" stroke-width="2" points="%s"/>
        <polyline fill="none" stroke="#c62828" stroke-width="1" points="%s"/></svg>
        <h2>Latency histogram (up to p99.9, %.1f ms)</h2><svg width="800" height="240">%s</svg></body></html>
        """.formatted(escape(toTable()), maxMs, p50, p99, max, ms(top), bars);
  }

  private static String point(double x, double ms, double maxMs) {
    return String.format(Locale.ROOT, "%.1f,%.1f ", x, 220 - 200 * ms / Math.max(1, maxMs));
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;");
  }
}
