package io.bulwark.serving.ab;

/**
 * Where one request goes.
 *
 * @param arm the arm that answers
 * @param version the version that answers
 * @param shadowVersion the version of arm B scoring the request in shadow mode, or null
 */
public record Routing(Arm arm, long version, Long shadowVersion) {}
