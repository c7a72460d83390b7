package io.bulwark.model;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class RepeatTest {
    @Test
    void repeat() {
        List<Example> data = SyntheticData.keywordTask(320, 21);
        LearnerConfig config = SyntheticData.small().optStrategy(LearnerConfig.StrategyType.NATURAL).optSteps(2).optCharNgrams(3).build();
        int failures = 0;
        for (int rep = 0; rep < 40; rep++) {
            try (Learner a = Learner.create(config); Learner b = Learner.create(config)) {
                for (int i = 0; i < 128; i += 16) {
                    StepResult ra = a.train(data.subList(i, i + 16));
                    StepResult rb = b.train(data.subList(i, i + 16));
                    Map<String, float[]> pa = a.parameterValues();
                    Map<String, float[]> pb = b.parameterValues();
                    boolean same = true;
                    for (String k : pa.keySet()) same &= java.util.Arrays.equals(pa.get(k), pb.get(k));
                    boolean tsame = true;
                    Map<String, float[]> ta = a.teacherValues();
                    Map<String, float[]> tb = b.teacherValues();
                    for (String k : ta.keySet()) tsame &= java.util.Arrays.equals(ta.get(k), tb.get(k));
                    for (var e : pb.entrySet()) for (float v : e.getValue()) if (!Float.isFinite(v)) { System.out.println("REPEAT NaN in b param " + e.getKey() + " at step " + i / 16); break; }
                    for (var e : pa.entrySet()) for (float v : e.getValue()) if (!Float.isFinite(v)) { System.out.println("REPEAT NaN in a param " + e.getKey() + " at step " + i / 16); break; }
                    if (!same || !tsame || !ra.equals(rb)) {
                        for (String k : pa.keySet()) if (!java.util.Arrays.equals(pa.get(k), pb.get(k))) System.out.println("REPEAT differs " + k);
                        System.out.println("REPEAT rep " + rep + " step " + i / 16 + " params same " + same + " teacher same " + tsame + "\n  " + ra + "\n  " + rb);
                        failures++;
                        break;
                    }
                }
            }
        }
        System.out.println("REPEAT failures " + failures);
    }
}
