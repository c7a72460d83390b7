package io.bulwark.study;

import static io.bulwark.study.RunGroups.constantMajority;
import static io.bulwark.study.RunGroups.discrete;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The Bregman/EMA term on against off: differences of the seed means per stream, encoder and variant. */
final class EmaSection implements ReportSection {

    @Override
    public void render(StringBuilder md, RunGroups runs, ReportFindings findings) {
        md.append("## Bregman/EMA on and off\n\n");
        md.append("Difference (with EMA minus without) of the seed means, same stream and encoder. Positive = the EMA"
                + " teacher helped; † = one side predicts a single class in most runs.\n\n| stream | encoder | variant | Δ prequential | Δ clean | Δ PGD-20 | Δ char (spam)"
                + " | time with / without |\n|---|---|---|---:|---:|---:|---:|---:|\n");
        int n = 0;
        List<Double> dPgd = new ArrayList<>();
        List<Double> dPreq = new ArrayList<>();
        for (String scenario : runs.scenarios()) {
            for (String enc : runs.encoders()) {
                for (RunGroup off : runs.groups(scenario, enc)) {
                    if (off.first().ema()) {
                        continue;
                    }
                    RunGroup on = runs.group(scenario, enc, off.variant() + "+ema");
                    if (on == null) {
                        continue;
                    }
                    double a = diff(on, off, RunResult::prequentialAccuracy);
                    double b = diff(on, off, RunResult::cleanAccuracy);
                    double c = diff(on, off, RunResult::pgd20);
                    double d = diff(on, off, r -> discrete(r, "char"));
                    dPgd.add(c);
                    dPreq.add(a);
                    boolean flag = constantMajority(on) || constantMajority(off);
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s%s | %+.1f | %+.1f | %+.1f | %+.1f | %.2fx |\n",
                            scenario, enc, off.display(), flag ? " †" : "", 100 * a, 100 * b, 100 * c, 100 * d,
                            on.stats(RunResult::trainSeconds).mean() / off.stats(RunResult::trainSeconds).mean()));
                    n++;
                }
            }
        }
        if (n == 0) {
            md.append("| – | – | no variant was run both with and without EMA | | | | | |\n");
        }
        md.append('\n');
        if (n > 0) {
            double mp = dPgd.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).average()
                    .orElse(Double.NaN);
            double mq = dPreq.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).average()
                    .orElse(Double.NaN);
            md.append(String.format(Locale.ROOT, "Averaged over the %d pairs: Δ prequential %+.1f points, Δ PGD-20"
                    + " %+.1f points.\n\n", n, 100 * mq, 100 * mp));
            findings.emaEffect(mp, mq);
        }
    }

    private static double diff(RunGroup on, RunGroup off, ToDoubleFunction<RunResult> f) {
        return on.stats(f).mean() - off.stats(f).mean();
    }
}
