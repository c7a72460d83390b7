package io.bulwark.serving.registry;

import io.bulwark.serving.ab.ReportPoint;
import io.bulwark.serving.ab.Experiment;
import io.bulwark.serving.ab.GateDecision;
import io.bulwark.serving.ab.Arm;
import io.bulwark.serving.ab.CanaryComparison;
import io.bulwark.serving.ab.VersionView;
import io.bulwark.serving.canary.CanaryScores;
import io.bulwark.serving.canary.ChampionWatch;
import io.bulwark.serving.canary.ModelCanary;
import io.bulwark.serving.error.ServingException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Everything serving knows about one model id: its loaded versions (bounded, least recently used evicted first,
 * versions the experiment needs are kept), versions loading, refused snapshots, robustness reports and the
 * A/B experiment. Thread-safe: every method locks the slot.
 */
public final class ServedModel implements VersionView {

    private static final int MAX_REFUSED = 20;

    private final String modelId;
    private final int maxVersions;
    private final int maxReports;
    private final TreeMap<Long, LoadedVersion> versions = new TreeMap<>();
    /** Versions being loaded, with the fingerprint of the record being loaded. */
    private final TreeMap<Long, String> loading = new TreeMap<>();
    private final TreeMap<Long, ReportPoint> reports = new TreeMap<>();
    private final Deque<Refusal> refused = new ArrayDeque<>();
    private final Experiment experiment;
    private final ModelCanary canary;
    private final ChampionWatch watch;
    private final int minExamples;

    /** A refused snapshot version with the reason. */
    public record Refusal(long version, String kind, String reason, long at) {}

    ServedModel(String modelId, int maxVersions, int maxReports, Experiment experiment, ModelCanary canary,
                ChampionWatch watch, int minExamples) {
        this.modelId = modelId;
        this.maxVersions = maxVersions;
        this.maxReports = maxReports;
        this.experiment = experiment;
        this.canary = canary;
        this.watch = watch;
        this.minExamples = minExamples;
    }

    /** The canary set of this model and every version's answers on it. */
    public ModelCanary canary() {
        return canary;
    }

    @Override
    public Optional<CanaryComparison> canary(long champion, long candidate) {
        return canary.compare(champion, candidate);
    }

    /** The model id. */
    public String modelId() {
        return modelId;
    }

    @Override
    public synchronized NavigableSet<Long> loadedVersions() {
        return new TreeSet<>(versions.keySet());
    }

    @Override
    public synchronized Optional<ReportPoint> report(long version) {
        return Optional.ofNullable(reports.get(version));
    }

    /** The loaded version {@code version}, if loaded. */
    public synchronized Optional<LoadedVersion> version(long version) {
        return Optional.ofNullable(versions.get(version));
    }

    /** Number of loaded versions. */
    public synchronized int loadedCount() {
        return versions.size();
    }

    /** The report of the newest reported version, if any. */
    public synchronized Optional<ReportPoint> latestReport() {
        return reports.isEmpty() ? Optional.empty() : Optional.of(reports.lastEntry().getValue());
    }

    /** Reports kept, ascending by version. */
    public synchronized List<ReportPoint> reports() {
        return new ArrayList<>(reports.values());
    }

    /** The versions that score one request, chosen by the experiment. */
    public record Target(io.bulwark.serving.ab.Routing routing, LoadedVersion primary, LoadedVersion shadow) {}

    /** Routes a request with {@code key} (503 when no version is loaded) and marks the versions used. */
    public synchronized Target route(String key, long tick) {
        io.bulwark.serving.ab.Routing r = experiment.route(key);
        LoadedVersion primary = versions.get(r.version());
        if (primary == null) {
            throw ServingException.unavailable("model " + modelId + " v" + r.version() + " is not loaded; retry");
        }
        primary.touch(tick);
        LoadedVersion shadow = r.shadowVersion() == null ? null : versions.get(r.shadowVersion());
        if (shadow != null) {
            shadow.touch(tick);
        }
        return new Target(r, primary, shadow);
    }

    /** Marks {@code version} used; returns it if loaded. */
    public synchronized Optional<LoadedVersion> use(long version, long tick) {
        LoadedVersion v = versions.get(version);
        if (v != null) {
            v.touch(tick);
        }
        return Optional.ofNullable(v);
    }

