package io.bulwark.study;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** The runs of one variant on one stream and encoder, over seeds. */
record RunGroup(String scenario, String encoder, String variant, String display, List<RunResult> runs) {

    RunResult first() {
        return runs.get(0);
    }

    Stats stats(ToDoubleFunction<RunResult> f) {
        return Stats.of(runs, f);
    }
}
