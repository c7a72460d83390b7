package io.bulwark.serving.monitor;

import io.bulwark.serving.canary.CanaryScores;
import io.bulwark.serving.registry.ServedModel;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Per-version gauges ({@code bulwark_serving_version_*} with labels {@code model} and {@code version}): registered
 * when a version loads and removed when it is evicted, so the series are those of the loaded versions only (at most
 * the registry's bound per model, plus versions the experiment pins). Thread-safe.
 */
final class VersionGauges {

    private final MeterRegistry meters;
    private final Map<String, Map<Long, List<Meter>>> registered = new HashMap<>();

    VersionGauges(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Registers the gauges of a loaded version (once). */
    synchronized void add(ServedModel slot, ModelMonitor m, long version) {
        Map<Long, List<Meter>> byVersion = registered.computeIfAbsent(slot.modelId(), k -> new HashMap<>());
        if (byVersion.containsKey(version) || slot.version(version).isEmpty()) {
            return;
        }
        List<Meter> out = new ArrayList<>();
        String v = Long.toString(version);
        out.add(gauge("bulwark.serving.version.estimated.accuracy", slot, v,
                s -> estimate(s, m, version, ModelMonitor.Estimate::estimatedAccuracy),
                "Label-free accuracy estimate of a loaded version: mean canary-calibrated confidence of its recent"
                        + " served answers (CBPE; NaN before it answered or was scored on the canary set)"));
        out.add(gauge("bulwark.serving.version.confidence.psi", slot, v,
                s -> estimate(s, m, version, ModelMonitor.Estimate::confidencePsi),
                "PSI of the confidence of a loaded version's recent served answers against its canary answers"));
        out.add(gauge("bulwark.serving.version.answers", slot, v,
                s -> estimate(s, m, version, e -> e.answers()),
                "Served answers of a loaded version in the monitor's window (requests and shadow)"));
        for (String kind : List.of("clean", "attacked")) {
            out.add(gauge("bulwark.serving.version.canary.accuracy", slot, v,
                    s -> s.canary().scores().accuracy(version)
                            .map(a -> kind.equals("clean") ? a.cleanAccuracy() : a.robustAccuracy())
                            .orElse(Double.NaN),
                    "Canary-set accuracy of a loaded version, clean or under every attack family (NaN before it"
                            + " is scored)", "kind", kind));
        }
        out.add(gauge("bulwark.serving.version.canary.examples", slot, v,
                s -> s.canary().scores().accuracy(version).map(CanaryScores.Accuracy::n).orElse(0).doubleValue(),
                "Canary examples a loaded version was scored on"));
        byVersion.put(version, out);
    }

    /** Removes the gauges of an evicted version. */
    synchronized void remove(String modelId, long version) {
        Map<Long, List<Meter>> byVersion = registered.get(modelId);
        List<Meter> gone = byVersion == null ? null : byVersion.remove(version);
        if (gone != null) {
            gone.forEach(meters::remove);
        }
    }

    private Meter gauge(String name, ServedModel slot, String version, ToDoubleFunction<ServedModel> f,
                        String description, String... tags) {
        Gauge.Builder<ServedModel> b = Gauge.builder(name, slot, f).tag("model", slot.modelId())
                .tag("version", version).description(description).strongReference(true);
        for (int i = 0; i < tags.length; i += 2) {
            b = b.tag(tags[i], tags[i + 1]);
        }
        return b.register(meters);
    }

    private static double estimate(ServedModel slot, ModelMonitor m, long version,
                                   ToDoubleFunction<ModelMonitor.Estimate> f) {
        return f.applyAsDouble(m.estimate(version, ServingMonitor.calibration(slot, version)));
    }
}
