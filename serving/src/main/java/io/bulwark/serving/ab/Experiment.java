package io.bulwark.serving.ab;

import io.bulwark.model.encoding.MurmurHash3;
import io.bulwark.serving.error.ServingException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;

/**
 * The A/B experiment of one model: what each arm serves, the traffic split, shadow mode, the promotion history
 * and the robustness gate on automatic promotion.
 *
 * <p>Arm A set to "latest" is the auto-promote policy: when a newer version loads, A moves to it only if the
 * {@link RobustnessGate} passes it. Arm B set to "latest" follows the newest loaded version without a gate (it is
 * the challenger). Traffic is split by a stable hash of the request key, so a key keeps its arm while weights stay
 * the same (and raising B's weight only moves keys from A to B). Not thread-safe: the owner serialises access.
 */
public final class Experiment {

    /** Hash seed of the traffic split. */
    static final int SPLIT_SEED = 0x5eed_ab01;
    private static final int MAX_HISTORY = 5;
    private static final int MAX_LOG = 50;
    /** The alias of arm A. */
    public static final String CHAMPION = "champion";
    /** The alias of arm B. */
    public static final String CHALLENGER = "challenger";

    private final String modelId;
    private final RobustnessGate gate;
    private ArmSpec specA;
    private ArmSpec specB;
    private Long versionA;
    private Long versionB;
    private double weightA;
    private double weightB;
    private boolean shadow;
    private final Deque<Long> history = new ArrayDeque<>();
    private GateDecision lastGate;
    private final Deque<GateDecision> gateLog = new ArrayDeque<>();
    private final Deque<Event> events = new ArrayDeque<>();
    private final Deque<Event> autoRollbacks = new ArrayDeque<>();

    /** One change of the experiment, for the dashboard. */
    public record Event(long at, String message) {}

    /** Creates an experiment with the given arms, weights and shadow mode. */
    public Experiment(String modelId, ArmSpec a, ArmSpec b, double weightA, double weightB, boolean shadow,
                      RobustnessGate gate) {
        if (a.kind() == ArmSpec.Kind.NONE) {
            throw new IllegalArgumentException("arm A cannot be 'none'");
        }
        checkWeights(weightA, weightB);
        this.modelId = modelId;
        this.specA = a;
        this.specB = b;
        this.weightA = weightA;
        this.weightB = weightB;
        this.shadow = shadow;
        this.gate = gate;
    }

    /** Re-resolves both arms after versions or reports changed; applies the gate to A's automatic promotion. */
    public void refresh(VersionView view, long now) {
        NavigableSet<Long> loaded = view.loadedVersions();
        Long newest = loaded.isEmpty() ? null : loaded.last();
        if (specA.isPinned()) {
            versionA = loaded.contains(specA.version()) ? specA.version() : null;
        } else {
            if (versionA != null && !loaded.contains(versionA)) {
                versionA = null;
            }
            if (newest != null && (versionA == null || newest > versionA)) {
                GateDecision d = gate.check(versionA, newest, view, now);
                recordGate(d);
                if (d.outcome() == GateDecision.Outcome.PASSED) {
                    if (versionA != null) {
                        pushHistory(versionA);
                        event(now, "A auto-promoted v" + versionA + " -> v" + newest + " (" + d.reason() + ")");
                    } else {
                        event(now, "A serves v" + newest);
                    }
                    versionA = newest;
                }
            }
        }
        versionB = switch (specB.kind()) {
            case PINNED -> loaded.contains(specB.version()) ? specB.version() : null;
            case LATEST -> newest;
            case NONE -> null;
        };
    }

    /** Chooses the arm for a request with {@code key}; throws 503 when no arm has a version. */
    public Routing route(String key) {
        if (versionA == null && versionB == null) {
            throw ServingException.unavailable("model " + modelId + " has no version loaded yet");
        }
        if (shadow) {
            if (versionA == null) {
                return new Routing(Arm.B, versionB, null);
            }
            return new Routing(Arm.A, versionA, versionB);
        }
        Arm arm = chooseArm(key);
        if (arm == Arm.B && versionB == null) {
            arm = Arm.A;
        } else if (arm == Arm.A && versionA == null) {
            arm = Arm.B;
        }
        return new Routing(arm, arm == Arm.A ? versionA : versionB, null);
    }

    /** The arm {@code key} hashes to under the current weights, whether or not that arm has a version. */
    public Arm chooseArm(String key) {
        double shareB = weightB / (weightA + weightB);
        return MurmurHash3.unitInterval(key, SPLIT_SEED) < shareB ? Arm.B : Arm.A;
    }

    /** Sets the traffic weights (non-negative, not both zero). */
    public void setWeights(double a, double b, long now) {
        checkWeights(a, b);
        weightA = a;
        weightB = b;
        event(now, String.format(Locale.ROOT, "weights A=%s B=%s", fmt(a), fmt(b)));
    }

    /** Turns shadow mode on or off. */
    public void setShadow(boolean on, long now) {
        shadow = on;
        event(now, "shadow mode " + (on ? "on" : "off"));
    }

