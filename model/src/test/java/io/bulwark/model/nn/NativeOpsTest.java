package io.bulwark.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The native-operator count is the number of operators called, not of the operators nested inside them. */
class NativeOpsTest {

    @Test
    void countsEachCalledOperatorOnce() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.ones(new Shape(8, 8));
            NDArray b = m.ones(new Shape(8, 8));
            long one = NativeOps.count(() -> a.add(b));
            long three = NativeOps.count(() -> a.add(b).matMul(b).sum());
            assertThat(one).isEqualTo(1);
            assertThat(three).isEqualTo(3);
        }
    }

    @Test
    void nestedEventsAreNotCountedAgain() {
        String trace = "[{\"name\": \"aten::matmul\", \"ph\": \"X\", \"ts\": 10.0, \"dur\": 5.0, \"tid\": 1},"
                + "{\"name\": \"aten::mm\", \"ph\": \"X\", \"ts\": 11.0, \"dur\": 2.0, \"tid\": 1},"
                + "{\"name\": \"aten::add\", \"ph\": \"X\", \"ts\": 15.0, \"dur\": 1.0, \"tid\": 1},"
                + "{\"name\": \"aten::add\", \"ph\": \"X\", \"ts\": 12.0, \"dur\": 1.0, \"tid\": 2}]";
        assertThat(NativeOps.countTopLevel(trace)).isEqualTo(3);
    }
}
