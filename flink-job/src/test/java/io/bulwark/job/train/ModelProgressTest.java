package io.bulwark.job.train;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelProgressTest {

    @Test
    void roundTripsEveryField() {
        ModelProgress p = ModelProgress.start(123);
        p.version = 4;
        p.batches = 17;
        p.examplesTrained = 500;
        p.labeledTrained = 480;
        p.correctBeforeUpdate = 400;
        p.skippedBatches = 1;
        p.heldOut = 20;
        p.deadLetters = 2;
        p.unlabeled = 7;
        p.lastEventTime = 99;
        p.pendingSince = 1_000;
        p.sinceBatches = 3;
        p.sinceLossSum = 1.5;
        p.sinceLossCount = 3;
        p.lastCleanAccuracy = 0.9;
        p.consumed("in", 0, 10);
        p.commitOffsets();
        p.consumed("in", 1, 5);
        p.consumed("in", 0, 12);

        ModelProgress q = ModelProgress.fromBytes(p.toBytes());
        assertThat(q.toBytes()).isEqualTo(p.toBytes());
        assertThat(q.version).isEqualTo(4);
        assertThat(q.unlabeled).isEqualTo(7);
        assertThat(q.pendingSince).isEqualTo(1_000);
        assertThat(q.lastSnapshotAt).isEqualTo(123);
        assertThat(q.sinceLossSum).isEqualTo(1.5);
        assertThat(q.lastCleanAccuracy).isEqualTo(0.9);
        assertThat(q.lastRobustAccuracy).isNaN();
        assertThat(q.sourceOffsets()).singleElement().satisfies(o -> assertThat(o.getOffset()).isEqualTo(11));
        q.commitOffsets();
        assertThat(q.sourceOffsets()).extracting(o -> o.getPartition() + "@" + o.getOffset())
                .containsExactly("0@13", "1@6");
        assertThat(q.prequentialAccuracy()).isEqualTo(400.0 / 480);
    }

    @Test
    void readsVersionOneStateWithoutTheUnlabeledCount() {
        ModelProgress p = ModelProgress.start(5);
        p.examplesTrained = 40;
        p.consumed("in", 0, 3);
        byte[] current = p.toBytes();
        // Version 1 wrote the same fields without the trailing unlabeled count.
        byte[] v1 = Arrays.copyOf(current, current.length - Long.BYTES);
        ByteBuffer.wrap(v1).putInt(0, 1);
        ModelProgress q = ModelProgress.fromBytes(v1);
        assertThat(q.examplesTrained).isEqualTo(40);
        assertThat(q.unlabeled).isZero();
        assertThat(q.toBytes()).isEqualTo(current);
    }

    @Test
    void rejectsUnknownVersionsAndTruncatedBytes() {
        byte[] bytes = ModelProgress.start(1).toBytes();
        ByteBuffer.wrap(bytes).putInt(0, 99);
        assertThatThrownBy(() -> ModelProgress.fromBytes(bytes))
                .hasMessageContaining("Unknown model progress state format version 99");
        byte[] good = ModelProgress.start(1).toBytes();
        assertThatThrownBy(() -> ModelProgress.fromBytes(Arrays.copyOf(good, good.length - 4)))
                .hasMessageContaining("Corrupt model progress state");
    }
}
