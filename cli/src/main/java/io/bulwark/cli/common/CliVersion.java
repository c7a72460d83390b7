package io.bulwark.cli.common;

import picocli.CommandLine;

/** Reports the version of the launcher jar. */
public final class CliVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = CliVersion.class.getPackage().getImplementationVersion();
        return new String[] {"bulwark " + (v != null ? v : "(development build)")};
    }
}
