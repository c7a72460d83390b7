package io.bulwark.kafka.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A {@link SchemaLog} in a list, for tests of the store without Kafka. */
final class InMemorySchemaLog implements SchemaLog {

    final List<Entry> entries = new ArrayList<>();

    @Override
    public void replay(Consumer<Entry> sink) {
        entries.forEach(sink);
    }

    @Override
    public void append(String key, String value) {
        entries.add(new Entry(key, value, "memory@" + entries.size()));
    }

    @Override
    public void close() {
    }
}
