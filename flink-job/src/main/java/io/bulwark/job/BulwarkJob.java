package io.bulwark.job;

import io.bulwark.avro.DeadLetter;
import io.bulwark.avro.LabeledText;
import io.bulwark.job.deadletter.Rejected;
import io.bulwark.job.sink.DeadLetterSerializer;
import io.bulwark.job.sink.HeldOutSerializer;
import io.bulwark.job.sink.Publication;
import io.bulwark.job.sink.PublicationSerializer;
import io.bulwark.job.source.InboundRecord;
import io.bulwark.job.source.LabeledTextDeserializer;
import io.bulwark.job.train.HeldOutFilter;
import io.bulwark.job.train.TrainerSettings;
import io.bulwark.job.train.TrainingOperator;
import io.bulwark.job.validate.EventValidator;
import io.bulwark.job.validate.TrainingEvent;
import io.bulwark.kafka.serde.AvroRegistryCodec;
import io.bulwark.kafka.serde.RegistryConfig;
import io.bulwark.kafka.serde.SubjectNameStrategy;
import io.bulwark.model.LearnerConfig;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Bulwark Flink job: LabeledText events from Kafka, validated (bad records to the dead-letter topic), keyed
 * by model id, trained continually with one adversarial learner per model, with snapshots, latest snapshots and
 * robustness reports published exactly once back to Kafka.
 *
 * <pre>
 * flink run bulwark-flink-job-0.1.0-SNAPSHOT-job.jar \
 *     --bootstrap-servers kafka:9092 --registry.url http://registry:8081 \
 *     --learner.strategy.type FREEAT --snapshot.every-batches 100
 * </pre>
 *
 * <p>Operators (name / uid): {@code kafka-source} / {@code bulwark-kafka-source}, {@code validate-events} /
 * {@code bulwark-validate-events}, {@code train-models} / {@code bulwark-train-models},
 * {@code publish-models} / {@code bulwark-publish-models}, {@code publish-dead-letters} /
 * {@code bulwark-publish-dead-letters}, {@code select-heldout} / {@code bulwark-select-heldout} and
 * {@code publish-heldout} / {@code bulwark-publish-heldout} (the held-out events, for serving's canary sets). The
 * uids keep savepoints restorable across job changes.
 */
public final class BulwarkJob {

    private static final Logger LOG = LoggerFactory.getLogger(BulwarkJob.class);

    /** Uid of the Kafka source. */
    public static final String SOURCE_UID = "bulwark-kafka-source";
    /** Uid of the validation step. */
    public static final String VALIDATE_UID = "bulwark-validate-events";
    /** Uid of the training operator. */
    public static final String TRAIN_UID = "bulwark-train-models";
    /** Uid of the snapshot and report sink. */
    public static final String PUBLISH_UID = "bulwark-publish-models";
    /** Uid of the dead-letter sink. */
    public static final String DEAD_LETTER_UID = "bulwark-publish-dead-letters";
    /** Uid of the held-out selection. */
    public static final String SELECT_HELDOUT_UID = "bulwark-select-heldout";
    /** Uid of the held-out sink. */
    public static final String HELDOUT_UID = "bulwark-publish-heldout";

    private BulwarkJob() {
    }

    /** Runs the job with options given as {@code --key value} arguments. */
    public static void main(String[] args) throws Exception {
        Configuration conf = configurationFromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        build(env, conf);
        env.execute(conf.get(JobOptions.JOB_NAME));
    }

    /** Parses {@code --key value} arguments into a configuration (flags without a value become "true"). */
    public static Configuration configurationFromArgs(String[] args) {
        return Configuration.fromMap(ParameterTool.fromArgs(args).toMap());
    }

    /**
     * Validates the options and adds the pipeline to {@code env}: checkpointing, source, validation, training and
     * the two exactly-once sinks.
     *
     * @throws IllegalArgumentException listing every invalid option
     */
    public static void build(StreamExecutionEnvironment env, Configuration conf) {
        JobOptions.validate(conf);
        TrainerSettings settings = trainerSettings(conf);
        RegistryConfig registry = settings.registry();

        Configuration pipeline = new Configuration(conf);
        // Every record type of the job has a POJO or primitive serializer; Kryo would mean a type was missed.
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        // Training is slow next to reading: with aligned checkpoints a barrier would wait behind every buffered
        // event. Unaligned checkpoints store those events instead, so checkpoints (and with them the visibility of
        // snapshots) keep their interval under backpressure. Per-model order is unaffected: each model's events
        // come through one channel.
        if (conf.getOptional(CheckpointingOptions.ENABLE_UNALIGNED).isEmpty()) {
            pipeline.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
        }
        env.configure(pipeline, BulwarkJob.class.getClassLoader());
        env.enableCheckpointing(conf.get(JobOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);

        DataStream<InboundRecord> input = env
                .fromSource(kafkaSource(conf, registry), WatermarkStrategy.noWatermarks(), "kafka-source")
                .uid(SOURCE_UID);

        SingleOutputStreamOperator<TrainingEvent> events = input
                .process(new EventValidator(conf.get(JobOptions.DEFAULT_MODEL_ID),
                        conf.get(JobOptions.MAX_TEXT_LENGTH)))
                .name("validate-events")
                .uid(VALIDATE_UID);

        SingleOutputStreamOperator<Publication> published = events
                .keyBy(new ModelIdSelector(), Types.STRING)
                .transform("train-models", TypeInformation.of(Publication.class), new TrainingOperator(settings))
                .uid(TRAIN_UID);

        published.sinkTo(publicationSink(conf))
                .name("publish-models")
                .uid(PUBLISH_UID);

        DataStream<Rejected> deadLetters = events.getSideOutput(EventValidator.DEAD_LETTERS)
                .union(published.getSideOutput(TrainingOperator.DEAD_LETTERS));
        deadLetters.sinkTo(deadLetterSink(conf, registry))
                .name("publish-dead-letters")
                .uid(DEAD_LETTER_UID);

        // The events the training operator holds out, chosen by the same deterministic hash, go to the held-out
        // topic in a branch of their own: serving scores every model version on them (its canary set).
        events.filter(new HeldOutFilter(settings.heldOutFraction(), settings.learnerConfig().labels()))
                .name("select-heldout")
                .uid(SELECT_HELDOUT_UID)
                .sinkTo(heldOutSink(conf, registry))
                .name("publish-heldout")
                .uid(HELDOUT_UID);

        LOG.info("Bulwark job: {} -> models -> {}, {}, {}; held-out -> {}; dead letters -> {}; learner {}",
                conf.get(JobOptions.INPUT_TOPIC), settings.snapshotsTopic(), settings.latestTopic(),
                settings.reportsTopic(), conf.get(JobOptions.HELDOUT_TOPIC), conf.get(JobOptions.DEAD_LETTER_TOPIC),
                settings.learnerConfig().toMap());
    }

    /** Returns the schema registry configuration of the options. */
    public static RegistryConfig registryConfig(Configuration conf) {
        RegistryConfig.Builder b = RegistryConfig.builder()
                .setUrl(conf.get(JobOptions.REGISTRY_URL))
                .optSubjectNameStrategy(SubjectNameStrategy.parse(conf.get(JobOptions.REGISTRY_SUBJECT_STRATEGY)));
        conf.getOptional(JobOptions.REGISTRY_USER_INFO).ifPresent(b::optBasicAuthUserInfo);
        return b.build();
    }

    /**
     * Returns the learner configuration: the {@code learner.*} options, with the job's {@code labels},
     * {@code labels.max} and {@code batch.size} applied on top (the job has one batch size: its batches are the
     * learner's).
     */
    public static LearnerConfig learnerConfig(Configuration conf) {
        LearnerConfig.Builder b = LearnerConfig.builder().optValues(JobOptions.learnerProperties(conf))
                .optBatchSize(conf.get(JobOptions.BATCH_SIZE));
        List<String> labels = conf.get(JobOptions.LABELS);
        if (!labels.isEmpty()) {
            b.optLabels(labels);
        }
        conf.getOptional(JobOptions.MAX_LABELS).ifPresent(b::optMaxLabels);
        return b.build();
    }

    /** Returns the training operator's settings of the options. */
    public static TrainerSettings trainerSettings(Configuration conf) {
        return TrainerSettings.builder()
                .setLearnerConfig(learnerConfig(conf))
                .setRegistry(registryConfig(conf))
                .optBatchTimeout(conf.get(JobOptions.BATCH_TIMEOUT))
                .optSnapshotEveryBatches(conf.get(JobOptions.SNAPSHOT_EVERY_BATCHES))
                .optSnapshotInterval(conf.get(JobOptions.SNAPSHOT_INTERVAL))
                .optHeldOutFraction(conf.get(JobOptions.HELD_OUT_FRACTION))
                .optHeldOutWindow(conf.get(JobOptions.HELD_OUT_WINDOW))
                .optRobustEval(conf.get(JobOptions.EVAL_ROBUST))
                .optAttackSteps(conf.getOptional(JobOptions.EVAL_ATTACK_STEPS).orElse(null))
                .optAttackEpsilon(conf.getOptional(JobOptions.EVAL_ATTACK_EPSILON).orElse(null))
                .optAttackAlpha(conf.getOptional(JobOptions.EVAL_ATTACK_ALPHA).orElse(null))
                .optAttackRestarts(conf.getOptional(JobOptions.EVAL_ATTACK_RESTARTS).orElse(null))
                .optAttackTexts(conf.get(JobOptions.EVAL_ATTACK_TEXTS))
                .optEvalEverySnapshots(conf.get(JobOptions.EVAL_EVERY_SNAPSHOTS))
                .optEvalMaxPending(conf.get(JobOptions.EVAL_MAX_PENDING))
                .optEvalDutyCycle(conf.get(JobOptions.EVAL_DUTY_CYCLE))
                .optAttackNorm(conf.getOptional(JobOptions.EVAL_ATTACK_NORM).orElse(null))
                .optDevice(conf.get(JobOptions.DEVICE))
                .optGpuResource(conf.get(JobOptions.GPU_RESOURCE))
                .optIntraOpThreads(conf.get(JobOptions.INTRA_OP_THREADS))
                .optFailAfterBatches(conf.get(JobOptions.FAIL_AFTER_BATCHES))
                .optIdleEviction(conf.get(JobOptions.IDLE_EVICTION))
                .optLabelMinCount(conf.get(JobOptions.LABEL_MIN_COUNT))
                .optTopics(conf.get(JobOptions.SNAPSHOTS_TOPIC), conf.get(JobOptions.LATEST_TOPIC),
                        conf.get(JobOptions.REPORTS_TOPIC))
                .build();
    }

    /** Returns the Kafka source of LabeledText records. */
    public static KafkaSource<InboundRecord> kafkaSource(Configuration conf, RegistryConfig registry) {
        Properties props = new Properties();
        // Input producers may write transactionally: never train on aborted records.
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.setProperty("partition.discovery.interval.ms", "60000");
        props.putAll(JobOptions.kafkaClientProperties(conf));
        KafkaSourceBuilder<InboundRecord> b = KafkaSource.<InboundRecord>builder()
                .setProperties(props)
                .setBootstrapServers(conf.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(JobOptions.INPUT_TOPIC))
                .setGroupId(conf.get(JobOptions.GROUP_ID))
                .setStartingOffsets(startingOffsets(conf.get(JobOptions.STARTING_OFFSETS)))
                .setDeserializer(new LabeledTextDeserializer(AvroRegistryCodec.forClass(LabeledText.class, registry)));
        if (conf.get(JobOptions.BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /** Returns the sink of snapshots, latest snapshots and reports. */
    public static KafkaSink<Publication> publicationSink(Configuration conf) {
        return sink(conf, "-models", new PublicationSerializer());
    }

    /** Returns the sink of dead letters. */
    public static KafkaSink<Rejected> deadLetterSink(Configuration conf, RegistryConfig registry) {
        return sink(conf, "-dead-letters", new DeadLetterSerializer(conf.get(JobOptions.DEAD_LETTER_TOPIC),
                AvroRegistryCodec.forClass(DeadLetter.class, registry)));
    }

    /** Returns the sink of held-out events (LabeledText keyed by model id). */
    public static KafkaSink<TrainingEvent> heldOutSink(Configuration conf, RegistryConfig registry) {
        return sink(conf, "-heldout", new HeldOutSerializer(conf.get(JobOptions.HELDOUT_TOPIC),
                AvroRegistryCodec.forClass(LabeledText.class, registry)));
    }

    /** A sink with the job's delivery guarantee, its own transactional id prefix and the sink producer settings. */
    private static <T> KafkaSink<T> sink(Configuration conf, String transactionSuffix,
                                         KafkaRecordSerializationSchema<T> serializer) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(conf.get(JobOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producerProperties(conf))
                .setDeliveryGuarantee(conf.get(JobOptions.DELIVERY_GUARANTEE))
                .setTransactionalIdPrefix(conf.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + transactionSuffix)
                .setRecordSerializer(serializer)
                .build();
    }

    /**
     * Returns the sink producers' properties: the {@code kafka.*} pass-through, then the settings the sinks need
     * (transaction timeout within the broker's maximum, a request size that fits a snapshot).
     */
    public static Properties producerProperties(Configuration conf) {
        Map<String, String> p = new LinkedHashMap<>(JobOptions.kafkaClientProperties(conf));
        long maxRequest = conf.get(JobOptions.MAX_REQUEST_SIZE).getBytes();
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                Long.toString(conf.get(JobOptions.TRANSACTION_TIMEOUT).toMillis()));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Long.toString(maxRequest));
        long buffer = Math.max(Long.parseLong(p.getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, "0")),
                2 * maxRequest);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(buffer));
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private static OffsetsInitializer startingOffsets(JobOptions.StartingOffsets starting) {
        switch (starting) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /** Keys events by model id. */
    public static final class ModelIdSelector implements KeySelector<TrainingEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(TrainingEvent event) {
            return event.modelId;
        }
    }
}
