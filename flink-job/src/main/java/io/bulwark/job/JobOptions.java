package io.bulwark.job;

import io.bulwark.kafka.Topics;
import io.bulwark.model.LearnerConfig;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Every option of the Bulwark job as a typed Flink {@link ConfigOption} (key, type, default, description) with a
 * validator; {@link #validate(Configuration)} checks a configuration and reports every problem at once.
 *
 * <p>Options are read from {@code --key value} arguments ({@link BulwarkJob#main}). Keys under
 * {@value #KAFKA_PREFIX} are passed to every Kafka client as they are (security settings, e.g.
 * {@code --kafka.security.protocol SASL_SSL}); keys under {@value #LEARNER_PREFIX} configure the learner
 * ({@code --learner.strategy.type FREELB}, see {@code LearnerConfig.toMap()} for the keys). Flink's own keys
 * (e.g. {@code execution.checkpointing.dir}) are applied to the execution environment.
 */
public final class JobOptions {

    /** Prefix of Kafka client settings passed through to the source, the sinks and the CLI's clients. */
    public static final String KAFKA_PREFIX = "kafka.";
    /** Prefix of learner settings, passed to {@code LearnerConfig.fromMap} without the prefix. */
    public static final String LEARNER_PREFIX = "learner.";

    /** Where a fresh consumer group starts reading the input topic. */
    public enum StartingOffsets {
        /** The earliest offset still in the topic. */
        EARLIEST,
        /** Only events produced after the job starts. */
        LATEST,
        /** The group's committed offsets, or the earliest offset when the group has none. */
        COMMITTED
    }

    // ---- Kafka and the schema registry ------------------------------------------------------------------

    /** Kafka bootstrap servers. */
    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("bootstrap-servers")
            .stringType().noDefaultValue()
            .withDescription("Kafka bootstrap servers, host:port[,host:port...]. Required.");

    /** Input topic of LabeledText events. */
    public static final ConfigOption<String> INPUT_TOPIC = ConfigOptions.key("topic.input")
            .stringType().defaultValue(Topics.EVENTS)
            .withDescription("Topic of the LabeledText training events (Avro, schema-registry wire format).");

    /** Topic that keeps every snapshot version. */
    public static final ConfigOption<String> SNAPSHOTS_TOPIC = ConfigOptions.key("topic.snapshots")
            .stringType().defaultValue(Topics.SNAPSHOTS)
            .withDescription("Topic receiving every ModelSnapshot version (kept within the topic's retention).");

    /** Compacted topic with the latest snapshot per model id. */
    public static final ConfigOption<String> LATEST_TOPIC = ConfigOptions.key("topic.snapshots-latest")
            .stringType().defaultValue(Topics.SNAPSHOTS_LATEST)
            .withDescription("Compacted topic receiving each snapshot again, keyed by model id, so the latest "
                    + "version of every model can be read without scanning the versions topic.");

    /** Topic of robustness reports. */
    public static final ConfigOption<String> REPORTS_TOPIC = ConfigOptions.key("topic.reports")
            .stringType().defaultValue(Topics.REPORTS)
            .withDescription("Topic receiving a RobustnessReport with every snapshot.");

    /** Topic of held-out events. */
    public static final ConfigOption<String> HELDOUT_TOPIC = ConfigOptions.key("topic.heldout")
            .stringType().defaultValue(Topics.HELDOUT)
            .withDescription("Topic receiving every held-out event (LabeledText keyed by model id, exactly once): "
                    + "serving keeps the recent ones as each model's canary set and scores every version on them.");

    /** Topic of dead letters. */
    public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("topic.dead-letters")
            .stringType().defaultValue(Topics.DEAD_LETTERS)
            .withDescription("Topic receiving a DeadLetter (raw bytes, reason, source position) for every input "
                    + "record that cannot be trained on.");

    /** Schema registry URL. */
    public static final ConfigOption<String> REGISTRY_URL = ConfigOptions.key("registry.url")
            .stringType().noDefaultValue()
            .withDescription("Schema registry URL(s), comma-separated, http:// or https://. Required.");

    /** Schema registry basic-auth credentials. */
    public static final ConfigOption<String> REGISTRY_USER_INFO = ConfigOptions.key("registry.basic-auth.user-info")
            .stringType().noDefaultValue()
            .withDescription("Schema registry basic-auth credentials as user:password (optional).");

    /** Subject name strategy. */
    public static final ConfigOption<String> REGISTRY_SUBJECT_STRATEGY = ConfigOptions.key("registry.subject-strategy")
            .stringType().defaultValue("TOPIC")
            .withDescription("Subject name strategy: TOPIC (<topic>-value), RECORD (record full name) or "
                    + "TOPIC_RECORD (<topic>-<record full name>); Confluent strategy class names are accepted.");

    /** Consumer group id. */
    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("group-id")
            .stringType().defaultValue("bulwark-trainer")
            .withDescription("Kafka consumer group id of the source (offsets are committed on checkpoints for "
                    + "monitoring; the job itself resumes from its checkpointed offsets).");

    /** Where to start reading. */
    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = ConfigOptions.key("starting-offsets")
            .enumType(StartingOffsets.class).defaultValue(StartingOffsets.COMMITTED)
            .withDescription("Where a job without a checkpoint starts reading: EARLIEST, LATEST, or COMMITTED "
                    + "(the group's offsets, earliest when it has none).");

    /** Bounded mode. */
    public static final ConfigOption<Boolean> BOUNDED = ConfigOptions.key("bounded")
            .booleanType().defaultValue(false)
            .withDescription("Stop at the input offsets that are latest when the job starts: partial batches are "
                    + "flushed, a final snapshot is published per model, and the job finishes.");

    // ---- training --------------------------------------------------------------------------------------

    /** Model id of events without a model key. */
    public static final ConfigOption<String> DEFAULT_MODEL_ID = ConfigOptions.key("model.default-id")
            .stringType().defaultValue("default")
            .withDescription("Model id of events whose modelKey is null or empty.");

    /** Idle time after which a model leaves the operator's memory. */
    public static final ConfigOption<Duration> IDLE_EVICTION = ConfigOptions.key("model.idle-eviction")
            .durationType().defaultValue(Duration.ofMinutes(30))
            .withDescription("A model without events for this long (processing time) is written to keyed state and "
                    + "its learner released; its next event reads it back and training goes on exactly as if it "
                    + "had stayed. Checked every half of it. 0 keeps every model in memory.");

    /** Mini-batch size. */
    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("batch.size")
            .intType().defaultValue(32)
            .withDescription("Events per mini-batch and model; a batch is trained as soon as it is full.");

    /** Mini-batch timeout. */
    public static final ConfigOption<Duration> BATCH_TIMEOUT = ConfigOptions.key("batch.timeout")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("A partial batch is trained when its first event has waited this long (processing "
                    + "time). 0 closes batches by size only, which makes batches a function of the input alone.");

    /** Maximum text length. */
    public static final ConfigOption<Integer> MAX_TEXT_LENGTH = ConfigOptions.key("text.max-length")
            .intType().defaultValue(20_000)
            .withDescription("Longer texts (in UTF-16 chars) are dead-lettered with reason TEXT_TOO_LONG.");

    /** Fixed label set. */
    public static final ConfigOption<List<String>> LABELS = ConfigOptions.key("labels")
            .stringType().asList().defaultValues()
            .withDescription("Fixed label set, e.g. ham;spam. Empty: labels are learned from the stream up to "
                    + "labels.max. Events with other labels are dead-lettered with reason UNKNOWN_LABEL.");

    /** Cap on learned labels. */
    public static final ConfigOption<Integer> MAX_LABELS = ConfigOptions.key("labels.max")
            .intType().noDefaultValue()
            .withDescription("Most labels learned from the stream when no fixed set is given (default: the "
                    + "learner's, 16). Events with a new label beyond the cap are dead-lettered.");

    /** Events a learned label needs before it becomes a class. */
    public static final ConfigOption<Integer> LABEL_MIN_COUNT = ConfigOptions.key("labels.min-count")
            .intType().defaultValue(3)
            .withDescription("Without a fixed label set, a new label becomes a class of the model only once this "
                    + "many of its training events have arrived; until then they are held back in the model's "
                    + "state and trained when it qualifies (at the end of a bounded input, the rest are "
                    + "dead-lettered with reason UNKNOWN_LABEL). 1 = the first event makes a class.");

    /** Device choice. */
    public static final ConfigOption<String> DEVICE = ConfigOptions.key("device")
            .stringType().defaultValue("auto")
            .withDescription("auto: the GPU named by the task manager's external resource (see "
                    + "device.gpu-resource), else the CPU; or an explicit cpu, gpu, gpu:N.");

    /** Intra-op threads of libtorch. */
    public static final ConfigOption<Integer> INTRA_OP_THREADS = ConfigOptions.key("device.intra-op-threads")
            .intType().defaultValue(1)
            .withDescription("libtorch intra-op threads per training call on CPU. 1 (default) keeps training bitwise "
                    + "reproducible, which exact recovery relies on; more threads train a single model faster on "
                    + "large machines but runs and recoveries then differ in the last bits. 0 = libtorch default. "
                    + "Scale out with parallelism (more models per job, more task managers) instead.");

    /** External resource name of GPUs. */
    public static final ConfigOption<String> GPU_RESOURCE = ConfigOptions.key("device.gpu-resource")
            .stringType().defaultValue("gpu")
            .withDescription("Name of the Flink external resource that lists GPUs (external-resources: gpu).");

    // ---- snapshots and evaluation -----------------------------------------------------------------------

    /** Snapshot cadence in batches. */
    public static final ConfigOption<Integer> SNAPSHOT_EVERY_BATCHES = ConfigOptions.key("snapshot.every-batches")
            .intType().defaultValue(100)
            .withDescription("Publish a snapshot and a robustness report after this many batches of a model "
                    + "(0 = no batch-count trigger).");

    /** Snapshot cadence in time. */
    public static final ConfigOption<Duration> SNAPSHOT_INTERVAL = ConfigOptions.key("snapshot.interval")
            .durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("Also publish when a batch completes this long after the model's previous snapshot "
                    + "(0 = no time trigger; keep 0 for runs that must be reproducible batch for batch).");

    /** Held-out fraction. */
    public static final ConfigOption<Double> HELD_OUT_FRACTION = ConfigOptions.key("heldout.fraction")
            .doubleType().defaultValue(0.05)
            .withDescription("Fraction of labeled events held out from training (chosen by a hash of model id "
                    + "and event id, so the choice is deterministic) to measure clean and robust accuracy.");

    /** Size of the held-out window. */
    public static final ConfigOption<Integer> HELD_OUT_WINDOW = ConfigOptions.key("heldout.window-size")
            .intType().defaultValue(256)
            .withDeprecatedKeys("heldout.reservoir-size")
            .withDescription("The most recent held-out events kept per model, on which each version's clean and "
                    + "robust accuracy is measured: a sliding window (recent traffic), not a uniform sample of the "
                    + "stream. Formerly heldout.reservoir-size.");

    /** Robust evaluation on/off. */
    public static final ConfigOption<Boolean> EVAL_ROBUST = ConfigOptions.key("eval.robust")
            .booleanType().defaultValue(true)
            .withDescription("Attack the held-out events with embedding-space PGD at every snapshot (robust "
                    + "accuracy); false reports clean accuracy only.");

    /** PGD steps. */
    public static final ConfigOption<Integer> EVAL_ATTACK_STEPS = ConfigOptions.key("eval.attack.steps")
            .intType().noDefaultValue()
            .withDescription("PGD steps of the evaluation attack (default: PgdAttack.defaults of the learner).");

    /** PGD epsilon. */
    public static final ConfigOption<Double> EVAL_ATTACK_EPSILON = ConfigOptions.key("eval.attack.epsilon")
            .doubleType().noDefaultValue()
            .withDescription("Radius of the evaluation attack (default: the learner's epsilon).");

    /** PGD step size. */
    public static final ConfigOption<Double> EVAL_ATTACK_ALPHA = ConfigOptions.key("eval.attack.alpha")
            .doubleType().noDefaultValue()
            .withDescription("Step size of the evaluation attack (default: PgdAttack.defaults).");

    /** PGD restarts. */
    public static final ConfigOption<Integer> EVAL_ATTACK_TEXTS = ConfigOptions.key("eval.attack-texts")
            .intType().defaultValue(0)
            .withDescription("Held-out events of the attacked label (spam if the model has it) the realistic attack "
                    + "suite runs on at every evaluated snapshot (RobustnessReport.attacks); 0 = off. It runs off the "
                    + "training thread but holds the JVM's learner lock in one piece, about 0.6 s per event on one "
                    + "CPU core (some 60 model queries per attack).");

    /** Evaluate every k-th snapshot. */
    public static final ConfigOption<Integer> EVAL_EVERY_SNAPSHOTS = ConfigOptions.key("eval.every-snapshots")
            .intType().defaultValue(1)
            .withDescription("Evaluate the robustness of every k-th snapshot version (versions divisible by k); "
                    + "the others are published with a report of their training statistics only (no held-out "
                    + "window, NaN accuracies). Evaluation runs off the training thread.");

    /** Bound on snapshots awaiting evaluation. */
    public static final ConfigOption<Integer> EVAL_MAX_PENDING = ConfigOptions.key("eval.max-pending")
            .intType().defaultValue(2)
            .withDescription("Snapshot evaluations a training subtask keeps queued or running; a snapshot taken "
                    + "while this many are in flight is published (in version order, after them) without an "
                    + "evaluation, so a slow evaluation never holds up training.");

    /** Share of wall-clock time spent evaluating. */
    public static final ConfigOption<Double> EVAL_DUTY_CYCLE = ConfigOptions.key("eval.duty-cycle")
            .doubleType().defaultValue(0.1)
            .withDescription("Largest share of wall-clock time the evaluation thread spends in learner calls; it "
                    + "pauses between pieces of an evaluation to keep to it. While the learners of a task manager "
                    + "share one lock (DjlLock), this bounds what evaluation takes from training; 1 = no pauses.");

    /** PGD random restarts. */
    public static final ConfigOption<Integer> EVAL_ATTACK_RESTARTS = ConfigOptions.key("eval.attack.restarts")
            .intType().noDefaultValue()
            .withDescription("Random restarts of the evaluation attack (default: PgdAttack.defaults).");

    /** PGD norm. */
    public static final ConfigOption<String> EVAL_ATTACK_NORM = ConfigOptions.key("eval.attack.norm")
            .stringType().noDefaultValue()
            .withDescription("Norm of the evaluation attack ball, LINF or L2 (default: the learner's).");

    // ---- checkpoints, sinks, faults ----------------------------------------------------------------------

    /** Checkpoint interval. */
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("Exactly-once checkpoint interval. Snapshots, reports and dead letters become "
                    + "visible to read_committed consumers when the checkpoint after them completes.");

    /** Sink delivery guarantee. */
    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE = ConfigOptions.key("sink.delivery-guarantee")
            .enumType(DeliveryGuarantee.class).defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
            .withDescription("EXACTLY_ONCE (Kafka transactions committed on checkpoints) or AT_LEAST_ONCE.");

    /** Transactional id prefix. */
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("sink.transactional-id-prefix")
            .stringType().defaultValue("bulwark")
            .withDescription("Prefix of the sinks' Kafka transactional ids; unique per job on one Kafka cluster.");

    /** Transaction timeout. */
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions.key("sink.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(15))
            .withDescription("transaction.timeout.ms of the sink producers; at most the broker's "
                    + "transaction.max.timeout.ms (15 min by default) and longer than the checkpoint interval.");

    /** Producer max request size. */
    public static final ConfigOption<MemorySize> MAX_REQUEST_SIZE = ConfigOptions.key("sink.max-request-size")
            .memoryType().defaultValue(MemorySize.parse("32m"))
            .withDescription("max.request.size of the sink producers: the largest snapshot that can be "
                    + "published. The snapshot topics need max.message.bytes at least this large.");

    /** Fault injection for recovery tests. */
    public static final ConfigOption<Integer> FAIL_AFTER_BATCHES = ConfigOptions.key("fault.fail-after-batches")
            .intType().defaultValue(0)
            .withDescription("Testing aid: the training operator throws once, in its first attempt, after "
                    + "training this many batches (0 = never). Used to prove exactly-once recovery.");

    /** Job name. */
    public static final ConfigOption<String> JOB_NAME = ConfigOptions.key("job.name")
            .stringType().defaultValue("bulwark")
            .withDescription("Name of the Flink job.");

    private static final Map<ConfigOption<?>, Rule<?>> RULES = new LinkedHashMap<>();

    static {
        rule(BOOTSTRAP_SERVERS, s -> !s.isBlank(), "must be host:port[,host:port...]");
        rule(INPUT_TOPIC, s -> !s.isBlank(), "must not be empty");
        rule(SNAPSHOTS_TOPIC, s -> !s.isBlank(), "must not be empty");
        rule(LATEST_TOPIC, s -> !s.isBlank(), "must not be empty");
        rule(REPORTS_TOPIC, s -> !s.isBlank(), "must not be empty");
        rule(HELDOUT_TOPIC, s -> !s.isBlank(), "must not be empty");
        rule(DEAD_LETTER_TOPIC, s -> !s.isBlank(), "must not be empty");
        rule(REGISTRY_URL, s -> s.startsWith("http://") || s.startsWith("https://"),
                "must start with http:// or https://");
        rule(REGISTRY_USER_INFO, s -> s.indexOf(':') > 0, "must look like user:password");
        rule(GROUP_ID, s -> !s.isBlank(), "must not be empty");
        rule(DEFAULT_MODEL_ID, s -> !s.isBlank(), "must not be empty");
        rule(IDLE_EVICTION, d -> !d.isNegative(), "must be >= 0");
        rule(BATCH_SIZE, v -> v > 0, "must be > 0");
        rule(BATCH_TIMEOUT, d -> !d.isNegative(), "must be >= 0");
        rule(MAX_TEXT_LENGTH, v -> v > 0, "must be > 0");
        rule(MAX_LABELS, v -> v >= 2, "must be >= 2");
        rule(LABEL_MIN_COUNT, v -> v >= 1, "must be >= 1");
        rule(DEVICE, s -> s.equals("auto") || s.equals("cpu") || s.matches("gpu(:\\d+)?"),
                "must be auto, cpu, gpu or gpu:N");
        rule(INTRA_OP_THREADS, v -> v >= 0, "must be >= 0");
        rule(SNAPSHOT_EVERY_BATCHES, v -> v >= 0, "must be >= 0");
        rule(SNAPSHOT_INTERVAL, d -> !d.isNegative(), "must be >= 0");
        rule(HELD_OUT_FRACTION, v -> v >= 0 && v < 1, "must be in [0, 1)");
        rule(HELD_OUT_WINDOW, v -> v > 0, "must be > 0");
        rule(EVAL_ATTACK_STEPS, v -> v > 0, "must be > 0");
        rule(EVAL_ATTACK_EPSILON, v -> v > 0 && Double.isFinite(v), "must be a finite number > 0");
        rule(EVAL_ATTACK_ALPHA, v -> v > 0 && Double.isFinite(v), "must be a finite number > 0");
        rule(EVAL_ATTACK_RESTARTS, v -> v > 0, "must be > 0");
        rule(EVAL_ATTACK_TEXTS, v -> v >= 0, "must be >= 0");
        rule(EVAL_EVERY_SNAPSHOTS, v -> v >= 1, "must be >= 1");
        rule(EVAL_MAX_PENDING, v -> v >= 1, "must be >= 1");
        rule(EVAL_DUTY_CYCLE, v -> v > 0 && v <= 1, "must be in (0, 1]");
        rule(EVAL_ATTACK_NORM, s -> s.equalsIgnoreCase("LINF") || s.equalsIgnoreCase("L2"), "must be LINF or L2");
        rule(CHECKPOINT_INTERVAL, d -> d.toMillis() >= 10, "must be at least 10 ms");
        rule(TRANSACTIONAL_ID_PREFIX, s -> !s.isBlank(), "must not be empty");
        rule(TRANSACTION_TIMEOUT, d -> d.toMillis() > 0 && d.toMillis() <= 900_000,
                "must be in (0, 15 min]: brokers reject longer transactions (transaction.max.timeout.ms)");
        rule(MAX_REQUEST_SIZE, m -> m.getBytes() >= 1 << 20 && m.getBytes() <= Integer.MAX_VALUE,
                "must be between 1 MiB and 2 GiB");
        rule(FAIL_AFTER_BATCHES, v -> v >= 0, "must be >= 0");
        rule(JOB_NAME, s -> !s.isBlank(), "must not be empty");
    }

    private JobOptions() {
    }

    /** Returns every option of the job, in documentation order. */
    public static List<ConfigOption<?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(RULES.keySet()));
    }

    /** Returns the Kafka client settings under {@value #KAFKA_PREFIX}, without the prefix. */
    public static Map<String, String> kafkaClientProperties(Configuration conf) {
        return withoutPrefix(conf, KAFKA_PREFIX);
    }

    /** Returns the learner settings under {@value #LEARNER_PREFIX}, without the prefix. */
    public static Map<String, String> learnerProperties(Configuration conf) {
        return withoutPrefix(conf, LEARNER_PREFIX);
    }

    /**
     * Checks every set option against its validator and the required ones for presence.
     *
     * @throws IllegalArgumentException listing every problem, each with the key and the value
     */
    public static void validate(Configuration conf) {
        List<String> problems = new ArrayList<>();
        for (ConfigOption<?> required : List.of(BOOTSTRAP_SERVERS, REGISTRY_URL)) {
            if (conf.getOptional(required).isEmpty()) {
                problems.add("--" + required.key() + " is required");
            }
        }
        for (Map.Entry<ConfigOption<?>, Rule<?>> e : RULES.entrySet()) {
            e.getValue().check(conf, problems);
        }
        for (String p : LearnerConfig.problems(learnerProperties(conf))) {
            problems.add("learner settings (--" + LEARNER_PREFIX + "*): " + p);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid job options:\n  " + String.join("\n  ", problems));
        }
    }

    private static Map<String, String> withoutPrefix(Configuration conf, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : conf.toMap().entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getKey().length() > prefix.length()) {
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return out;
    }

    private static <T> void rule(ConfigOption<T> option, Predicate<T> valid, String message) {
        RULES.put(option, new Rule<>(option, valid, message));
    }

    /** One option's validator. */
    private static final class Rule<T> {
        private final ConfigOption<T> option;
        private final Predicate<T> valid;
        private final String message;

        Rule(ConfigOption<T> option, Predicate<T> valid, String message) {
            this.option = option;
            this.valid = valid;
            this.message = message;
        }

        void check(Configuration conf, List<String> problems) {
            Optional<T> value;
            try {
                value = conf.getOptional(option);
            } catch (RuntimeException e) {
                problems.add("--" + option.key() + " '" + conf.toMap().get(option.key()) + "' cannot be parsed: "
                        + e.getMessage());
                return;
            }
            if (value.isPresent() && !valid.test(value.get())) {
                problems.add("--" + option.key() + " " + message + ", got '" + value.get() + "'");
            }
        }
    }
}
