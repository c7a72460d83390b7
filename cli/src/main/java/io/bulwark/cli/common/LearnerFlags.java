package io.bulwark.cli.common;

import io.bulwark.model.LearnerConfig;
import io.bulwark.model.LearnerParams;
import io.bulwark.model.Param;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The learner's command-line flags, generated from {@link LearnerParams}: one option per parameter, spelled as in
 * the table, plus {@code --set KEY=VALUE} for any parameter by key. The same set is mixed into every subcommand that
 * configures a learner ({@code train}, {@code bench}, {@code demo}, {@code pipeline-bench}); help shows each key
 * and default from the table.
 */
public final class LearnerFlags {

    /** The mixin's name in a command's spec. */
    public static final String MIXIN = "learner";

    private static final String SET = "--set";

    private LearnerFlags() {}

    /** Adds the learner flags to {@code command}. */
    public static void addTo(CommandLine command) {
        command.addMixin(MIXIN, mixin());
    }

    static CommandSpec mixin() {
        CommandSpec spec = CommandSpec.create();
        for (Param<?> p : LearnerParams.ALL) {
            spec.addOption(OptionSpec.builder(p.flag())
                    .paramLabel(label(p))
                    .type(String.class)
                    .description(p.description() + " [" + p.key() + ", default: " + p.defaultText()
                            + (p.rule().isEmpty() ? "" : ", " + p.rule()) + "]")
                    .build());
        }
        spec.addOption(OptionSpec.builder(SET)
                .paramLabel("KEY=VALUE")
                .type(Map.class)
                .auxiliaryTypes(String.class, String.class)
                .description("Any learner parameter by its key (repeatable), e.g. --set encoder.maxLength=128;"
                        + " the keys are those of docs/learner-params.md and of the report's config.")
                .build());
        return spec;
    }

    private static String label(Param<?> p) {
        String type = p.type();
        return type.contains("|") ? type.toLowerCase(java.util.Locale.ROOT) : type.toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * The learner settings given on the command line of {@code command} (flags and {@code --set}), by key; a key
     * given both ways is an error.
     */
    public static Map<String, String> given(CommandSpec command) {
        CommandSpec mixin = command.mixins().get(MIXIN);
        if (mixin == null) {
            throw new IllegalStateException("Command '" + command.name() + "' has no learner flags");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Param<?> p : LearnerParams.ALL) {
            String value = mixin.findOption(p.flag()).getValue();
            if (value != null) {
                out.put(p.key(), value);
            }
        }
        Map<String, String> set = mixin.findOption(SET).getValue();
        if (set != null) {
            for (Map.Entry<String, String> e : set.entrySet()) {
                Param<?> p = LearnerParams.byKey(e.getKey());
                if (p == null) {
                    throw new IllegalArgumentException("Unknown learner parameter '" + e.getKey() + "' in --set;"
                            + " known keys: " + LearnerParams.ALL);
                }
                if (out.containsKey(p.key())) {
                    throw new IllegalArgumentException(p.key() + " is given twice: by " + p.flag() + " and by --set");
                }
                out.put(p.key(), e.getValue());
            }
        }
        return out;
    }

    /** The seed given on the command line of {@code command}, or the default (it also orders shuffled streams). */
    public static long seed(CommandSpec command) {
        String given = given(command).get(LearnerParams.SEED.key());
        return given == null ? LearnerParams.SEED.defaultValue() : LearnerParams.SEED.parse(given);
    }

    /** {@code base} with the settings given on the command line of {@code command} applied, built and validated. */
    public static LearnerConfig config(CommandSpec command, LearnerConfig.Builder base) {
        return base.optValues(given(command)).build();
    }
}
