package io.bulwark.serving.registry;

import io.bulwark.serving.ab.ReportPoint;
import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.serving.ab.ArmSpec;
import io.bulwark.serving.ab.Experiment;
import io.bulwark.serving.ab.RobustnessGate;
import io.bulwark.serving.canary.CanaryAttacks;
import io.bulwark.serving.canary.ChampionWatch;
import io.bulwark.serving.canary.ModelCanary;
import io.bulwark.serving.error.ServingException;
import io.bulwark.serving.model.PooledEmbedder;
import io.bulwark.serving.model.ScoringModel;
import io.bulwark.serving.model.SnapshotLoader;
import io.bulwark.serving.model.SnapshotRejectedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this process serves: snapshots offered here are loaded in the background, checked by the
 * {@link SnapshotLoader} (format version, checksum) and, if refused, logged with the reason while the versions
 * already loaded keep serving.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final int MAX_UNDECODABLE = 20;

    /** Settings of the registry and of each model's experiment. */
    public record Settings(
            int maxVersionsPerModel,
            int maxReportsPerModel,
            int loaderThreads,
            ArmSpec armA,
            ArmSpec armB,
            double weightA,
            double weightB,
            boolean shadow,
            RobustnessGate gate,
            CanarySettings canary) {

        /** The settings with the default canary settings. */
        public Settings(int maxVersionsPerModel, int maxReportsPerModel, int loaderThreads, ArmSpec armA, ArmSpec armB,
                        double weightA, double weightB, boolean shadow, RobustnessGate gate) {
            this(maxVersionsPerModel, maxReportsPerModel, loaderThreads, armA, armB, weightA, weightB, shadow, gate,
                    CanarySettings.DEFAULTS);
        }
    }

    /**
     * Settings of each model's canary set and of automatic rollback.
     *
     * @param capacity held-out examples kept per model (oldest leave first)
     * @param seed seed of the attacked texts
     * @param charBudget word types edited per text by the character attacks
     * @param goodWords words injected by good-word injection
     * @param rollbackThreshold canary accuracy below which the champion counts as failing (0 = no automatic rollback)
     * @param rollbackChecks consecutive failing checks before the champion is rolled back
     */
    public record CanarySettings(int capacity, long seed, int charBudget, int goodWords, double rollbackThreshold,
                                 int rollbackChecks) {

        /** 1,000 examples, seed 1, 5 edited word types, 10 good words, no automatic rollback, 3 checks. */
        public static final CanarySettings DEFAULTS = new CanarySettings(1000, 1, 5, 10, 0, 3);
    }

    /** A record that could not be decoded, so its model is unknown. */
    public record Undecodable(String source, String reason, long at) {}

    private final SnapshotLoader loader;
    private final Settings settings;
    private final RegistryListener listener;
    private final ExecutorService loadExecutor;
    private final Map<String, ServedModel> slots = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger pendingLoads = new AtomicInteger();
    private final Deque<Undecodable> undecodable = new ArrayDeque<>();
    private final CanaryScorer scorer;

    /** Creates a registry loading snapshots with {@code loader} on {@code settings.loaderThreads()} threads. */
    public ModelRegistry(SnapshotLoader loader, Settings settings, RegistryListener listener) {
        if (settings.maxVersionsPerModel() < 1) {
            throw new IllegalArgumentException("maxVersionsPerModel must be >= 1, got " + settings.maxVersionsPerModel());
        }
        this.loader = loader;
        this.settings = settings;
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.loadExecutor = Executors.newFixedThreadPool(Math.max(1, settings.loaderThreads()), r -> {
            Thread t = new Thread(r, "bulwark-snapshot-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scorer = new CanaryScorer((slot, canaryVersion) ->
                applied(slot, slot.canaryScored(System.currentTimeMillis())));
    }

    /**
     * Adds a held-out event to the canary set of {@code modelId} and queues the scoring of its loaded versions on
     * it; returns false when the set refused it (a duplicate id, no text or no label).
     */
    public boolean offerHeldOut(String modelId, String eventId, String text, String label) {
        ServedModel slot = slot(modelId);
        boolean added = slot.canary().set().add(eventId, text, label);
        if (added) {
            scorer.request(slot);
        }
        return added;
    }

    /** Waits until no canary scoring round is queued or running (tests). */
    public boolean awaitCanaryIdle(long timeoutMillis) throws InterruptedException {
        return scorer.awaitIdle(timeoutMillis);
    }

    /**
     * Queues {@code snapshot} for loading unless that version is loaded or loading, or older than every kept version.
     *
     * <p>A version number is bound to the first payload offered for it. The intake reads {@code read_committed}, so
     * a payload from an aborted transaction is never offered and cannot take a version number; the first payload
     * offered is a committed one. A later record of the same version with the same {@link PayloadFingerprint} is a
     * copy and is skipped; one with a different payload (the same version number committed twice, e.g. by a job
     * restarted from an older savepoint) is refused with kind {@code conflict} while the first keeps serving. A
     * version whose load failed, or that was evicted, is not bound: a later record of it loads.
     */
    public void offer(ModelSnapshot snapshot) {
        ServedModel slot = slot(snapshot.getModelId());
        long version = snapshot.getVersion();
        String fingerprint = PayloadFingerprint.of(snapshot);
        ServedModel.Admission admission = slot.beginLoad(version, fingerprint);
        if (admission == ServedModel.Admission.CONFLICT) {
            String bound = slot.fingerprint(version).orElse("?");
            String reason = "v" + version + " was already read with payload " + bound + "; a different payload "
                    + fingerprint + " under the same version is refused (the first committed payload of a version serves)";
            LOG.warn("Refused snapshot {} v{} (conflict): {}", slot.modelId(), version, reason);
            slot.refuse(version, "conflict", reason, System.currentTimeMillis());
            listener.refused(slot.modelId(), "conflict");
            return;
        }
        if (admission != ServedModel.Admission.LOAD) {
            LOG.debug("Skipping snapshot {} v{} ({}): a copy of a loaded or loading version, or older than the kept"
                    + " versions", snapshot.getModelId(), version, admission);
            return;
        }
        pendingLoads.incrementAndGet();
        try {
            loadExecutor.execute(() -> load(slot, snapshot, fingerprint));
        } catch (RejectedExecutionException e) {
            pendingLoads.decrementAndGet();
            slot.refuse(version, "shutdown", "the registry is closed", System.currentTimeMillis());
        }
    }

    private void load(ServedModel slot, ModelSnapshot snapshot, String fingerprint) {
        long version = snapshot.getVersion();
        long t0 = System.nanoTime();
        try {
            ScoringModel model = loader.load(snapshot);
            PooledEmbedder embedder = embedder(snapshot);
            long nanos = System.nanoTime() - t0;
            LoadedVersion loaded = new LoadedVersion(snapshot, fingerprint, model, embedder,
                    System.currentTimeMillis(), clock.incrementAndGet());
            ServedModel.Change change = slot.addLoaded(loaded, System.currentTimeMillis());
            LOG.info("Loaded snapshot {} v{} in {} ms (labels {})", slot.modelId(), version, nanos / 1_000_000,
                    model.labels());
            listener.loaded(slot.modelId(), version, nanos);
            applied(slot, change);
            scorer.request(slot);
        } catch (SnapshotRejectedException e) {
            LOG.warn("Refused snapshot {} v{} ({}): {}; versions already loaded keep serving {}", slot.modelId(),
                    version, e.kind(), e.getMessage(), slot.loadedVersions());
            slot.refuse(version, e.kind(), e.getMessage(), System.currentTimeMillis());
            listener.refused(slot.modelId(), e.kind());
        } catch (RuntimeException | Error e) {
            LOG.error("Failed to load snapshot {} v{}", slot.modelId(), version, e);
            slot.refuse(version, "load", "could not be loaded: " + e, System.currentTimeMillis());
            listener.refused(slot.modelId(), "load");
        } finally {
            pendingLoads.decrementAndGet();
        }
    }

    private PooledEmbedder embedder(ModelSnapshot snapshot) {
        try {
            return loader.embedder(snapshot);
        } catch (RuntimeException e) {
            LOG.warn("Snapshot {} v{} has no pooled embeddings for the monitor: {}", snapshot.getModelId(),
                    snapshot.getVersion(), e.toString());
            return null;
        }
    }

    /** Records a robustness report; it may let the gate promote a waiting version. */
    public void offerReport(RobustnessReport report) {
        ReportPoint point = ReportPoint.of(report);
        ServedModel slot = slot(point.modelId());
        ServedModel.Change change = slot.addReport(point, System.currentTimeMillis());
        listener.report(point);
        applied(slot, change);
    }

    private void applied(ServedModel slot, ServedModel.Change change) {
        if (change.blocked() != null) {
            LOG.warn("Robustness gate kept {} arm A on v{}: {}", slot.modelId(), change.blocked().currentVersion(),
                    change.blocked().reason());
            listener.gateBlocked(slot.modelId(), change.blocked());
        }
        if (change.rolledBack() != null) {
            LOG.warn("Automatic rollback of {} arm A: {}", slot.modelId(), change.rolledBack().message());
            listener.autoRolledBack(slot.modelId(), change.rolledBack());
        }
        close(change.evicted());
    }

    /** Records a record that could not be decoded (its model is unknown). */
    public void refuseUndecodable(String source, String reason) {
        LOG.warn("Refused undecodable record at {}: {}", source, reason);
        synchronized (undecodable) {
            undecodable.addFirst(new Undecodable(source, reason, System.currentTimeMillis()));
            while (undecodable.size() > MAX_UNDECODABLE) {
                undecodable.removeLast();
            }
        }
        listener.refused("", "decode");
    }

    /** Records undecodable records, most recent first. */
    public List<Undecodable> undecodable() {
        synchronized (undecodable) {
            return new ArrayList<>(undecodable);
        }
    }

    /** The slot of {@code modelId}, or 404 naming the known models. */
    public ServedModel require(String modelId) {
        ServedModel slot = slots.get(modelId);
        if (slot == null) {
            throw ServingException.notFound("unknown model '" + modelId + "' (known: " + new TreeMap<>(slots).keySet() + ")");
        }
        return slot;
    }

    /** The slot of {@code modelId}, if the model was seen. */
    public Optional<ServedModel> find(String modelId) {
        return Optional.ofNullable(slots.get(modelId));
    }

    /** All slots, by model id. */
    public List<ServedModel> slots() {
        return new ArrayList<>(new TreeMap<>(slots).values());
    }

    /** A new use tick for LRU bookkeeping. */
    public long tick() {
        return clock.incrementAndGet();
    }

    /** Snapshots queued or loading. */
    public int pendingLoads() {
        return pendingLoads.get();
    }

    /** Closes versions evicted by an experiment change. */
    public void close(List<LoadedVersion> evicted) {
        for (LoadedVersion v : evicted) {
            LOG.info("Evicted {} v{} (least recently used beyond {} versions)", v.modelId(), v.version(),
                    settings.maxVersionsPerModel());
            listener.evicted(v.modelId(), v.version());
            try {
                v.model().close();
            } catch (RuntimeException e) {
                LOG.warn("Closing {} v{} failed", v.modelId(), v.version(), e);
            }
        }
    }

    private ServedModel slot(String modelId) {
        ServedModel existing = slots.get(modelId);
        if (existing != null) {
            return existing;
        }
        boolean[] created = new boolean[1];
        ServedModel slot = slots.computeIfAbsent(modelId, id -> {
            created[0] = true;
            Experiment e = new Experiment(id, settings.armA(), settings.armB(), settings.weightA(), settings.weightB(),
                    settings.shadow(), settings.gate());
            CanarySettings c = settings.canary();
            return new ServedModel(id, settings.maxVersionsPerModel(), settings.maxReportsPerModel(), e,
                    new ModelCanary(c.capacity(), new CanaryAttacks(c.seed(), c.charBudget(), c.goodWords())),
                    new ChampionWatch(c.rollbackThreshold(), c.rollbackChecks()), settings.gate().config().minExamples());
        });
        if (created[0]) {
            listener.modelAdded(slot);
        }
        return slot;
    }

    @Override
    public void close() {
        scorer.close();
        loadExecutor.shutdownNow();
        try {
            loadExecutor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ServedModel slot : slots.values()) {
            for (LoadedVersion v : slot.removeAll()) {
                v.model().close();
            }
        }
    }
}
