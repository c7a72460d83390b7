package io.bulwark.cli.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void padsColumnsAndRightAlignsNumbers() {
        String table = new TextTable("name", "value").row("alpha", "1.5").row("b", "12.25").render();
        assertThat(table).isEqualTo(""
                + "name   value\n"
                + "-----  -----\n"
                + "alpha    1.5\n"
                + "b      12.25\n");
        assertThatThrownBy(() -> new TextTable("a", "b").row("only one")).hasMessageContaining("1 cells");
    }
}