    /** Sets what an arm serves; a pinned version must be loaded (404 otherwise). */
    public void setArm(Arm arm, ArmSpec spec, VersionView view, long now) {
        if (spec.isPinned() && !view.loadedVersions().contains(spec.version())) {
            throw ServingException.notFound("model " + modelId + " has no loaded version " + spec.version()
                    + " (loaded: " + view.loadedVersions() + ")");
        }
        if (arm == Arm.A) {
            if (spec.kind() == ArmSpec.Kind.NONE) {
                throw ServingException.invalid("arm A cannot be 'none'");
            }
            if (spec.isPinned() && versionA != null && versionA != spec.version()) {
                pushHistory(versionA);
            }
            specA = spec;
        } else {
            specB = spec;
        }
        event(now, "arm " + arm + " set to " + spec);
        refresh(view, now);
    }

    /** Makes A serve B's current version (pinned); refused with 409 if the gate does not pass it, unless forced. */
    public GateDecision promote(boolean force, VersionView view, long now) {
        if (versionB == null) {
            throw ServingException.conflict("arm B of model " + modelId + " serves no version; nothing to promote");
        }
        long candidate = versionB;
        if (versionA != null && versionA == candidate) {
            throw ServingException.conflict("arm B serves v" + candidate + ", which arm A already serves");
        }
        GateDecision d = gate.check(versionA, candidate, view, now);
        recordGate(d);
        if (d.outcome() != GateDecision.Outcome.PASSED && !force) {
            throw ServingException.conflict("robustness gate refuses to promote v" + candidate + ": " + d.reason()
                    + " (send {\"force\": true} to override)");
        }
        if (versionA != null) {
            pushHistory(versionA);
        }
        event(now, "promoted B's v" + candidate + " to A (was " + (versionA == null ? "none" : "v" + versionA) + ")"
                + (d.outcome() != GateDecision.Outcome.PASSED ? " by force over the gate: " + d.reason() : ""));
        specA = ArmSpec.pinned(candidate);
        versionA = candidate;
        return d;
    }

    /** Makes A serve the version it served before the last promotion (pinned); 409 when there is none. */
    public long rollback(VersionView view, long now) {
        while (!history.isEmpty()) {
            long previous = history.pop();
            if (view.loadedVersions().contains(previous)) {
                event(now, "rolled back A from " + (versionA == null ? "none" : "v" + versionA) + " to v" + previous);
                specA = ArmSpec.pinned(previous);
                versionA = previous;
                return previous;
            }
        }
        throw ServingException.conflict("model " + modelId + " has no previous A version to roll back to");
    }

    /**
     * Makes A serve {@code version} (pinned), which must be loaded (404) and differ from A's (409); the version A
     * served becomes the rollback target.
     */
    public long rollbackTo(long version, VersionView view, long now) {
        if (!view.loadedVersions().contains(version)) {
            throw ServingException.notFound("model " + modelId + " has no loaded version " + version
                    + " (loaded: " + view.loadedVersions() + ")");
        }
        if (versionA != null && versionA == version) {
            throw ServingException.conflict("arm A already serves v" + version);
        }
        history.remove(version);
        if (versionA != null) {
            pushHistory(versionA);
        }
        event(now, "rolled back A from " + (versionA == null ? "none" : "v" + versionA) + " to v" + version);
        specA = ArmSpec.pinned(version);
        versionA = version;
        return version;
    }

    /**
     * Rolls A back to {@code version} (pinned) because its champion failed the canary rollback rule; the failed
     * version is not kept as a rollback target.
     */
    public Event autoRollback(long version, String reason, long now) {
        history.remove(version);
        event(now, "automatic rollback of A from " + (versionA == null ? "none" : "v" + versionA) + " to v" + version
                + ": " + reason);
        Event rollback = new Event(now, "v" + versionA + " -> v" + version + ": " + reason);
        autoRollbacks.addFirst(rollback);
        while (autoRollbacks.size() > MAX_HISTORY) {
            autoRollbacks.removeLast();
        }
        specA = ArmSpec.pinned(version);
        versionA = version;
        return rollback;
    }

    /** Records that the rollback rule fired with no version to roll back to. */
    public void noteRollbackImpossible(String reason, long now) {
        event(now, "automatic rollback not possible: " + reason);
    }

    /** Automatic rollbacks, most recent first. */
    public List<Event> autoRollbacks() {
        return List.copyOf(autoRollbacks);
    }

    /** Versions the experiment needs kept: what the arms serve or are pinned to, and the rollback target. */
    public Set<Long> pinnedVersions() {
        Set<Long> pinned = new LinkedHashSet<>();
        if (versionA != null) {
            pinned.add(versionA);
        }
        if (versionB != null) {
            pinned.add(versionB);
        }
        if (specA.isPinned()) {
            pinned.add(specA.version());
        }
        if (specB.isPinned()) {
            pinned.add(specB.version());
        }
        if (!history.isEmpty()) {
            pinned.add(history.peek());
        }
        return pinned;
    }

