package io.bulwark.serving.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed, validated scoring request: {@code {"text": "..."}} or {@code {"texts": [...]}}, with an optional
 * {@code requestId} (echoed, used for feedback) and {@code key} (sticky arm assignment; defaults to the request id).
 */
public record PredictRequest(List<String> texts, boolean batch, String requestId, String key) {

    private static final int MAX_ID_CHARS = 200;

    /** Parses and validates {@code body} against the limits; throws 400 or 413 saying what is wrong. */
    public static PredictRequest parse(JsonNode body, int maxBatchSize, int maxTextChars) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("request body must be a JSON object with \"text\" or \"texts\"");
        }
        JsonNode text = body.get("text");
        JsonNode texts = body.get("texts");
        if (text != null && texts != null) {
            throw ApiException.badRequest("send either \"text\" or \"texts\", not both");
        }
        List<String> out = new ArrayList<>();
        boolean batch;
        if (text != null) {
            if (!text.isTextual()) {
                throw ApiException.badRequest("\"text\" must be a string, got " + text.getNodeType().name().toLowerCase());
            }
            out.add(checkText(text.asText(), "text", maxTextChars));
            batch = false;
        } else if (texts != null) {
            if (!texts.isArray()) {
                throw ApiException.badRequest("\"texts\" must be an array of strings");
            }
            if (texts.isEmpty()) {
                throw ApiException.badRequest("\"texts\" must not be empty");
            }
            if (texts.size() > maxBatchSize) {
                throw ApiException.tooLarge("batch of " + texts.size() + " texts exceeds the limit of " + maxBatchSize);
            }
            for (int i = 0; i < texts.size(); i++) {
                JsonNode t = texts.get(i);
                if (!t.isTextual()) {
                    throw ApiException.badRequest("texts[" + i + "] must be a string");
                }
                out.add(checkText(t.asText(), "texts[" + i + "]", maxTextChars));
            }
            batch = true;
        } else {
            throw ApiException.badRequest("request needs \"text\" (a string) or \"texts\" (an array of strings)");
        }
        String requestId = optionalId(body, "requestId");
        String key = optionalId(body, "key");
        return new PredictRequest(List.copyOf(out), batch, requestId, key);
    }

    private static String checkText(String s, String name, int maxChars) {
        if (s.isBlank()) {
            throw ApiException.badRequest(name + " must not be empty");
        }
        if (s.length() > maxChars) {
            throw ApiException.tooLarge(name + " has " + s.length() + " characters; the limit is " + maxChars);
        }
        return s;
    }

    private static String optionalId(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() && !n.isIntegralNumber()) {
            throw ApiException.badRequest("\"" + field + "\" must be a string or an integer");
        }
        String s = n.asText();
        if (s.isEmpty() || s.length() > MAX_ID_CHARS) {
            throw ApiException.badRequest("\"" + field + "\" must have 1 to " + MAX_ID_CHARS + " characters");
        }
        return s;
    }
}
