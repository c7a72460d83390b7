package io.bulwark.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The study command rejects invalid settings with the settings' own message, before anything is trained. */
class StudyCliTest {

    private static int run(StringWriter err, String... args) {
        CommandLine cmd = new CommandLine(new StudyCli()).setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        return cmd.execute(args);
    }

    @Test
    void invalidSettingsAreAUsageErrorNamingTheOption() {
        StringWriter err = new StringWriter();

        int code = run(err, "--seeds", "0", "--estimate-only");

        assertThat(code).as("exit status, stderr: %s", err).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid study settings: seeds must be >= 1, got 0");
    }

    @Test
    void unknownEmaModeIsAUsageError() {
        StringWriter err = new StringWriter();

        int code = run(err, "--ema", "maybe", "--estimate-only");

        assertThat(code).as("exit status, stderr: %s", err).isEqualTo(2);
        assertThat(err.toString()).contains("--ema must be both, on or off, got 'maybe'");
    }
}
