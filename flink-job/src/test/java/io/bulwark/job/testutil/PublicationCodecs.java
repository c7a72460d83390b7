package io.bulwark.job.testutil;

import io.bulwark.avro.ModelSnapshot;
import io.bulwark.avro.RobustnessReport;
import io.bulwark.job.sink.Publication;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake schema registry with the codecs that read the training operator's publications back. Either started and
 * closed by hand ({@link #start()}), or registered on a test class, which runs the registry for the class:
 * {@code @RegisterExtension static final PublicationCodecs codecs = PublicationCodecs.perTestClass();}
 */
public final class PublicationCodecs implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private FakeSchemaRegistry registry;
    private RegistryConfig config;
    private AvroRegistryCodec<ModelSnapshot> snapshots;
    private AvroRegistryCodec<RobustnessReport> reports;

    private PublicationCodecs() {}

    /** Starts a registry. */
    public static PublicationCodecs start() throws Exception {
        PublicationCodecs c = new PublicationCodecs();
        c.open();
        return c;
    }

    /** Codecs whose registry starts before the registering test class's tests and stops after them. */
    public static PublicationCodecs perTestClass() {
        return new PublicationCodecs();
    }

    private void open() throws Exception {
        registry = FakeSchemaRegistry.start();
        config = RegistryConfig.builder().setUrl(registry.url()).build();
        snapshots = AvroRegistryCodec.forClass(ModelSnapshot.class, config);
        reports = AvroRegistryCodec.forClass(RobustnessReport.class, config);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** The registry configuration to give the operator. */
    public RegistryConfig config() {
        if (config == null) {
            throw new IllegalStateException("The registry is not running");
        }
        return config;
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
        if (registry != null) {
            registry.close();
            registry = null;
            config = null;
        }
    }
}
