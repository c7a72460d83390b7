package io.bulwark.serving.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ExternalToolsTest {

    @Test
    void aMissingBinaryFailsNamingTheAptPackage() {
        String before = System.getProperty(ExternalTools.SKIP_PROPERTY);
        System.clearProperty(ExternalTools.SKIP_PROPERTY);
        try {
            assertThatThrownBy(() -> ExternalTools.require("/nonexistent/bin/chromium", "chromium"))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessageContaining("/nonexistent/bin/chromium is missing")
                    .hasMessageContaining("apt-get install -y chromium");
        } finally {
            if (before != null) {
                System.setProperty(ExternalTools.SKIP_PROPERTY, before);
            }
        }
    }
}
