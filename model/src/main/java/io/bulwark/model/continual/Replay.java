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
 * <p>Its own seeded generator drives both the reservoir and the draws; its state is part of the learner's
 * checkpoint ({@link #encode}, {@link #decode}), so a restored learner replays exactly the same examples.
 */
public final class Replay {
    private static final int FORMAT_VERSION = 1;

    private final int perClass;
    private final double fraction;
    private final SeededRandom rng;
    private final Map<String, List<Example>> reservoirs = new LinkedHashMap<>();
    private final Map<String, Long> seen = new LinkedHashMap<>();

    /** An empty reservoir. */
    public Replay(int perClass, double fraction, long seed) {
        this.perClass = perClass;
        this.fraction = fraction;
        this.rng = new SeededRandom(seed);
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
        List<List<Example>> classes = new ArrayList<>();
        reservoirs.values().forEach(r -> {
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

    /** The labeled examples offered per class. */
    public Map<String, Long> seen() {
        return Map.copyOf(seen);
    }

    /** The state: format version, generator state, and per class the label, count offered and examples held. */
    public byte[] encode() {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.writeInt(FORMAT_VERSION);
            out.writeLong(rng.state());
            out.writeInt(reservoirs.size());
            for (Map.Entry<String, List<Example>> e : reservoirs.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(seen.get(e.getKey()));
                out.writeInt(e.getValue().size());
                for (Example x : e.getValue()) {
                    byte[] text = x.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    out.writeInt(text.length);
                    out.write(text);
                    out.writeFloat(x.weight());
                }
            }
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("In-memory write failed", e);
        }
    }

    /**
     * Restores a state written by {@link #encode} into this (empty) reservoir.
     *
     * @throws SnapshotFormatException if the bytes are malformed or of an unknown version
     */
    public void decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new SnapshotFormatException("Unknown replay state version " + version + " (this reader knows "
                        + FORMAT_VERSION + ")");
            }
            rng.setState(in.readLong());
            reservoirs.clear();
            seen.clear();
            int classes = in.readInt();
            for (int c = 0; c < classes; c++) {
                String label = in.readUTF();
                seen.put(label, in.readLong());
                int n = in.readInt();
                if (n < 0 || n > perClass) {
                    throw new SnapshotFormatException("Replay state holds " + n + " examples of '" + label
                            + "' but the capacity is " + perClass);
                }
                List<Example> r = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int length = in.readInt();
                    if (length < 0 || length > in.available()) {
                        throw new SnapshotFormatException("Malformed replay state: text of " + length + " bytes");
                    }
                    byte[] text = new byte[length];
                    in.readFully(text);
                    r.add(new Example(new String(text, java.nio.charset.StandardCharsets.UTF_8), label,
                            in.readFloat()));
                }
                reservoirs.put(label, r);
            }
            if (in.available() > 0) {
                throw new SnapshotFormatException("Malformed replay state: " + in.available() + " trailing bytes");
            }
        } catch (IOException e) {
            throw new SnapshotFormatException("Truncated or malformed replay state: " + e.getMessage(), e);
        }
    }
}
