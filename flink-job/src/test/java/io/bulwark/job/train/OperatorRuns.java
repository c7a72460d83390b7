package io.bulwark.job.train;

import io.bulwark.job.BulwarkJob;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.validate.TrainingEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;

/** The training operator in a keyed test harness: fed, checkpointed, restored. */
final class OperatorRuns {

    private OperatorRuns() {
    }

    /** A harness around a new operator with {@code settings}, keyed by model id. */
    static KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> harness(
            TrainerSettings settings) throws Exception {
        return harness(new TrainingOperator(settings));
    }

    /** A harness around {@code operator}, keyed by model id. */
    static KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> harness(
            TrainingOperator operator) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(operator, new BulwarkJob.ModelIdSelector(), Types.STRING);
    }

    /** Feeds {@code events} in order, each with its event time. */
    static void feed(KeyedOneInputStreamOperatorTestHarness<String, TrainingEvent, Publication> h,
                     List<TrainingEvent> events) throws Exception {
        for (TrainingEvent e : events) {
            h.processElement(new StreamRecord<>(e, e.eventTime));
        }
    }

    /** Every publication of an uninterrupted run over {@code events}, ended by end of input. */
    static List<Publication> uninterrupted(TrainerSettings settings, List<TrainingEvent> events) throws Exception {
        try (var h = harness(settings)) {
            h.open();
            feed(h, events);
            h.endInput();
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    /**
     * The publications after a failure: a run checkpoints after {@code checkpointAt} events, goes on for
     * {@code lostAfter} more (lost with the failure), and a new operator restored from the checkpoint replays the
     * rest. Returns what the restored operator published.
     */
    static List<Publication> recovered(TrainerSettings settings, List<TrainingEvent> events, int checkpointAt,
                                       int lostAfter) throws Exception {
        OperatorSubtaskState state;
        try (var h = harness(settings)) {
            h.open();
            feed(h, events.subList(0, checkpointAt));
            state = h.snapshot(1L, 1L);
            feed(h, events.subList(checkpointAt, Math.min(events.size(), checkpointAt + lostAfter)));
        }
        try (var h = harness(settings)) {
            h.initializeState(state);
            h.open();
            feed(h, events.subList(checkpointAt, events.size()));
            h.endInput();
            return new ArrayList<>(h.extractOutputValues());
        }
    }
}
