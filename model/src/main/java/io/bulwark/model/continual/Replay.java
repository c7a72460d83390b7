package io.bulwark.model.continual;

import io.bulwark.model.ContinualConfig;
import io.bulwark.model.Example;
import io.bulwark.model.nn.SeededRandom;
import io.bulwark.model.snapshot.SnapshotFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A class-balanced replay reservoir: one reservoir sample (Vitter's algorithm R) of at most {@code perClass} labeled
 * examples per class, from which each training batch draws a share of its examples, classes uniformly, so that a long
 * run of one class does not make the network forget the others.
 *
 * <p>It also keeps the optional <em>probe</em>: per class at most {@code probePerClass} labeled examples withheld
 * from all training, on which the mixture of experts scores its experts ({@link #admit}, {@link #drawProbe}). A
 * labeled example of a class seen n times so far enters the probe with probability min({@value #PROBE_SHARE},
 * probePerClass / n); when the probe is full a random member is evicted and released to training. Over a long
 * stream the probe is thus a uniform sample of the class's whole history, never trained on, so the experts'
 * mistakes on it measure what they have forgotten.
 *
 * <p>Its own seeded generator drives the reservoirs, the probe and the draws; its state is part of the learner's
 * checkpoint ({@link #encode}, {@link #decode}), so a restored learner replays exactly the same examples.
 */
public final class Replay {
    private static final int FORMAT_VERSION = 2;

    /** The largest share of a class's examples the probe withholds. */
    public static final double PROBE_SHARE = 0.1;

    private final int perClass;
    private final double fraction;
    private final SeededRandom rng;
    private final Map<String, List<Example>> reservoirs = new LinkedHashMap<>();
    private final Map<String, Long> seen = new LinkedHashMap<>();
    private final int probePerClass;
    private final Map<String, List<Example>> probes = new LinkedHashMap<>();
    private final Map<String, Long> probeSeen = new LinkedHashMap<>();

    /** An empty reservoir without a probe. */
    public Replay(int perClass, double fraction, long seed) {
        this(perClass, fraction, 0, seed);
    }

    /** An empty reservoir, with a probe of {@code probePerClass} examples per class (0 = none). */
    public Replay(int perClass, double fraction, int probePerClass, long seed) {
        this.perClass = perClass;
        this.fraction = fraction;
        this.probePerClass = probePerClass;
        this.rng = new SeededRandom(seed);
    }

    /**
     * Which examples of a batch the probe withheld, and the probe members their admission evicted (to be trained on
     * now).
     *
     * @param withheld per example of the batch, whether the probe keeps it from training
     * @param released evicted probe members, never trained on before
     */
    public record Admission(boolean[] withheld, List<Example> released) {}

    /**
     * Passes the labeled examples of a batch by the probe. Without a probe nothing is withheld or released, and the
     * generator is not used.
     */
    public Admission admit(List<Example> batch) {
        boolean[] withheld = new boolean[batch.size()];
        List<Example> released = new ArrayList<>();
        if (probePerClass == 0) {
            return new Admission(withheld, released);
        }
        for (int i = 0; i < batch.size(); i++) {
            Example e = batch.get(i);
            if (!e.isLabeled()) {
                continue;
            }
            // Created on first sight, in the order of probeSeen, so that a restored probe draws in the same order.
            List<Example> p = probes.computeIfAbsent(e.label(), k -> new ArrayList<>());
            long n = probeSeen.merge(e.label(), 1L, Long::sum);
            if (rng.nextDouble() >= Math.min(PROBE_SHARE, probePerClass / (double) n)) {
                continue;
            }
            withheld[i] = true;
            if (p.size() < probePerClass) {
                p.add(e);
            } else {
                released.add(p.set(nextInt(p.size()), e));
            }
        }
        return new Admission(withheld, released);
    }

    /** {@code n} probe examples drawn with replacement: a class uniformly among the non-empty ones, then one. */
    public List<Example> drawProbe(int n) {
        return drawFrom(probes, n);
    }

    /**
     * How many replayed examples join a training batch of {@code streamExamples} stream examples: a share
     * {@code fraction} of the enlarged batch, at most the slots a batch of {@code batchSize} has for them.
     */
    public int replayCount(int streamExamples, int batchSize) {
        return Math.min(ContinualConfig.replayedBeside(batchSize, fraction),
                ContinualConfig.replayedBeside(streamExamples, fraction));
    }

    /** {@code n} examples drawn with replacement: a class uniformly among the non-empty ones, then an example. */
    public List<Example> draw(int n) {
        return drawFrom(reservoirs, n);
    }

    private List<Example> drawFrom(Map<String, List<Example>> byClass, int n) {
        List<List<Example>> classes = new ArrayList<>();
        byClass.values().forEach(r -> {
            if (!r.isEmpty()) {
                classes.add(r);
            }
        });
        List<Example> out = new ArrayList<>(n);
        if (classes.isEmpty()) {
            return out;
        }
        for (int i = 0; i < n; i++) {
            List<Example> r = classes.get(nextInt(classes.size()));
            out.add(r.get(nextInt(r.size())));
        }
        return out;
    }

    /** Examples of {@code label} in the replay reservoir now: a view, valid until the reservoir changes. */
    public List<Example> reservoirOf(String label) {
        List<Example> r = reservoirs.get(label);
        return r == null ? List.of() : java.util.Collections.unmodifiableList(r);
    }

    /** Offers the labeled examples of a batch to their class's reservoir. */
    public void offer(List<Example> batch) {
        for (Example e : batch) {
            if (!e.isLabeled()) {
                continue;
            }
            List<Example> r = reservoirs.computeIfAbsent(e.label(), k -> new ArrayList<>());
            long n = seen.merge(e.label(), 1L, Long::sum);
            if (r.size() < perClass) {
                r.add(e);
            } else {
                long j = Math.floorMod(rng.nextLong(), n);
                if (j < perClass) {
                    r.set((int) j, e);
                }
            }
        }
    }

    private int nextInt(int bound) {
        return (int) Math.floorMod(rng.nextLong(), (long) bound);
    }

    /** The examples held for each class. */
    public Map<String, List<Example>> contents() {
        Map<String, List<Example>> out = new LinkedHashMap<>();
        reservoirs.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /** The examples withheld in the probe, per class. */
    public Map<String, List<Example>> probeContents() {
        Map<String, List<Example>> out = new LinkedHashMap<>();
        probes.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /** The labeled examples offered per class. */
    public Map<String, Long> seen() {
        return Map.copyOf(seen);
    }

    /**
     * The state: format version, generator state, the replay reservoirs (per class: label, count offered, examples
     * held) and, from version 2, the probe in the same form.
     */
    public byte[] encode() {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.writeInt(FORMAT_VERSION);
            out.writeLong(rng.state());
            writeClasses(out, reservoirs, seen);
            writeClasses(out, probes, probeSeen);
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("In-memory write failed", e);
        }
    }

    private static void writeClasses(DataOutputStream out, Map<String, List<Example>> byClass, Map<String, Long> counts)
            throws IOException {
        out.writeInt(counts.size());
        for (Map.Entry<String, Long> c : counts.entrySet()) {
            out.writeUTF(c.getKey());
            out.writeLong(c.getValue());
            List<Example> held = byClass.getOrDefault(c.getKey(), List.of());
            out.writeInt(held.size());
            for (Example x : held) {
                byte[] text = x.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(text.length);
                out.write(text);
                out.writeFloat(x.weight());
            }
        }
    }

    /**
     * Restores a state written by {@link #encode} (version 1, without a probe, or 2) into this (empty) reservoir.
     *
     * @throws SnapshotFormatException if the bytes are malformed or of an unknown version
     */
    public void decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readInt();
            if (version != 1 && version != FORMAT_VERSION) {
                throw new SnapshotFormatException("Unknown replay state version " + version + " (this reader knows 1 and "
                        + FORMAT_VERSION + ")");
            }
            rng.setState(in.readLong());
            readClasses(in, reservoirs, seen, perClass, "replay");
            probes.clear();
            probeSeen.clear();
            if (version >= 2) {
                readClasses(in, probes, probeSeen, probePerClass, "probe");
            }
            if (in.available() > 0) {
                throw new SnapshotFormatException("Malformed replay state: " + in.available() + " trailing bytes");
            }
        } catch (IOException e) {
            throw new SnapshotFormatException("Truncated or malformed replay state: " + e.getMessage(), e);
        }
    }

    private static void readClasses(DataInputStream in, Map<String, List<Example>> byClass, Map<String, Long> counts,
                                    int capacity, String what) throws IOException {
        byClass.clear();
        counts.clear();
        int classes = in.readInt();
        for (int c = 0; c < classes; c++) {
            String label = in.readUTF();
            counts.put(label, in.readLong());
            int n = in.readInt();
            if (n < 0 || n > capacity) {
                throw new SnapshotFormatException("The " + what + " state holds " + n + " examples of '" + label
                        + "' but the capacity is " + capacity);
            }
            List<Example> r = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw new SnapshotFormatException("Malformed " + what + " state: text of " + length + " bytes");
                }
                byte[] text = new byte[length];
                in.readFully(text);
                r.add(new Example(new String(text, java.nio.charset.StandardCharsets.UTF_8), label, in.readFloat()));
            }
            byClass.put(label, r);
        }
    }
}
