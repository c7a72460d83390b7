package io.bulwark.job.train;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Decides which events are held out from training: a fixed fraction chosen by a hash of model id and event id, so
 * the same event is held out in every run, after every restart and on every replay.
 */
public final class HeldOutSelector {

    private static final double TWO_POW_32 = 4294967296.0;

    private HeldOutSelector() {
    }

    /** Returns true when the event belongs to the held-out fraction of its model. */
    public static boolean isHeldOut(String modelId, String eventId, double fraction) {
        if (fraction <= 0 || eventId == null) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(modelId.getBytes(StandardCharsets.UTF_8));
        crc.update(0);
        crc.update(eventId.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() / TWO_POW_32 < fraction;
    }
}
