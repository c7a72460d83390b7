package io.bulwark.kafka.embedded;

/** One node (broker and controller) of an embedded cluster, running in this JVM or in a process of its own. */
interface KafkaNode {

    /** Returns the node id. */
    int id();

    /** Returns the id of the operating system process the node runs in. */
    long pid();

    /** Returns true once the node has started: its broker is unfenced and serves clients. */
    boolean started();

    /** Returns true while the node runs (for a process: while the process is alive). */
    boolean alive();

    /**
     * Throws an {@link IllegalStateException} with the node's own account when it stopped by itself (a process
     * that exited, with the end of its log); does nothing while it runs.
     */
    void checkAlive();

    /** Returns the last lines of the node's own log, or an empty string when it logs into this JVM's log. */
    String logTail(int lines);

    /** Shuts the node down cleanly (controlled shutdown) and waits for it. */
    void stop();

    /**
     * Kills the node the way an operating system does (SIGKILL): no controlled shutdown, no flush.
     *
     * @throws UnsupportedOperationException for a node that runs in this JVM
     */
    void kill();
}