    /** Runs {@code action} on the experiment under the slot's lock, then re-resolves arms and evicts. */
    public <T> T withExperiment(Function<Experiment, T> action, List<LoadedVersion> evictedOut) {
        synchronized (this) {
            T result = action.apply(experiment);
            evictedOut.addAll(evict());
            return result;
        }
    }

    /** Reads the experiment under the slot's lock. */
    public synchronized <T> T readExperiment(Function<Experiment, T> read) {
        return read.apply(experiment);
    }

    /** What {@link #beginLoad} decided about one snapshot record. */
    enum Admission {
        /** Load it. */
        LOAD,
        /** The same payload is loaded or loading under this version: a copy, skipped. */
        COPY,
        /** A different payload is loaded or loading under this version: the first one stays, this one is refused. */
        CONFLICT,
        /** Older than every kept version while the slot is full: skipped. */
        STALE
    }

    /**
     * Decides whether a record of {@code version} with payload {@code fingerprint} is loaded. A version number is
     * bound to the first payload serving reads for it (intake reads {@code read_committed}, so that payload was
     * committed); a version whose load failed or that was evicted is not bound and may load again.
     */
    synchronized Admission beginLoad(long version, String fingerprint) {
        LoadedVersion loaded = versions.get(version);
        String bound = loaded != null ? loaded.fingerprint() : loading.get(version);
        if (bound != null) {
            return bound.equals(fingerprint) ? Admission.COPY : Admission.CONFLICT;
        }
        boolean full = versions.size() >= maxVersions;
        if (full && version < versions.firstKey() && !experiment.pinnedVersions().contains(version)) {
            return Admission.STALE;
        }
        loading.put(version, fingerprint);
        return Admission.LOAD;
    }

    /** The fingerprint bound to {@code version} (loaded or loading), if any. */
    synchronized Optional<String> fingerprint(long version) {
        LoadedVersion loaded = versions.get(version);
        return Optional.ofNullable(loaded != null ? loaded.fingerprint() : loading.get(version));
    }

    /** What a change did: versions evicted (to close outside the lock) and a new gate block (to report), if any. */
    record Change(List<LoadedVersion> evicted, GateDecision blocked, Experiment.Event rolledBack) {

        Change(List<LoadedVersion> evicted, GateDecision blocked) {
            this(evicted, blocked, null);
        }
    }

    /** Adds a loaded version and re-resolves the arms. */
    synchronized Change addLoaded(LoadedVersion v, long now) {
        loading.remove(v.version());
        refused.removeIf(r -> r.version() == v.version() && !"conflict".equals(r.kind()));
        versions.put(v.version(), v);
        GateDecision blocked = refreshExperiment(now);
        return new Change(evict(), blocked);
    }

    synchronized void refuse(long version, String kind, String reason, long now) {
        if (!"conflict".equals(kind)) {
            loading.remove(version);
        }
        refused.addFirst(new Refusal(version, kind, reason, now));
        while (refused.size() > MAX_REFUSED) {
            refused.removeLast();
        }
    }

    synchronized Change addReport(ReportPoint report, long now) {
        reports.put(report.version(), report);
        while (reports.size() > maxReports) {
            reports.pollFirstEntry();
        }
        GateDecision blocked = refreshExperiment(now);
        return new Change(evict(), blocked);
    }

    /**
     * After a canary scoring round: re-runs the gate (a waiting candidate may now pass), then checks the champion
     * against the rollback threshold and, after enough consecutive checks below it, rolls A back to the most recent
     * earlier version whose canary accuracy is at or above the threshold.
     */
    synchronized Change canaryScored(long now) {
        GateDecision blocked = refreshExperiment(now);
        Experiment.Event rolledBack = null;
        Long champion = experiment.version(Arm.A);
        if (champion != null && watch.enabled()) {
            Optional<CanaryScores.Accuracy> acc = canary.scores().accuracy(champion);
            if (acc.isPresent() && acc.get().n() >= minExamples
                    && watch.observe(champion, acc.get().canaryVersion(), acc.get().cleanAccuracy())) {
                rolledBack = rollBackFrom(champion, acc.get(), now);
            }
        }
        return new Change(evict(), blocked, rolledBack);
    }

