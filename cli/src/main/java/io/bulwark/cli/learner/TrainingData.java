package io.bulwark.cli.learner;

import io.bulwark.model.Example;
import io.bulwark.model.data.BundledCorpus;
import io.bulwark.model.data.DataRecord;
import io.bulwark.model.data.ExampleReader;
import io.bulwark.model.data.ReaderOptions;
import io.bulwark.model.data.StreamOrder;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;

/**
 * The stream {@code train} runs on: a first pass finds the labels and the length, then the first
 * {@code (1 - heldoutFraction)} of the stream is streamed for training and the tail is kept for evaluation only.
 * The original order is streamed from the file twice; a shuffled or time order is held in memory.
 */
final class TrainingData implements Closeable {
    private final Path path;
    private final ReaderOptions options;
    private final List<String> labels;
    private final long total;
    private final long trainCount;
    private final long skippedRecords;
    private final List<String> errors;
    /** The whole (reordered, limited) stream when not streamed from the file. */
    private final List<Example> inMemory;
    private ExampleReader reader;
    private long consumed;

    private TrainingData(Path path, ReaderOptions options, List<String> labels, long total, double heldoutFraction,
            long skippedRecords, List<String> errors, List<Example> inMemory) {
        this.path = path;
        this.options = options;
        this.labels = labels;
        this.total = total;
        this.trainCount = total - Math.round(total * heldoutFraction);
        this.skippedRecords = skippedRecords;
        this.errors = errors;
        this.inMemory = inMemory;
    }

    /** Scans {@code path} (or the bundled corpus when null) and prepares the stream. */
    static TrainingData open(Path path, ReaderOptions options, StreamOrder order, long seed, long limit,
            double heldoutFraction) throws IOException {
        Path file = path != null ? path : BundledCorpus.locate();
        long max = limit > 0 ? limit : Long.MAX_VALUE;
        TreeSet<String> labels = new TreeSet<>();
        long count = 0;
        List<Example> inMemory = null;
        long skipped;
        List<String> errors;
        try (ExampleReader scan = ExampleReader.open(file, options)) {
            if (order == StreamOrder.ORIGINAL) {
                while (count < max && scan.hasNext()) {
                    String label = scan.next().example().label();
                    if (label != null) {
                        labels.add(label);
                    }
                    count++;
                }
            } else {
                List<DataRecord> all = new ArrayList<>();
                scan.forEachRemaining(all::add);
                List<DataRecord> ordered = order.apply(all, seed);
                inMemory = new ArrayList<>();
                for (DataRecord r : ordered.subList(0, (int) Math.min(ordered.size(), max))) {
                    inMemory.add(r.example());
                    if (r.example().label() != null) {
                        labels.add(r.example().label());
                    }
                }
                count = inMemory.size();
            }
            skipped = scan.skipped();
            errors = scan.errors();
        }
        return new TrainingData(file, options, List.copyOf(labels), count, heldoutFraction, skipped, errors, inMemory);
    }

    /** The file read. */
    Path path() {
        return path;
    }

    /** The distinct labels of the stream, sorted. */
    List<String> labels() {
        return labels;
    }

    /** Records in the stream (after {@code --limit}). */
    long total() {
        return total;
    }

    /** Records trained on: the head of the stream. */
    long trainCount() {
        return trainCount;
    }

    /** Records held out: the tail of the stream. */
    long heldoutCount() {
        return total - trainCount;
    }

    /** Malformed records skipped while scanning. */
    long skippedRecords() {
        return skippedRecords;
    }

    /** Messages of the first skipped records. */
    List<String> errors() {
        return errors;
    }

    /** The training head of the stream, read lazily; may be called once. */
    Iterator<Example> training() throws IOException {
        if (inMemory != null) {
            return inMemory.subList(0, (int) trainCount).iterator();
        }
        reader = ExampleReader.open(path, options);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return consumed < trainCount && reader.hasNext();
            }

            @Override
            public Example next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                consumed++;
                return reader.next().example();
            }
        };
    }

    /** The held-out tail; call after the training head has been read. */
    List<Example> heldout() throws IOException {
        if (inMemory != null) {
            return inMemory.subList((int) trainCount, (int) total);
        }
        if (reader == null) {
            reader = ExampleReader.open(path, options);
        }
        while (consumed < trainCount && reader.hasNext()) {
            reader.next();
            consumed++;
        }
        List<Example> out = new ArrayList<>();
        while (consumed < total && reader.hasNext()) {
            out.add(reader.next().example());
            consumed++;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
    }
}
