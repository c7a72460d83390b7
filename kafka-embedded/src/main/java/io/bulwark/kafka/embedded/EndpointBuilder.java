package io.bulwark.kafka.embedded;

import java.util.Objects;

/**
 * Where an embedded server listens: host and port, shared by the builders of the embedded broker and the embedded
 * schema registry.
 *
 * @param <B> the concrete builder
 */
public abstract class EndpointBuilder<B extends EndpointBuilder<B>> {

    private int port;
    private String host = "127.0.0.1";

    /** The port; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** The host to bind to (and, for the broker, to advertise). */
    public String host() {
        return host;
    }

    /** This builder. */
    protected abstract B self();

    /** Sets the port (default 0: a free port). */
    public B optPort(int port) {
        this.port = port;
        return self();
    }

    /** Sets the host to bind to (default 127.0.0.1; 0.0.0.0 to serve other hosts). */
    public B optHost(String host) {
        this.host = Objects.requireNonNull(host, "host");
        return self();
    }
}
