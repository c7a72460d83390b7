package io.bulwark.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The setup: stream, evaluation, training settings, machine and the estimated against the measured wall time. */
final class SetupSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        Study.Results results = runs.results();
        md.append("## Setup\n\n");
        Map<String, String> s = results.settings();
        md.append("- Stream: the bundled SpamAssassin corpus (6,046 mails, `data/spamassassin.jsonl.gz`). For each seed"
                + " the corpus is shuffled with that seed; the last ").append(s.get("heldOut"))
                .append(" mails of the shuffle are the **held-out tail** (never trained on); the first ")
                .append(s.get("trainEvents")).append(" of the rest are the training events. `shuffled` replays them in"
                        + " the shuffled order; `original` replays the same events in the corpus order (easy_ham,"
                        + " easy_ham_2, hard_ham, spam, spam_2), which drifts from ham eras to spam eras.\n");
        md.append("- Prequential accuracy: each batch of ").append(s.get("batchSize"))
                .append(" is predicted before it is trained on (test-then-train).\n");
        md.append("- Robust accuracy: white-box PGD in word-embedding space, Linf eps = ").append(s.get("attackEpsilon"))
                .append(" (the same for every variant), step 2.5 eps / steps, ").append(s.get("pgdRestarts"))
                .append(" random restarts; an example counts only if it is right on the clean input and under every"
                        + " restart. PGD-10 and PGD-20 on the whole held-out tail.\n");
        md.append("- Training: eps = ").append(s.get("epsilon")).append(", alpha = ").append(s.get("alpha"))
                .append(" (learner default: eps for FreeAT, 2.5 eps/K for PGD and FreeLB), learning rate ")
                .append(s.get("learningRate")).append(", Bregman/EMA (when on) mu = ").append(s.get("mu"))
                .append(", beta = ").append(s.get("beta")).append(", learning-rate warm-up ").append(s.get("warmup"))
                .append(" updates, perturbation radius (eps and alpha) ramped up linearly over the first ")
                .append(s.getOrDefault("epsilonRamp", "0")).append(" training examples, max length ").append(s.get("maxLength"))
                .append(" tokens, the learner's other defaults (hashed word + char-3-gram embeddings, 32,768 buckets,"
                        + " dim 64; AdamW; gradient clipping 1.0).\n");
        md.append("- Variants: ").append(s.get("variants")).append(" (transformer: ").append(s.get("transformerVariants"))
                .append("), each with EMA modes ").append(s.get("emaModes"))
                .append(". `natural-xR` is natural training replaying each batch R times: the same passes and updates"
                        + " as FreeAT-R without any perturbation, the control for \"more updates\".\n");
        md.append("- Naive Bayes: the multinomial filter (`io.bulwark.model.baseline.NaiveBayes`, Laplace smoothing) on"
                + " the same streams, reading the whole mail and, for comparison with the learner, only the first ")
                .append(s.get("maxLength")).append(" tokens.\n");
        md.append("- Wall time is training only (no evaluation), on a machine shared with other work; compare within one"
                + " table, not across runs of the command.\n\n");
        md.append("| machine / version | value |\n|---|---|\n");
        results.machine().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append('\n');
        md.append("Estimated wall time per configuration, printed before the run (calibrated ms per pass: ")
                .append(results.calibration() == null ? "-" : fmtMap(results.calibration().msPerPass()))
                .append("):\n\n| configuration | runs | s per run | s total |\n|---|---:|---:|---:|\n");
        double total = 0;
        for (Study.Estimate e : results.estimates()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f |\n", e.configuration(), e.runs(),
                    e.secondsPerRun(), e.seconds()));
            total += e.seconds();
        }
        md.append(String.format(Locale.ROOT, "| **total (estimate)** | | | **%.0f (%.1f min)** |\n", total, total / 60));
        md.append(String.format(Locale.ROOT, "| **total (measured)** | | | **%.0f (%.1f min)** |\n\n",
                results.wallSeconds(), results.wallSeconds() / 60));
    }

    private static String fmtMap(Map<String, Double> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.0f", k, v)));
        return String.join(", ", parts);
    }
}