    /** Rolls A back from a failing champion; returns the rollback, or null when no earlier version qualifies. */
    private Experiment.Event rollBackFrom(long champion, CanaryScores.Accuracy acc, long now) {
        String why = String.format(Locale.ROOT, "v%d canary accuracy %.3f (n = %d, canary set v%d) stayed"
                        + " below %.3f for %d consecutive checks", champion, acc.cleanAccuracy(), acc.n(),
                acc.canaryVersion(), watch.threshold(), watch.checks());
        for (long previous : experiment.history()) {
            Optional<CanaryScores.Accuracy> p = canary.scores().accuracy(previous);
            if (versions.containsKey(previous) && p.isPresent() && p.get().cleanAccuracy() >= watch.threshold()) {
                watch.reset();
                return experiment.autoRollback(previous, why + String.format(Locale.ROOT,
                        "; v%d scores %.3f", previous, p.get().cleanAccuracy()), now);
            }
        }
        experiment.noteRollbackImpossible(why + "; no earlier loaded version scores at or above the threshold", now);
        watch.reset();
        return null;
    }

    /** Re-resolves the arms; returns the gate decision if it newly blocked a candidate. */
    private GateDecision refreshExperiment(long now) {
        GateDecision before = experiment.lastGate();
        experiment.refresh(this, now);
        GateDecision after = experiment.lastGate();
        if (after != null && after != before && after.outcome() == GateDecision.Outcome.BLOCKED
                && (before == null || before.outcome() != GateDecision.Outcome.BLOCKED
                        || before.candidateVersion() != after.candidateVersion())) {
            return after;
        }
        return null;
    }

    /** Evicts least recently used versions beyond the bound, never one the experiment needs. */
    private List<LoadedVersion> evict() {
        if (versions.size() <= maxVersions) {
            return List.of();
        }
        Set<Long> pinned = experiment.pinnedVersions();
        List<LoadedVersion> evicted = new ArrayList<>();
        while (versions.size() > maxVersions) {
            LoadedVersion victim = null;
            for (LoadedVersion v : versions.values()) {
                if (!pinned.contains(v.version()) && (victim == null || v.lastUsed() < victim.lastUsed())) {
                    victim = v;
                }
            }
            if (victim == null) {
                break;
            }
            versions.remove(victim.version());
            canary.scores().forget(victim.version());
            canary.confidences().forget(victim.version());
            evicted.add(victim);
        }
        return evicted;
    }

    /** A JSON-friendly view: versions with their reports, loading, refused, the experiment. */
    public synchronized Map<String, Object> toView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelId", modelId);
        Set<Long> pinned = experiment.pinnedVersions();
        List<Map<String, Object>> vs = new ArrayList<>();
        for (LoadedVersion v : versions.descendingMap().values()) {
            Map<String, Object> view = v.toView();
            List<String> arms = new ArrayList<>();
            for (io.bulwark.serving.ab.Arm arm : io.bulwark.serving.ab.Arm.values()) {
                Long served = experiment.version(arm);
                if (served != null && served == v.version()) {
                    arms.add(arm.id());
                }
            }
            view.put("arms", arms);
            view.put("pinned", pinned.contains(v.version()));
            view.put("report", reports.get(v.version()));
            view.put("canary", canary.scores().accuracy(v.version()).map(CanaryScores.Accuracy::toView).orElse(null));
            vs.add(view);
        }
        m.put("versions", vs);
        m.put("loading", new ArrayList<>(loading.keySet()));
        m.put("refused", new ArrayList<>(refused));
        m.put("maxVersions", maxVersions);
        m.put("reports", reports.size());
        m.put("experiment", experiment.toView());
        Map<String, Object> c = canary.toView();
        c.put("rollbackThreshold", watch.enabled() ? watch.threshold() : null);
        c.put("rollbackChecks", watch.checks());
        c.put("championChecksBelow", watch.below());
        m.put("canary", c);
        return m;
    }

    /** Refused snapshots, most recent first. */
    public synchronized List<Refusal> refused() {
        return Collections.unmodifiableList(new ArrayList<>(refused));
    }

    /** Versions being loaded. */
    public synchronized Set<Long> loading() {
        return new TreeSet<>(loading.keySet());
    }

    synchronized List<LoadedVersion> removeAll() {
        List<LoadedVersion> all = new ArrayList<>(versions.values());
        versions.clear();
        return all;
    }
}
