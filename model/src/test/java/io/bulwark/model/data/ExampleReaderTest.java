package io.bulwark.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.model.Example;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleReaderTest {

    @TempDir
    Path dir;

    private static List<DataRecord> readAll(String content, DataFormat format, ReaderOptions options)
            throws IOException {
        InputStream in = new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
        List<DataRecord> out = new ArrayList<>();
        try (ExampleReader reader = ExampleReader.open(in, "test", format, options)) {
            reader.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void jsonlKeepsOrderExtraFieldsAndMissingLabels() throws IOException {
        String jsonl = "\uFEFF{\"text\":\"win money\",\"label\":\"spam\",\"group\":\"spam_2\",\"n\":3}\n"
                + "\n"
                + "{\"text\":\"lunch?\"}\n"
                + "{\"text\":\"hi\",\"label\":1,\"weight\":0.5,\"meta\":{\"a\":1}}\r\n"
                + "{\"text\":\"x\",\"label\":\"\"}\n";
        List<DataRecord> records = readAll(jsonl, DataFormat.JSONL, ReaderOptions.defaults());

        assertThat(records).extracting(DataRecord::example).containsExactly(
                Example.of("win money", "spam"),
                Example.of("lunch?", null),
                new Example("hi", "1", 0.5f),
                Example.of("x", null));
        assertThat(records).extracting(DataRecord::line).containsExactly(1L, 3L, 4L, 5L);
        assertThat(records.get(0).field("group")).isEqualTo("spam_2");
        assertThat(records.get(0).field("n")).isEqualTo("3");
        assertThat(records.get(2).field("meta")).isEqualTo("{\"a\":1}");
        assertThat(records.get(0).fields()).doesNotContainKeys("text", "label");
    }

    @Test
    void jsonlMalformedLineFailsWithItsLineNumber() {
        String jsonl = "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\": \"b\", \n{\"label\":\"y\"}\n";
        assertThatThrownBy(() -> readAll(jsonl, DataFormat.JSONL, ReaderOptions.defaults()))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("test:2:")
                .hasMessageContaining("not valid JSON")
                .satisfies(e -> assertThat(((MalformedRecordException) e).line()).isEqualTo(2));
    }

    @Test
    void jsonlSkipModeCountsBadLinesAndKeepsGoodOnes() throws IOException {
        String jsonl = "{\"text\":\"a\",\"label\":\"x\"}\n"
                + "not json\n"
                + "{\"label\":\"y\"}\n"
                + "[1,2]\n"
                + "{\"text\":{\"nested\":true}}\n"
                + "{\"text\":\"b\",\"weight\":-1}\n"
                + "{\"text\":\"c\",\"label\":\"y\"}\n";
        InputStream in = new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8));
        try (ExampleReader reader = ExampleReader.open(in, "s.jsonl", DataFormat.JSONL,
                ReaderOptions.builder().optSkipMalformed(true).build())) {
            List<Example> good = new ArrayList<>();
            reader.forEachRemaining(r -> good.add(r.example()));
            assertThat(good).containsExactly(Example.of("a", "x"), Example.of("c", "y"));
            assertThat(reader.skipped()).isEqualTo(5);
            assertThat(reader.records()).isEqualTo(2);
            assertThat(reader.errors()).hasSize(5);
            assertThat(reader.errors().get(0)).startsWith("s.jsonl:2:");
            assertThat(reader.errors().get(1)).contains("s.jsonl:3:", "missing text field 'text'");
            assertThat(reader.errors().get(2)).contains("s.jsonl:4:", "expected a JSON object");
            assertThat(reader.errors().get(3)).contains("s.jsonl:5:", "must be a string or number");
            assertThat(reader.errors().get(4)).contains("s.jsonl:6:", "weight");
        }
    }

    @Test
    void jsonlCustomFieldNames() throws IOException {
        String jsonl = "{\"body\":\"hello\",\"class\":\"greet\",\"text\":\"ignored\"}\n";
        List<DataRecord> records = readAll(jsonl, DataFormat.JSONL,
                ReaderOptions.builder().optTextField("body").optLabelField("class").build());
        assertThat(records.get(0).example()).isEqualTo(Example.of("hello", "greet"));
        assertThat(records.get(0).field("text")).isEqualTo("ignored");
    }

    @Test
    void csvHandlesQuotesEmbeddedDelimitersAndMultiLineFields() throws IOException {
        String csv = "id,body,class\r\n"
                + "1,plain text,ham\r\n"
                + "2,\"with, comma and \"\"quotes\"\"\",spam\r\n"
                + "3,\"two\nlines\r\nthree\",ham\n"
                + "\n"
                + "4,,\n"
                + "5,last,spam";
        List<DataRecord> records = readAll(csv, DataFormat.CSV,
                ReaderOptions.builder().optTextField("body").optLabelField("class").build());

        assertThat(records).extracting(DataRecord::example).containsExactly(
                Example.of("plain text", "ham"),
                Example.of("with, comma and \"quotes\"", "spam"),
                Example.of("two\nlines\r\nthree", "ham"),
                Example.of("", null),
                Example.of("last", "spam"));
        assertThat(records).extracting(DataRecord::line).containsExactly(2L, 3L, 4L, 8L, 9L);
        assertThat(records.get(1).field("id")).isEqualTo("2");
    }

    @Test
    void csvErrorsNameTheLineWhereTheRecordStarts() {
        String csv = "text,label\n"
                + "\"multi\nline\",a\n"
                + "ok,b,extra\n";
        assertThatThrownBy(() -> readAll(csv, DataFormat.CSV, ReaderOptions.defaults()))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("test:4:")
                .hasMessageContaining("expected 2 fields as in the header, got 3");
    }

    @Test
    void csvSkipModeRecoversAfterBadQuoting() throws IOException {
        String csv = "text,label\n"
                + "\"bad\"x,a\n"
                + "good,b\n"
                + "short\n"
                + "\"never closed,c\n"
                + "lost,d\n";
        InputStream in = new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8));
        try (ExampleReader reader = ExampleReader.open(in, "t.csv", DataFormat.CSV,
                ReaderOptions.builder().optSkipMalformed(true).build())) {
            List<Example> good = new ArrayList<>();
            reader.forEachRemaining(r -> good.add(r.example()));
            assertThat(good).containsExactly(Example.of("good", "b"));
            assertThat(reader.skipped()).isEqualTo(3);
            assertThat(reader.errors().get(0)).contains("t.csv:2:", "after a closing quote");
            assertThat(reader.errors().get(1)).contains("t.csv:4:", "got 1");
            assertThat(reader.errors().get(2)).contains("t.csv:5:", "never closed");
        }
    }

    @Test
    void csvMissingColumnsAreReportedWithTheHeader() {
        assertThatThrownBy(() -> readAll("body,label\nx,y\n", DataFormat.CSV, ReaderOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no text column 'text'")
                .hasMessageContaining("[body, label]");
        assertThatThrownBy(() -> readAll("text,y\nx,y\n", DataFormat.CSV,
                ReaderOptions.builder().optLabelField("class").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no label column 'class'");
    }

    @Test
    void tsvAndGzipAreReadTransparently() throws IOException {
        Path file = dir.resolve("mails.tsv.gz");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write("label\ttext\nspam\t\"a\tb\"\nham\tc, d\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.write(file, bytes.toByteArray());

        assertThat(ExampleReader.readAll(file, ReaderOptions.defaults()))
                .containsExactly(Example.of("a\tb", "spam"), Example.of("c, d", "ham"));

        Path plainNamedGz = dir.resolve("plain.jsonl");
        Files.write(plainNamedGz, bytes.toByteArray());
        assertThat(ExampleReader.readAll(plainNamedGz, ReaderOptions.builder().optFormat(DataFormat.TSV).build()))
                .hasSize(2);
    }

    @Test
    void unknownExtensionAndMissingFileGiveClearErrors() {
        assertThatThrownBy(() -> DataFormat.fromFileName(Path.of("mails.txt")))
                .hasMessageContaining("Cannot tell the format of mails.txt");
        assertThatThrownBy(() -> ExampleReader.open(dir.resolve("nope.jsonl"), ReaderOptions.defaults()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("No such data file");
        assertThat(DataFormat.fromFileName(Path.of("a.NDJSON.gz"))).isEqualTo(DataFormat.JSONL);
    }
}
