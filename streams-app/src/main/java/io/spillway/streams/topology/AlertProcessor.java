package io.spillway.streams.topology;

import io.spillway.schemas.PipelineAlert;
import io.spillway.schemas.PipelineAlert.Kind;
import io.spillway.schemas.PipelineAlert.State;
import io.spillway.schemas.WindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns each closed 1 s window of a job type into alerts: an SLO breach after K consecutive
 * windows with end-to-end p99 above the SLO, a surge when throughput exceeds a multiple of its
 * trailing baseline, an error-rate breach — each followed by a RESOLVED alert when it clears.
 * The per-type state lives in a changelogged store, so alerts survive a restart.
 */
public final class AlertProcessor implements Processor<String, WindowStats, String, PipelineAlert> {

  public static final String STORE = "alert-state";

  private final AlertRules rules;
  private ProcessorContext<String, PipelineAlert> context;
  private KeyValueStore<String, AlertState> states;

  AlertProcessor(AlertRules rules) {
    this.rules = rules;
  }

  @Override
  public void init(ProcessorContext<String, PipelineAlert> context) {
    this.context = context;
    this.states = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, WindowStats> record) {
    WindowStats w = record.value();
    String type = w.type().wireName();
    AlertState before = states.get(type);
    AlertState s = before == null ? AlertState.initial() : before;
    List<PipelineAlert> alerts = new ArrayList<>();

    double p99 = w.endToEnd().p99();
    double slo = rules.slo().toMillis();
    int breaches = p99 > slo ? s.breaches() + 1 : 0;
    boolean sloFiring = breaches >= rules.consecutiveWindows() || (s.sloFiring() && p99 > slo);
    if (sloFiring != s.sloFiring()) {
      alerts.add(alert(w, Kind.SLO_BREACH, sloFiring, p99, slo, sloFiring
          ? String.format(Locale.ROOT, "%s end-to-end p99 %.0f ms above the %.0f ms SLO for %d windows", type, p99, slo, breaches)
          : String.format(Locale.ROOT, "%s end-to-end p99 %.0f ms back within the %.0f ms SLO", type, p99, slo)));
    }

    double limit = rules.surgeMultiple() * s.baseline();
    boolean judged = s.windows() >= Math.min(10, rules.baselineWindows()) && s.baseline() >= rules.minBaseline();
    boolean surgeFiring = judged && w.throughputPerSecond() > limit;
    if (surgeFiring != s.surgeFiring() && (judged || s.surgeFiring())) {
      alerts.add(alert(w, Kind.SURGE, surgeFiring, w.throughputPerSecond(), limit, surgeFiring
          ? String.format(Locale.ROOT, "%s surge: %.0f jobs/s, over %.1f× the baseline of %.0f", type, w.throughputPerSecond(), rules.surgeMultiple(), s.baseline())
          : String.format(Locale.ROOT, "%s surge over: %.0f jobs/s", type, w.throughputPerSecond())));
    }
    // a surge does not raise its own baseline, or it would resolve itself
    double alpha = 2.0 / (rules.baselineWindows() + 1);
    double baseline = surgeFiring ? s.baseline() : s.windows() == 0 ? w.throughputPerSecond() : s.baseline() + alpha * (w.throughputPerSecond() - s.baseline());

    boolean errorFiring = w.count() > 0 ? w.errorRate() > rules.errorRate() : s.errorFiring();
    if (errorFiring != s.errorFiring()) {
      alerts.add(alert(w, Kind.ERROR_RATE, errorFiring, w.errorRate(), rules.errorRate(), errorFiring
          ? String.format(Locale.ROOT, "%s error rate %.1f%% above %.1f%%", type, w.errorRate() * 100, rules.errorRate() * 100)
          : String.format(Locale.ROOT, "%s error rate %.1f%% back below %.1f%%", type, w.errorRate() * 100, rules.errorRate() * 100)));
    }

    states.put(type, new AlertState(breaches, baseline, s.windows() + 1, sloFiring, surgeFiring, errorFiring));
    for (PipelineAlert a : alerts) {
      context.forward(new Record<>(type, a, record.timestamp()));
    }
  }

  private static PipelineAlert alert(WindowStats w, Kind kind, boolean firing, double value, double threshold, String message) {
    return new PipelineAlert(w.type(), kind, firing ? State.FIRING : State.RESOLVED, w.windowEnd(), value, threshold, message);
  }
}
