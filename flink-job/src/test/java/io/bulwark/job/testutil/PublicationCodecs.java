package io.bulwark.job.testutil;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.job.sink.Publication;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import java.util.List;
import java.util.stream.Collectors;

/** A fake schema registry with the codecs that read the training operator's publications back. */
public final class PublicationCodecs implements AutoCloseable {

    private final FakeSchemaRegistry registry;
    /** The registry configuration to give the operator. */
    public final RegistryConfig config;
    private final AvroRegistryCodec<ModelSnapshot> snapshots;
    private final AvroRegistryCodec<RobustnessReport> reports;

    private PublicationCodecs(FakeSchemaRegistry registry) {
        this.registry = registry;
        this.config = RegistryConfig.builder().setUrl(registry.url()).build();
        this.snapshots = AvroRegistryCodec.forClass(ModelSnapshot.class, config);
        this.reports = AvroRegistryCodec.forClass(RobustnessReport.class, config);
    }

    /** Starts a registry. */
    public static PublicationCodecs start() throws Exception {
        return new PublicationCodecs(FakeSchemaRegistry.start());
    }

    /** The snapshots among {@code out} of the given kind (SNAPSHOT or LATEST), in order. */
    public List<ModelSnapshot> snapshots(List<Publication> out, Publication.Kind kind) {
        return out.stream().filter(p -> p.kind == kind).map(p -> snapshots.decode(p.topic, p.value))
                .collect(Collectors.toList());
    }

    /** The reports among {@code out}, in order. */
    public List<RobustnessReport> reports(List<Publication> out) {
        return out.stream().filter(p -> p.kind == Publication.Kind.REPORT)
                .map(p -> reports.decode(p.topic, p.value)).collect(Collectors.toList());
    }

    /** The version a publication carries. */
    public long version(Publication p) {
        return p.kind == Publication.Kind.REPORT ? reports.decode(p.topic, p.value).getVersion()
                : snapshots.decode(p.topic, p.value).getVersion();
    }

    @Override
    public void close() {
        registry.close();
    }
}
