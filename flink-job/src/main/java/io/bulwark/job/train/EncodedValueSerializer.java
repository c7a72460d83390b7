package io.bulwark.job.train;

import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Serializer of keyed-state values that the training thread hands over as immutable objects and that are encoded
 * only when the state backend writes a checkpoint: each value is written as its encoded bytes, length-prefixed.
 *
 * <p>With the heap state backend the encoding runs in the asynchronous part of the checkpoint, off the training
 * thread. A value is never changed after it is stored, so the type is immutable and {@link #copy} returns its
 * argument: the backend's copy-on-write snapshot holds the same object.
 *
 * @param <T> the value type
 */
abstract class EncodedValueSerializer<T> extends TypeSerializerSingleton<T> {

    private static final long serialVersionUID = 1L;

    /** The value's bytes. */
    abstract byte[] encode(T value);

    /**
     * The value of {@code bytes}.
     *
     * @throws IOException with a message naming what is wrong, if the bytes are not a valid encoding
     */
    abstract T decode(byte[] bytes) throws IOException;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public T createInstance() {
        return null;
    }

    @Override
    public T copy(T from) {
        return from;
    }

    @Override
    public T copy(T from, T reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(T record, DataOutputView target) throws IOException {
        byte[] bytes = encode(record);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        return decode(readBytes(source));
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        byte[] bytes = readBytes(source);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    private static byte[] readBytes(DataInputView source) throws IOException {
        int length = source.readInt();
        if (length < 0) {
            throw new IOException("Malformed state value: length " + length);
        }
        byte[] bytes = new byte[length];
        source.readFully(bytes);
        return bytes;
    }
}
