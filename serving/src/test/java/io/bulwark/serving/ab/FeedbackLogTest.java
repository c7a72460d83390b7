package io.bulwark.serving.ab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FeedbackLogTest {

    @Test
    void keepsOnlyTheMostRecentRequestsAndJudgesEachOnce() {
        FeedbackLog log = new FeedbackLog(3);
        for (int i = 0; i < 5; i++) {
            log.remember("m", "r" + i, Arm.A, 1, List.of("ham"), null);
        }
        assertThat(log.size()).isEqualTo(3);
        assertThat(log.take("m", "r0")).isEmpty();
        assertThat(log.take("m", "r1")).isEmpty();
        assertThat(log.take("m", "r4")).isPresent();
        assertThat(log.take("m", "r4")).as("judged once").isEmpty();
        assertThat(log.take("other", "r3")).as("ids are per model").isEmpty();
    }
}
