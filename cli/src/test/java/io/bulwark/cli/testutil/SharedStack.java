package io.bulwark.cli.testutil;

import io.bulwark.cli.local.EmbeddedStack;

/** One embedded Kafka broker and schema registry shared by every integration test of the JVM. */
public final class SharedStack {

    private static EmbeddedStack stack;

    private SharedStack() {
    }

    /** Returns the shared stack, starting it on first use; it stops when the JVM exits. */
    public static synchronized EmbeddedStack get() {
        if (stack == null) {
            stack = EmbeddedStack.start(0, 0, null);
            EmbeddedStack started = stack;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-stack-shutdown"));
        }
        return stack;
    }
}
