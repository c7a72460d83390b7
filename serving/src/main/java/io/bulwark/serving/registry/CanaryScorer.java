package io.bulwark.serving.registry;

import io.bulwark.serving.canary.CanaryConfidences;
import io.bulwark.serving.canary.CanaryExample;
import io.bulwark.serving.canary.CanaryScores;
import io.bulwark.serving.canary.CanarySet;
import io.bulwark.serving.model.ModelClosedException;
import io.bulwark.serving.model.Scored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores every loaded version of a model on its canary set, off the request path, on one background thread.
 *
 * <p>A round takes one snapshot of the canary set and, for each loaded version, scores the examples that version
 * has no answer for yet (clean and under every attack family), so all versions of a round end on the same canary
 * version. Requests for a model coalesce: while a round is queued, further requests add nothing; a request during a
 * round queues one more. After each round the model's gate and rollback watch are re-evaluated. A version whose
 * scoring fails (its inference queue full under request load, say) is tried again a second later.
 */
final class CanaryScorer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CanaryScorer.class);
    private static final int CHUNK = 32;
    private static final long RETRY_MILLIS = 1_000;

    private final ScheduledExecutorService executor;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final BiConsumer<ServedModel, Long> scored;

    /** Calls {@code scored} with the slot and the round's canary version after each round. */
    CanaryScorer(BiConsumer<ServedModel, Long> scored) {
        this.scored = scored;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulwark-canary-scorer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a scoring round of {@code slot} unless one is already queued. */
    void request(ServedModel slot) {
        if (!queued.add(slot.modelId())) {
            return;
        }
        try {
            executor.execute(() -> {
                queued.remove(slot.modelId());
                try {
                    round(slot);
                } catch (RuntimeException e) {
                    LOG.warn("Canary scoring of {} failed: {}", slot.modelId(), e.toString(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            queued.remove(slot.modelId());
        }
    }

    private void round(ServedModel slot) {
        CanarySet.Snapshot snapshot = slot.canary().set().snapshot();
        if (snapshot.size() == 0) {
            return;
        }
        CanaryScores scores = slot.canary().scores();
        boolean any = false;
        boolean failed = false;
        for (long version : slot.loadedVersions()) {
            LoadedVersion v = slot.version(version).orElse(null);
            if (v == null || scores.scoredOn(version).map(cv -> cv == snapshot.version()).orElse(false)) {
                continue;
            }
            List<CanaryExample> missing = scores.missing(version, snapshot);
            try {
                Map<Long, CanaryConfidences.Answer> answers = new HashMap<>();
                scores.record(version, snapshot, score(v, missing, answers));
                slot.canary().confidences().record(version, snapshot, answers);
                any = true;
            } catch (ModelClosedException e) {
                scores.forget(version);
                slot.canary().confidences().forget(version);
            } catch (RuntimeException e) {
                LOG.warn("Canary scoring of {} v{} failed, retrying in {} ms: {}", slot.modelId(), version,
                        RETRY_MILLIS, e.toString());
                failed = true;
            }
        }
        if (any) {
            scored.accept(slot, snapshot.version());
        }
        if (failed) {
            try {
                executor.schedule(() -> request(slot), RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    /**
     * The masks of {@code examples} under {@code v}: every clean and attacked text scored in chunks; the confidence on
     * each clean text goes to {@code answers}.
     */
    private static Map<Long, Integer> score(LoadedVersion v, List<CanaryExample> examples,
                                            Map<Long, CanaryConfidences.Answer> answers) {
        List<String> texts = new ArrayList<>();
        for (CanaryExample e : examples) {
            texts.add(e.text());
            texts.addAll(e.attacked());
        }
        List<Scored> scored = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += CHUNK) {
            scored.addAll(v.model().predict(texts.subList(i, Math.min(texts.size(), i + CHUNK))));
        }
        List<String> labels = scored.stream().map(Scored::label).toList();
        Map<Long, Integer> masks = new HashMap<>(examples.size() * 2);
        int k = 0;
        for (CanaryExample e : examples) {
            Scored first = scored.get(k);
            boolean clean = e.label().equals(labels.get(k++));
            answers.put(e.seq(), new CanaryConfidences.Answer(first.confidence(), clean));
            boolean[] attacked = new boolean[e.attacked().size()];
            for (int i = 0; i < attacked.length; i++) {
                attacked[i] = e.label().equals(labels.get(k++));
            }
            masks.put(e.seq(), CanaryScores.mask(clean, attacked));
        }
        return masks;
    }

    /** Waits until no round is queued or running (tests). */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            Future<?> probe = executor.submit(() -> { });
            try {
                probe.get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
            if (queued.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
