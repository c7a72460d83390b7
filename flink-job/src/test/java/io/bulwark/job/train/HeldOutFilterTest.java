package io.bulwark.job.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.avro.LabeledText;
import io.bulwark.job.sink.HeldOutSerializer;
import io.bulwark.job.validate.TrainingEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The held-out branch publishes exactly the labeled events the training operator holds out. */
class HeldOutFilterTest {

    private static TrainingEvent event(String model, String id, String label) {
        TrainingEvent e = new TrainingEvent();
        e.modelId = model;
        e.id = id;
        e.text = "text of " + id;
        e.label = label;
        e.weight = 0.5f;
        e.eventTime = 1_700_000_000_000L;
        return e;
    }

    @Test
    void keepsTheLabeledEventsTheSelectorHoldsOut() {
        HeldOutFilter filter = new HeldOutFilter(0.2, List.of());
        int kept = 0;
        for (int i = 0; i < 2000; i++) {
            TrainingEvent e = event("spam", "e" + i, "ham");
            boolean expected = HeldOutSelector.isHeldOut("spam", "e" + i, 0.2);
            assertThat(filter.filter(e)).as("event e%d", i).isEqualTo(expected);
            kept += expected ? 1 : 0;
            assertThat(filter.filter(event("spam", "e" + i, null))).as("unlabeled events are never held out").isFalse();
        }
        assertThat(kept).as("about a fifth held out").isBetween(340, 460);
        assertThat(new HeldOutFilter(0, List.of()).filter(event("spam", "e1", "ham"))).isFalse();
    }

    @Test
    void dropsLabelsOutsideAFixedLabelSetAsTheOperatorDoes() {
        HeldOutFilter filter = new HeldOutFilter(0.5, List.of("ham", "spam"));
        for (int i = 0; i < 200; i++) {
            boolean heldOut = HeldOutSelector.isHeldOut("m", "e" + i, 0.5);
            assertThat(filter.filter(event("m", "e" + i, "spam"))).isEqualTo(heldOut);
            assertThat(filter.filter(event("m", "e" + i, "phishing"))).isFalse();
        }
    }

    @Test
    void publishesTheEventWithItsResolvedModelId() {
        LabeledText t = HeldOutSerializer.toAvro(event("tenant-7", "e42", "spam"));
        assertThat(t.getId()).isEqualTo("e42");
        assertThat(t.getText()).isEqualTo("text of e42");
        assertThat(t.getLabel()).isEqualTo("spam");
        assertThat(t.getModelKey()).isEqualTo("tenant-7");
        assertThat(t.getWeight()).isEqualTo(0.5f);
        assertThat(t.getEventTime().toEpochMilli()).isEqualTo(1_700_000_000_000L);
    }
}
