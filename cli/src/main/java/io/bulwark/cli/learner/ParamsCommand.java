package io.bulwark.cli.learner;

import io.bulwark.cli.common.CliVersion;
import io.bulwark.model.LearnerParams;
import io.bulwark.model.Param;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the learner's parameter table: key, flag, type, default, rule and description of each parameter. */
@Command(name = "params", mixinStandardHelpOptions = true, versionProvider = CliVersion.class,
        description = "Lists the learner's parameters: the flags of train, bench, demo and pipeline-bench, the keys of"
                + " --set, of the job's learner.* options and of a snapshot's config.")
public final class ParamsCommand implements Callable<Integer> {

    @Option(names = "--markdown", description = "Print the Markdown table of docs/learner-params.md.")
    boolean markdown;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (markdown) {
            spec.commandLine().getOut().print(LearnerParams.markdownTable());
            spec.commandLine().getOut().flush();
            return 0;
        }
        TextTable t = new TextTable("key", "flag", "default", "rule");
        for (Param<?> p : LearnerParams.ALL) {
            t.row(p.key(), p.flag(), p.defaultText(), p.rule());
        }
        spec.commandLine().getOut().print(t.render());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
