package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./bulwark} launcher explains itself when it cannot run, instead of failing in the JVM. */
class LauncherScriptTest {

    private static final Path SCRIPT = Path.of("..", "bulwark").toAbsolutePath().normalize();

    @Test
    void withoutABuildItSaysWhatIsMissingAndHowToBuildIt(@TempDir Path tmp) throws Exception {
        Path checkout = tmp.resolve("checkout");
        Files.createDirectories(checkout.resolve("cli/target"));
        Path script = Files.copy(SCRIPT, checkout.resolve("bulwark"));

        Result noJar = run(script, "train", "--help");
        assertThat(noJar.exit).isEqualTo(1);
        assertThat(noJar.err).contains("cli/target has no jar and BULWARK_NO_BUILD=1",
                "mvn install -DskipTests -pl cli -am");

        Files.writeString(checkout.resolve("cli/target/bulwark-cli-0.1.0-SNAPSHOT.jar"), "not a real jar");
        Result noClasspath = run(script, "train", "--help");
        assertThat(noClasspath.exit).isEqualTo(1);
        assertThat(noClasspath.err).contains("classpath.txt is missing and BULWARK_NO_BUILD=1");

        Files.writeString(checkout.resolve("cli/target/classpath.txt"), tmp.resolve("gone.jar").toString());
        Result staleClasspath = run(script, "train", "--help");
        assertThat(staleClasspath.exit).isEqualTo(1);
        assertThat(staleClasspath.err).contains("gone.jar (named in", "is missing and BULWARK_NO_BUILD=1");
    }

    @Test
    void helpListsEverySubcommandWithoutBuilding() throws Exception {
        Result help = run(SCRIPT, "--help");
        assertThat(help.exit).isZero();
        assertThat(help.out).contains("train", "bench", "params", "demo", "produce", "snapshots", "pipeline-bench",
                "serve", "serving-bench", "study", "test");
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(Path script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("BULWARK_NO_BUILD", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("launcher did not finish");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
