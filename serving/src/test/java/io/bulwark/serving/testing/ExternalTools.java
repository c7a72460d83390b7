package io.bulwark.serving.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates the Debian binaries the browser and Prometheus tests run; fails (or skips when asked) if one is missing. */
public final class ExternalTools {

    /** System property that skips the tests needing chromium, chromedriver or prometheus. */
    public static final String SKIP_PROPERTY = "bulwark.skipBrowserTests";

    private ExternalTools() {}

    /** Returns {@code path} if it is an executable; otherwise fails naming the apt package, or skips if told to. */
    public static Path require(String path, String aptPackage) {
        Path p = Path.of(path);
        if (Boolean.getBoolean(SKIP_PROPERTY)) {
            Assumptions.assumeTrue(Files.isExecutable(p), path + " missing and " + SKIP_PROPERTY + "=true: skipped");
        }
        if (!Files.isExecutable(p)) {
            fail(path + " is missing: install it with 'apt-get install -y " + aptPackage + "' (or run with -D"
                    + SKIP_PROPERTY + "=true to skip this test)");
        }
        return p;
    }
}