    /** The version an arm serves now, or null. */
    public Long version(Arm arm) {
        return arm == Arm.A ? versionA : versionB;
    }

    /** What an arm is set to. */
    public ArmSpec spec(Arm arm) {
        return arm == Arm.A ? specA : specB;
    }

    /** The weight of an arm. */
    public double weight(Arm arm) {
        return arm == Arm.A ? weightA : weightB;
    }

    /** Whether shadow mode is on. */
    public boolean shadow() {
        return shadow;
    }

    /** The last gate decision, or null. */
    public GateDecision lastGate() {
        return lastGate;
    }

    /** The previous A versions, most recent first. */
    public List<Long> history() {
        return List.copyOf(history);
    }

    /** Recent gate decisions, most recent first. */
    public List<GateDecision> gateLog() {
        return List.copyOf(gateLog);
    }

    /** Recent changes, most recent first. */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /** A JSON-friendly view of the experiment. */
    public Map<String, Object> toView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shadow", shadow);
        List<Map<String, Object>> arms = new ArrayList<>();
        for (Arm arm : Arm.values()) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("arm", arm.id());
            a.put("spec", spec(arm).toString());
            a.put("version", version(arm));
            a.put("weight", weight(arm));
            arms.add(a);
        }
        m.put("arms", arms);
        m.put("aliases", aliases());
        m.put("rollbackHistory", history());
        m.put("autoRollbacks", autoRollbacks());
        m.put("gate", gateView(lastGate));
        m.put("gateMargin", gate.config().margin());
        m.put("gateLog", gateLog.stream().map(Experiment::gateView).toList());
        m.put("events", events());
        return m;
    }

    /** The MLflow-style aliases: champion is arm A, challenger is arm B, each with what it is set to. */
    public Map<String, Object> aliases() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Arm arm : Arm.values()) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("arm", arm.id());
            a.put("version", version(arm));
            a.put("spec", spec(arm).toString());
            a.put("pinned", spec(arm).isPinned());
            m.put(arm == Arm.A ? CHAMPION : CHALLENGER, a);
        }
        return m;
    }

    /** The arm of an alias ("champion" or "challenger"), or null. */
    public static Arm armOfAlias(String alias) {
        return CHAMPION.equals(alias) ? Arm.A : CHALLENGER.equals(alias) ? Arm.B : null;
    }

    private static Map<String, Object> gateView(GateDecision d) {
        if (d == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", d.outcome().name().toLowerCase(Locale.ROOT));
        m.put("currentVersion", d.currentVersion());
        m.put("candidateVersion", d.candidateVersion());
        m.put("currentRobustAccuracy", Double.isFinite(d.currentRobust()) ? d.currentRobust() : null);
        m.put("candidateRobustAccuracy", Double.isFinite(d.candidateRobust()) ? d.candidateRobust() : null);
        m.put("reason", d.reason());
        m.put("at", d.at());
        m.put("basis", d.canary() == null ? "reports" : "canary");
        if (d.canary() != null) {
            m.put("canaryVersion", d.canary().canaryVersion());
            if (d.canary().clean() != null) {
                m.put("clean", pairedView(d.canary().clean()));
                m.put("robust", pairedView(d.canary().robust()));
            }
        }
        return m;
    }

    private static Map<String, Object> pairedView(PairedTest.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", r.counts().n());
        m.put("b", r.counts().championOnly());
        m.put("c", r.counts().candidateOnly());
        m.put("currentAccuracy", finite(r.championAccuracy()));
        m.put("candidateAccuracy", finite(r.candidateAccuracy()));
        m.put("difference", finite(r.difference()));
        m.put("lowerBound", finite(r.lower()));
        m.put("upperBound", finite(r.upper()));
        m.put("pWorse", finite(r.pWorse()));
        return m;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /**
     * Makes {@code d} the last decision and logs it unless it repeats the last logged one (same candidate, champion
     * and outcome) or only says that canary scoring is still in progress.
     */
    private void recordGate(GateDecision d) {
        GateDecision logged = gateLog.peekFirst();
        boolean repeat = logged != null && logged.candidateVersion() == d.candidateVersion()
                && logged.outcome() == d.outcome() && Objects.equals(logged.currentVersion(), d.currentVersion());
        boolean scoring = d.canary() != null && d.canary().clean() == null;
        lastGate = d;
        if (!repeat && !scoring) {
            gateLog.addFirst(d);
            while (gateLog.size() > MAX_LOG) {
                gateLog.removeLast();
            }
        }
    }

    private void pushHistory(long version) {
        history.remove(version);
        history.push(version);
        while (history.size() > MAX_HISTORY) {
            history.removeLast();
        }
    }

    private void event(long now, String message) {
        events.addFirst(new Event(now, message));
        while (events.size() > MAX_LOG) {
            events.removeLast();
        }
    }

    private static void checkWeights(double a, double b) {
        if (!(a >= 0) || !(b >= 0) || !Double.isFinite(a) || !Double.isFinite(b) || a + b <= 0) {
            throw ServingException.invalid("weights must be finite, non-negative and not both zero, got A=" + a + " B=" + b);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
