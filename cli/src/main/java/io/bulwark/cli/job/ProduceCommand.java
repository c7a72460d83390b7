package io.bulwark.cli.job;

import io.bulwark.kafka.Topics;
import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.LabeledText;
import io.bulwark.cli.job.input.InputFiles;
import io.bulwark.cli.job.input.InputOrder;
import io.bulwark.cli.job.input.RawInput;
import io.bulwark.kafka.serde.AvroRegistryCodec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** Sends a JSONL or CSV file to the input topic as Avro LabeledText through the schema registry. */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Sends every record of a JSONL or CSV file (optionally .gz) to the input topic as Avro LabeledText "
                    + "through the schema registry, exactly as it is: records the job cannot use are not filtered "
                    + "here, they reach the dead-letter topic with a reason. Lines that are not records at all "
                    + "(invalid JSON, wrong CSV field count) are sent as their raw bytes.",
            "Fields: id, text, label, weight, modelKey (or model), time (or eventTime). Records are keyed by "
                    + "model key, so each model's events stay in order.",
            "A record that cannot be sent (over the producer's max.request.size or the topic's max.message.bytes, "
                    + "not serializable, refused by the broker) is listed with its line and reason, written to the "
                    + "dead-letter topic (value cut to fit, marked truncated) and makes the exit code 1."})
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

    @Option(names = "--dead-letter-topic", defaultValue = Topics.DEAD_LETTERS,
            description = "Where records that cannot be sent go, as DeadLetter records (default ${DEFAULT-VALUE}).")
    String deadLetterTopic;

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
        List<SendFailure> failures;
        try (AvroRegistryCodec<LabeledText> codec = AvroRegistryCodec.forClass(LabeledText.class,
                connection.registry());
             AvroRegistryCodec<DeadLetter> deadLetters = AvroRegistryCodec.forClass(DeadLetter.class,
                     connection.registry());
             InputProducer producer = new InputProducer(connection.kafkaClient().producerProperties(), codec,
                     topic, deadLetters, deadLetterTopic)) {
            sent = producer.send(records, pacing.rate);
            failures = producer.failures();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "Sent %d of %d records (%d events, %d raw lines) from %s to %s in %.1f s"
                        + " (%.0f records/s)%n", sent, records.size(), records.size() - raw, raw, input, topic, s,
                s > 0 ? sent / s : 0.0);
        printFailures(System.out, failures, deadLetterTopic);
        return sent == records.size() ? 0 : 1;
    }

    /** Prints the records that could not be sent: a count by reason, then one line each (the first 20). */
    static void printFailures(PrintStream out, List<SendFailure> failures, String deadLetterTopic) {
        if (failures.isEmpty()) {
            return;
        }
        Map<String, Long> byReason = new TreeMap<>();
        failures.forEach(f -> byReason.merge(f.reason().name(), 1L, Long::sum));
        long dead = failures.stream().filter(SendFailure::deadLettered).count();
        out.printf(Locale.ROOT, "Not sent: %d record(s) %s; %d of them written to the dead-letter topic %s%n",
                failures.size(), byReason, dead, deadLetterTopic);
        failures.stream().limit(20).forEach(f -> out.printf(Locale.ROOT, "  line %d: %s: %s%s%n", f.line(),
                f.reason(), f.detail(), f.deadLettered() ? "" : " (not dead-lettered: " + f.deadLetterError() + ")"));
        if (failures.size() > 20) {
            out.printf(Locale.ROOT, "  ... and %d more%n", failures.size() - 20);
        }
    }
}
