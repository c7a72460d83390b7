package io.bulwark.serving.registry;

import io.bulwark.avro.ModelSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * What serving scores with from one snapshot record, as a short string: the CRC32C of the student payload's format
 * version and bytes and of the label order. Two records of one model and version with the same fingerprint are
 * copies (e.g. the versions topic and the compacted latest topic); different fingerprints are different models
 * published under one version number.
 */
public final class PayloadFingerprint {

    private PayloadFingerprint() {}

    /** The fingerprint of {@code snapshot}, e.g. {@code crc32c:1a2b3c4d}. */
    public static String of(ModelSnapshot snapshot) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(snapshot.getPayload().getFormatVersion()).flip());
        crc.update(snapshot.getPayload().getBytes().duplicate());
        for (CharSequence label : snapshot.getLabels()) {
            crc.update(label.toString().getBytes(StandardCharsets.UTF_8));
            crc.update(0);
        }
        return String.format("crc32c:%08x", crc.getValue());
    }
}
