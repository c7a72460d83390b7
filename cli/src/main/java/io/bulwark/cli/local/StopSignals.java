package io.bulwark.cli.local;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGTERM and SIGINT (Ctrl-C) into a request to stop that the command handles itself, instead of the JVM's
 * shutdown. A shutdown hook would run beside the hooks of Flink's MiniCluster, which close its services while the
 * command still needs them to take a savepoint; with the signals handled here the command stops the job first and
 * then returns normally.
 *
 * <pre>{@code
 * StopSignals signals = StopSignals.install();
 * try {
 *     while (!signals.received()) { ... }
 * } finally {
 *     signals.restore();
 * }
 * }</pre>
 */
public final class StopSignals {

    private static final String[] NAMES = {"TERM", "INT"};

    private final CountDownLatch stop = new CountDownLatch(1);
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String received;

    private StopSignals() {
    }

    /** Installs the handlers of SIGTERM and SIGINT. */
    public static StopSignals install() {
        StopSignals s = new StopSignals();
        for (String name : NAMES) {
            Signal signal = new Signal(name);
            s.previous.put(signal, Signal.handle(signal, sig -> s.onSignal("SIG" + sig.getName())));
        }
        return s;
    }

    private void onSignal(String name) {
        if (received == null) {
            received = name;
        }
        stop.countDown();
    }

    /** Returns true once SIGTERM or SIGINT arrived. */
    public boolean received() {
        return received != null;
    }

    /** Returns the signal that arrived first ({@code SIGTERM} or {@code SIGINT}), or null. */
    public String signal() {
        return received;
    }

    /** Blocks until a signal arrives and returns its name. */
    public String await() throws InterruptedException {
        stop.await();
        return received;
    }

    /** Waits up to {@code millis} for a signal; returns true if one arrived. */
    public boolean await(long millis) throws InterruptedException {
        return stop.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Puts the previous handlers back: a second Ctrl-C after this ends the JVM as usual. */
    public void restore() {
        previous.forEach(Signal::handle);
    }
}
