package io.bulwark.cli.local;

import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a run published, read back from the output topics with {@code read_committed}: snapshots per model (the
 * last one kept whole, the others as headers), the last robustness report per model, dead letters by reason.
 */
public final class RunSummary {

    /** Header of one published snapshot. */
    public record SnapshotHeader(String modelId, long version, Long parentVersion, long createdAt, long examplesSeen,
                                 Map<String, Double> metrics) {
    }

    private final List<SnapshotHeader> snapshots = new ArrayList<>();
    private final Map<String, ModelSnapshot> lastSnapshot = new TreeMap<>();
    private final Map<String, RobustnessReport> lastReport = new TreeMap<>();
    private final List<RobustnessReport> reports = new ArrayList<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private final List<DeadLetter> deadLetterRecords = new ArrayList<>();

    private RunSummary() {
    }

    /** Reads the output topics of {@code layout}. */
    public static RunSummary read(Properties clientProperties, RegistryConfig registry, TopicLayout layout,
                                  Duration timeout) {
        RunSummary s = new RunSummary();
        try (AvroRegistryCodec<ModelSnapshot> snapshots = AvroRegistryCodec.forClass(ModelSnapshot.class, registry);
             AvroRegistryCodec<RobustnessReport> reports = AvroRegistryCodec.forClass(RobustnessReport.class,
                     registry);
             AvroRegistryCodec<DeadLetter> dead = AvroRegistryCodec.forClass(DeadLetter.class, registry)) {
            TopicReader.forEach(clientProperties, layout.snapshots(), timeout, r -> {
                ModelSnapshot m = snapshots.decode(r.topic(), r.value());
                s.snapshots.add(new SnapshotHeader(m.getModelId(), m.getVersion(), m.getParentVersion(),
                        m.getCreatedAt().toEpochMilli(), m.getExamplesSeen(), m.getMetrics()));
                ModelSnapshot previous = s.lastSnapshot.get(m.getModelId());
                if (previous == null || previous.getVersion() < m.getVersion()) {
                    s.lastSnapshot.put(m.getModelId(), m);
                }
            });
            TopicReader.forEach(clientProperties, layout.reports(), timeout, r -> {
                RobustnessReport report = reports.decode(r.topic(), r.value());
                s.reports.add(report);
                RobustnessReport previous = s.lastReport.get(report.getModelId());
                if (previous == null || previous.getVersion() < report.getVersion()) {
                    s.lastReport.put(report.getModelId(), report);
                }
            });
            TopicReader.forEach(clientProperties, layout.deadLetters(), timeout, r -> {
                DeadLetter d = dead.decode(r.topic(), r.value());
                s.deadLetterRecords.add(d);
                s.deadLetters.merge(d.getReason(), 1L, Long::sum);
            });
        }
        return s;
    }

    /** Returns every snapshot's header in topic order. */
    public List<SnapshotHeader> snapshots() {
        return snapshots;
    }

    /** Returns the latest snapshot of each model. */
    public Map<String, ModelSnapshot> lastSnapshots() {
        return lastSnapshot;
    }

    /** Returns every report in topic order. */
    public List<RobustnessReport> reports() {
        return reports;
    }

    /** Returns the report of a model's version, if one was read. */
    public Optional<RobustnessReport> report(String modelId, long version) {
        return reports.stream().filter(r -> r.getModelId().equals(modelId) && r.getVersion() == version)
                .findFirst();
    }

    /** Returns the latest report of each model. */
    public Map<String, RobustnessReport> lastReports() {
        return lastReport;
    }

    /** Returns dead-letter counts by reason. */
    public Map<String, Long> deadLettersByReason() {
        return deadLetters;
    }

    /** Returns the dead letters. */
    public List<DeadLetter> deadLetters() {
        return deadLetterRecords;
    }

    /** Returns the number of dead letters. */
    public long deadLetterCount() {
        return deadLetterRecords.size();
    }

    /** Returns the highest snapshot version of any model, 0 without snapshots. */
    public long lastVersion() {
        return snapshots.stream().mapToLong(SnapshotHeader::version).max().orElse(0);
    }

    /** Returns the examples trained, summed over the models' latest snapshots. */
    public long eventsTrained() {
        return lastSnapshot.values().stream().mapToLong(ModelSnapshot::getExamplesSeen).sum();
    }

    /** Returns the events held out, summed over the models' latest snapshots. */
    public long eventsHeldOut() {
        return (long) lastSnapshot.values().stream()
                .mapToDouble(m -> m.getMetrics().getOrDefault("eventsHeldOut", 0.0)).sum();
    }

    /**
     * Returns the unlabeled events the models received but did not train on (the learner uses unlabeled events only
     * with its VAT/ALUM term), summed over the models' latest snapshots.
     */
    public long eventsUnlabeled() {
        return (long) lastSnapshot.values().stream()
                .mapToDouble(m -> m.getMetrics().getOrDefault("eventsUnlabeled", 0.0)).sum();
    }

    /** Returns the prequential accuracy over everything trained, weighted by each model's examples. */
    public double prequentialAccuracy() {
        double num = 0;
        double den = 0;
        for (ModelSnapshot m : lastSnapshot.values()) {
            Double acc = m.getMetrics().get("prequentialAccuracyTotal");
            if (acc != null && !acc.isNaN()) {
                num += acc * m.getExamplesSeen();
                den += m.getExamplesSeen();
            }
        }
        return den == 0 ? Double.NaN : num / den;
    }

    /** Returns the clean held-out accuracy of the latest reports, weighted by window size. */
    public double cleanAccuracy() {
        return weighted(true);
    }

    /** Returns the robust held-out accuracy of the latest reports, weighted by window size. */
    public double robustAccuracy() {
        return weighted(false);
    }

    private double weighted(boolean clean) {
        double num = 0;
        double den = 0;
        for (RobustnessReport r : lastReport.values()) {
            double v = clean ? r.getCleanAccuracy() : r.getRobustAccuracy();
            if (!Double.isNaN(v) && r.getWindowSize() > 0) {
                num += v * r.getWindowSize();
                den += r.getWindowSize();
            }
        }
        return den == 0 ? Double.NaN : num / den;
    }
}
