package io.bulwark.model.data;

import java.util.Objects;

/**
 * How {@link ExampleReader} maps a file to examples: format, field/column names, and what to do with bad records.
 *
 * <p>{@code ReaderOptions.builder().optTextField("body").optLabelField("class").optSkipMalformed(true).build()}
 */
public final class ReaderOptions {
    /** The default text field or column. */
    public static final String DEFAULT_TEXT_FIELD = "text";
    /** The default label field or column. */
    public static final String DEFAULT_LABEL_FIELD = "label";
    /** The default weight field or column (read only when present). */
    public static final String DEFAULT_WEIGHT_FIELD = "weight";

    private final DataFormat format;
    private final String textField;
    private final String labelField;
    private final boolean labelFieldRequired;
    private final String weightField;
    private final boolean skipMalformed;
    private final int maxReportedErrors;

    private ReaderOptions(Builder b) {
        this.format = b.format;
        this.textField = b.textField;
        this.labelField = b.labelField;
        this.labelFieldRequired = b.labelFieldRequired;
        this.weightField = b.weightField;
        this.skipMalformed = b.skipMalformed;
        this.maxReportedErrors = b.maxReportedErrors;
    }

    /** Options with the defaults: format from the file name, fields {@code text}/{@code label}, fail on bad records. */
    public static ReaderOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The format, or {@code null} to tell it from the file name. */
    public DataFormat format() {
        return format;
    }

    /** The JSON field or CSV column holding the text. */
    public String textField() {
        return textField;
    }

    /** The JSON field or CSV column holding the label, or {@code null} when the data has no labels. */
    public String labelField() {
        return labelField;
    }

    /** Whether a CSV header without the label column is an error (true when the label column was named explicitly). */
    public boolean labelFieldRequired() {
        return labelFieldRequired;
    }

    /** The optional JSON field or CSV column holding a numeric example weight (default 1 when absent). */
    public String weightField() {
        return weightField;
    }

    /** True: bad records are skipped and counted; false: the first one throws {@link MalformedRecordException}. */
    public boolean skipMalformed() {
        return skipMalformed;
    }

    /** How many skipped-record messages a reader keeps for reporting. */
    public int maxReportedErrors() {
        return maxReportedErrors;
    }

    /** Builder of {@link ReaderOptions}. */
    public static final class Builder {
        private DataFormat format;
        private String textField = DEFAULT_TEXT_FIELD;
        private String labelField = DEFAULT_LABEL_FIELD;
        private boolean labelFieldRequired;
        private String weightField = DEFAULT_WEIGHT_FIELD;
        private boolean skipMalformed;
        private int maxReportedErrors = 20;

        private Builder() {}

        /** Sets the format explicitly instead of telling it from the file name. */
        public Builder optFormat(DataFormat format) {
            this.format = format;
            return this;
        }

        /** Sets the text field/column (default {@code text}). */
        public Builder optTextField(String textField) {
            this.textField = textField;
            return this;
        }

        /**
         * Sets the label field/column (default {@code label}); a CSV whose header lacks a column named here is an
         * error. {@code null} reads every example as unlabeled.
         */
        public Builder optLabelField(String labelField) {
            this.labelField = labelField;
            this.labelFieldRequired = labelField != null;
            return this;
        }

        /** Sets the optional weight field/column (default {@code weight}); {@code null} ignores weights. */
        public Builder optWeightField(String weightField) {
            this.weightField = weightField;
            return this;
        }

        /** Skips and counts bad records instead of failing on the first one (default false). */
        public Builder optSkipMalformed(boolean skipMalformed) {
            this.skipMalformed = skipMalformed;
            return this;
        }

        /** Sets how many skipped-record messages are kept for reporting (default 20). */
        public Builder optMaxReportedErrors(int maxReportedErrors) {
            this.maxReportedErrors = maxReportedErrors;
            return this;
        }

        /** Validates and builds the options. */
        public ReaderOptions build() {
            Objects.requireNonNull(textField, "You must specify the text field (optTextField)");
            if (textField.isBlank()) {
                throw new IllegalArgumentException("The text field name must not be blank");
            }
            if (labelField != null && labelField.isBlank()) {
                throw new IllegalArgumentException("The label field name must not be blank");
            }
            if (labelField != null && labelField.equals(textField)) {
                throw new IllegalArgumentException("The text and label fields must differ, both are '" + textField + "'");
            }
            if (maxReportedErrors < 0) {
                throw new IllegalArgumentException("maxReportedErrors must be >= 0, got " + maxReportedErrors);
            }
            return new ReaderOptions(this);
        }
    }
}
