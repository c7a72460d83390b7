package io.bulwark.model.regularizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.bulwark.model.nn.Select;
import io.bulwark.model.LearnerConfig;
import io.bulwark.model.nn.Losses;
import io.bulwark.model.nn.Scalars;
import io.bulwark.model.nn.Parameters;

import java.util.Map;

/**
 * SMART's Bregman proximal point term with a momentum (EMA) teacher, Jiang et al. 2020: the loss adds
 * {@code mu * symKL(f(x; theta), f(x; teacher))} and after each applied update
 * {@code teacher <- (1 - beta) * theta + beta * teacher}.
 *
 * <p>The teacher is a separate set of arrays that never requires gradients, so the term's gradient reaches only the
 * student. Both networks see the step's dropout masks, so the term is exactly zero when theta equals the teacher.
 */
public final class BregmanProximal implements Regularizer {

    private final LearnerConfig config;
    private final Parameters teacher;

    /** The term with the configuration's mu and beta, for a teacher owned by the caller. */
    public BregmanProximal(LearnerConfig config, Parameters teacher) {
        this.config = config;
        this.teacher = teacher;
    }

    @Override
    public NDArray term(RegularizerContext ctx) {
        NDArray teacherLogits = ctx.logits(teacher, null, true);
        return Scalars.mul(Losses.symmetricKl(ctx.studentCleanLogits(), teacherLogits), (float) config.bregmanWeight());
    }

    @Override
    public void afterUpdate(RegularizerContext ctx) {
        ema(teacher, ctx.params(), config.emaMomentum(), ctx.manager(), ctx.updateApplied());
    }

    /** teacher <- (1 - beta) * student + beta * teacher, in place; temporaries go to {@code step}. */
    public static void ema(Parameters teacher, Parameters student, double beta, NDManager step) {
        ema(teacher, student, beta, step, null);
    }

    /**
     * The EMA step where {@code apply} (a 0-d boolean on the device, null for always) is true, else
     * teacher <- 1 * teacher + 0 * student, which keeps every teacher value (the student is finite: a skipped
     * update left it unchanged). The two factors are chosen on the device, so the flag is never read.
     */
    public static void ema(Parameters teacher, Parameters student, double beta, NDManager step, NDArray apply) {
        NDArray b = step.create((float) beta);
        NDArray a = step.create((float) (1.0 - beta));
        if (apply != null) {
            b = Select.where(apply, b, step.create(1f));
            a = Select.where(apply, a, step.create(0f));
        }
        for (Map.Entry<String, NDArray> e : teacher.asMap().entrySet()) {
            NDArray s = student.get(e.getKey()).mul(a);
            s.attach(step);
            e.getValue().muli(b).addi(s);
        }
    }
}
