package io.bulwark.serving.ab;

/**
 * The paired statistics behind a canary-gate decision.
 *
 * @param canaryVersion the canary set version both versions were scored on
 * @param clean McNemar and the bound on the clean accuracy difference (null while a version is not yet scored)
 * @param robust the same under attack (null while a version is not yet scored)
 */
public record CanaryEvidence(long canaryVersion, PairedTest.Result clean, PairedTest.Result robust) {}
