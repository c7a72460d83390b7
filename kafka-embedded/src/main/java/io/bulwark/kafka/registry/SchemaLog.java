package io.bulwark.kafka.registry;

/** The durable, ordered log of registry changes (schema versions and configs) that the registry replays on start. */
interface SchemaLog extends AutoCloseable {

    /** One stored change; a null value deletes the key's earlier value. */
    record Entry(String key, String value, String position) {
    }

    /** Feeds every stored change, oldest first, to the sink. */
    void replay(java.util.function.Consumer<Entry> sink);

    /** Stores a change durably before returning, or throws a {@link RegistryError} (50001/50002). */
    void append(String key, String value);

    @Override
    void close();
}
