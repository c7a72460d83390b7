package io.bulwark.cli.job;

import io.bulwark.kafka.Topics;
import io.bulwark.avro.LabeledText;
import io.bulwark.cli.job.input.InputFiles;
import io.bulwark.cli.job.input.InputOrder;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.kafka.serde.AvroRegistryCodec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Sends a JSONL or CSV file to the input topic as Avro LabeledText through the schema registry. */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Sends every record of a JSONL or CSV file (optionally .gz) to the input topic as Avro LabeledText "
                    + "through the schema registry, exactly as it is: records the job cannot use are not filtered "
                    + "here, they reach the dead-letter topic with a reason. Lines that are not records at all "
                    + "(invalid JSON, wrong CSV field count) are sent as their raw bytes.",
            "Fields: id, text, label, weight, modelKey (or model), time (or eventTime). Records are keyed by "
                    + "model key, so each model's events stay in order."})
public final class ProduceCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL or CSV file.")
    Path input;

    @Option(names = "--topic", defaultValue = Topics.EVENTS, description = "Input topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--order", defaultValue = "original", paramLabel = "original|time|shuffled",
            description = "Send order (default ${DEFAULT-VALUE}).")
    String order;

    @Mixin
    PacingOptions pacing = new PacingOptions();

    @Option(names = "--event-time", defaultValue = "file", paramLabel = "file|now",
            description = "Event time from the record's time field (default; now when it has none) or the send "
                    + "time for every record.")
    String eventTime;

    @Override
    public Integer call() throws Exception {
        boolean fromFile = switch (eventTime.toLowerCase(Locale.ROOT)) {
            case "file" -> true;
            case "now" -> false;
            default -> throw new IllegalArgumentException("--event-time must be file or now, got " + eventTime);
        };
        List<RawInput> records = InputOrder.parse(order).apply(
                InputFiles.read(input, fromFile, System.currentTimeMillis()), pacing.shuffleSeed);
        long raw = records.stream().filter(RawInput::isRaw).count();
        long t0 = System.nanoTime();
        long sent;
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class,
                connection.registry());
             InputProducer producer = new InputProducer(connection.kafkaClient().producerProperties(), codec,
                     topic)) {
            sent = producer.send(records, pacing.rate);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "Sent %d of %d records (%d events, %d raw lines) from %s to %s in %.1f s"
                        + " (%.0f records/s)%n", sent, records.size(), records.size() - raw, raw, input, topic, s,
                s > 0 ? sent / s : 0.0);
        return sent == records.size() ? 0 : 1;
    }
}
