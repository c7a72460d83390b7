package io.bulwark.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.serving.ServingServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's traffic for serving's input monitor: the first texts of the replay fill the monitor's reference window,
 * the last ones its current window, each scored through the model's A/B experiment as a client would (in requests
 * of {@value #BATCH} texts). Then the monitor's verdict, with the evidence behind it, goes into the summary.
 */
final class DemoTraffic {

    private static final int BATCH = 16;
    private static final int MAX_CHARS = 4000;

    private DemoTraffic() {}

    /**
     * Scores the first {@code reference} and the last {@code window} of {@code texts} with {@code modelId}, waits for
     * the monitor to profile them and returns its view: status, line, message, evidence, windows.
     */
    static Map<String, Object> exercise(ServingServer server, String modelId, List<String> texts, int reference,
                                        int window) throws InterruptedException {
        List<String> served = new ArrayList<>(texts.subList(0, Math.min(reference, texts.size())));
        served.addAll(texts.subList(Math.max(served.size(), texts.size() - window), texts.size()));
        ObjectMapper mapper = new ObjectMapper();
        int answered = 0;
        for (int from = 0; from < served.size(); from += BATCH) {
            List<String> batch = new ArrayList<>();
            for (String t : served.subList(from, Math.min(served.size(), from + BATCH))) {
                batch.add(t.length() > MAX_CHARS ? t.substring(0, MAX_CHARS) : t);
            }
            JsonNode body = mapper.valueToTree(Map.of("texts", batch, "key", "demo-" + from));
            server.service().predict(modelId, body);
            answered += batch.size();
        }
        server.monitor().awaitIdle(30_000);
        Map<String, Object> view = server.service().monitor(modelId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("texts_served", answered);
        for (String k : List.of("status", "line", "message", "evidence", "windows")) {
            out.put(k, view.get(k));
        }
        return out;
    }
}
