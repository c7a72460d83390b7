package io.bulwark.job.deploy;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deployment files of the repository (docker-compose.yml and deploy/), read for tests. */
final class DeployFiles {

    /** Metric names in PromQL: identifiers of Flink's reporter ({@code flink_}) or of serving ({@code bulwark_}). */
    private static final Pattern METRIC = Pattern.compile("\\b((?:flink|bulwark)_[a-zA-Z0-9_:]+)");
    private static final Pattern BASH_ARRAY = Pattern.compile("(?s)\\n%s=\\((.*?)\\n\\)");

    private DeployFiles() {
    }

    /** Returns the repository root (the parent of the flink-job module). */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker-compose.yml")) && Files.isDirectory(p.resolve("deploy"))) {
                return p;
            }
        }
        throw new IllegalStateException("No docker-compose.yml with a deploy/ folder above " + dir);
    }

    /** Returns a file of the repository. */
    static Path file(String relative) {
        Path p = repoRoot().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("Missing deployment file " + p);
        }
        return p;
    }

    /** Returns the text of a repository file. */
    static String read(String relative) {
        try {
            return Files.readString(file(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a YAML file of the repository, with anchors resolved and merge keys ({@code <<}) applied. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String relative) {
        Object doc = new Load(LoadSettings.builder().build()).loadFromString(read(relative));
        return (Map<String, Object>) applyMergeKeys(doc);
    }

    @SuppressWarnings("unchecked")
    private static Object applyMergeKeys(Object node) {
        if (node instanceof Map) {
            Map<String, Object> in = (Map<String, Object>) node;
            Map<String, Object> out = new LinkedHashMap<>();
            Object merge = in.get("<<");
            if (merge instanceof Map) {
                out.putAll((Map<String, Object>) applyMergeKeys(merge));
            } else if (merge instanceof List) {
                for (Object m : (List<Object>) merge) {
                    ((Map<String, Object>) applyMergeKeys(m)).forEach(out::putIfAbsent);
                }
            }
            in.forEach((k, v) -> {
                if (!"<<".equals(k)) {
                    out.put(k, applyMergeKeys(v));
                }
            });
            return out;
        }
        if (node instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<Object>) node) {
                out.add(applyMergeKeys(o));
            }
            return out;
        }
        return node;
    }

    /** Returns the child map at {@code key}, failing with the path when it is missing. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        if (!(v instanceof Map)) {
            throw new AssertionError("Expected a mapping at '" + key + "' in " + parent.keySet() + ", got " + v);
        }
        return (Map<String, Object>) v;
    }

    /** Returns the child list at {@code key}, failing when it is missing. */
    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        if (!(v instanceof List)) {
            throw new AssertionError("Expected a list at '" + key + "' in " + parent.keySet() + ", got " + v);
        }
        return (List<Object>) v;
    }

    /** Resolves compose interpolation {@code ${VAR:-default}} / {@code ${VAR}} with the defaults (variables unset). */
    static String withDefaults(String value) {
        return value.replaceAll("\\$\\{[A-Za-z0-9_]+:-([^}]*)}", "$1").replaceAll("\\$\\{[A-Za-z0-9_]+}", "");
    }

    /** Returns the words of a bash array assignment {@code NAME=( ... )} of a script. */
    static List<String> bashArray(String scriptRelative, String name) {
        Matcher m = Pattern.compile(String.format(BASH_ARRAY.pattern(), Pattern.quote(name)))
                .matcher(read(scriptRelative));
        if (!m.find()) {
            throw new AssertionError("No array " + name + "=( ... ) in " + scriptRelative);
        }
        List<String> out = new ArrayList<>();
        for (String line : m.group(1).split("\n")) {
            String word = line.strip();
            if (!word.isEmpty() && !word.startsWith("#")) {
                out.add(word);
            }
        }
        return out;
    }

    /** Returns the {@code KEY=value} lines of an env file, in order. */
    static Map<String, String> envFile(String relative) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : read(relative).split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new AssertionError("Not a KEY=value line in " + relative + ": " + line);
            }
            out.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return out;
    }

    /** Returns the metric names used by PromQL expressions in {@code text}. */
    static Set<String> metricNames(String promQl) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = METRIC.matcher(promQl);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Returns every PromQL expression of the Grafana dashboard (panel targets and template queries). */
    @SuppressWarnings("unchecked")
    static List<String> dashboardExpressions(Map<String, Object> dashboard) {
        List<String> out = new ArrayList<>();
        for (Object p : list(dashboard, "panels")) {
            Map<String, Object> panel = (Map<String, Object>) p;
            for (Object t : (List<Object>) panel.getOrDefault("targets", List.of())) {
                out.add(String.valueOf(((Map<String, Object>) t).get("expr")));
            }
        }
        for (Object v : list(map(dashboard, "templating"), "list")) {
            Map<String, Object> variable = (Map<String, Object>) v;
            if ("query".equals(variable.get("type"))) {
                out.add(String.valueOf(variable.get("definition")));
            }
        }
        return out;
    }

    /** Returns every alerting or recording rule expression of the Prometheus rule files. */
    @SuppressWarnings("unchecked")
    static List<String> ruleExpressions() {
        List<String> out = new ArrayList<>();
        Path dir = repoRoot().resolve("deploy/prometheus/rules");
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".yml")).sorted().toList()) {
                Map<String, Object> doc = yaml(repoRoot().relativize(f).toString());
                for (Object g : list(doc, "groups")) {
                    for (Object r : list((Map<String, Object>) g, "rules")) {
                        out.add(String.valueOf(((Map<String, Object>) r).get("expr")));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Returns the metric names the dashboard and the Prometheus rules query, sorted. */
    static Set<String> queriedMetricNames() {
        Set<String> out = new TreeSet<>();
        for (String e : dashboardExpressions(yaml("deploy/grafana/dashboards/bulwark.json"))) {
            out.addAll(metricNames(e));
        }
        for (String e : ruleExpressions()) {
            out.addAll(metricNames(e));
        }
        return out;
    }
}
