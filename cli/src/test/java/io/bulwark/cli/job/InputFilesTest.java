package io.bulwark.cli.job;

import io.bulwark.cli.job.input.InputFiles;
import io.bulwark.cli.job.input.InputOrder;
import io.bulwark.cli.job.input.RawInput;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InputFilesTest {

    @Test
    void jsonlRecordsAreSentAsTheyAreAndBrokenLinesAsRawBytes(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("in.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"id\": \"a\", \"text\": \"hello\", \"label\": \"ham\", \"time\": \"2002-08-22T11:26:25Z\"}",
                "{\"id\": \"b\", \"label\": \"spam\", \"weight\": \"heavy\", \"modelKey\": \"t1\"}",
                "{this is not json",
                "",
                "{\"text\": \"\", \"weight\": -2, \"time\": \"1000\"}") + "\n");
        List<RawInput> in = InputFiles.read(f, true, 5L);
        assertThat(in).hasSize(4);
        assertThat(in.get(0).event().getText()).isEqualTo("hello");
        assertThat(in.get(0).event().getEventTime().toString()).isEqualTo("2002-08-22T11:26:25Z");
        assertThat(in.get(1).event().getText()).isNull();
        assertThat(in.get(1).event().getWeight()).isNaN();
        assertThat(in.get(1).event().getModelKey()).isEqualTo("t1");
        assertThat(in.get(1).event().getEventTime().toEpochMilli()).isEqualTo(5L);
        assertThat(in.get(2).isRaw()).isTrue();
        assertThat(new String(in.get(2).raw(), StandardCharsets.UTF_8)).isEqualTo("{this is not json");
        assertThat(in.get(3).event().getId()).isEqualTo("in.jsonl:5");
        assertThat(in.get(3).event().getWeight()).isEqualTo(-2f);

        List<RawInput> byTime = InputOrder.TIME.apply(in, 0);
        assertThat(byTime.get(0).line()).isEqualTo(5);
        assertThat(byTime.get(1).line()).isEqualTo(1);
    }

    @Test
    void csvHandlesQuotesAndKeepsRowsWithTheWrongFieldCountAsRawBytes(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("in.csv");
        Files.writeString(f, "id,text,label\n"
                + "1,\"hello, \"\"world\"\"\nsecond line\",ham\n"
                + "2,plain,spam\n"
                + "3,too,many,fields\n"
                + "4,,ham\n");
        List<RawInput> in = InputFiles.read(f, false, 0L);
        assertThat(in).hasSize(4);
        assertThat(in.get(0).event().getText()).isEqualTo("hello, \"world\"\nsecond line");
        assertThat(in.get(1).event().getLabel()).isEqualTo("spam");
        assertThat(in.get(2).isRaw()).isTrue();
        assertThat(new String(in.get(2).raw(), StandardCharsets.UTF_8)).isEqualTo("3,too,many,fields");
        assertThat(in.get(3).event().getText()).isEmpty();
    }
}
