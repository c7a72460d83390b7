package io.bulwark.cli.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds the code to its documented layout (README, "Modules"): the module graph of the POMs, no package cycles in
 * main code, and no oversized main-code file. Reads the sources of the checkout this module is built in.
 */
class ArchitectureTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Main-code files may be "about 500 lines"; this is the hard limit. */
    private static final int MAX_LINES = 550;

    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency>\\s*(?:<!--.*?-->\\s*)?<groupId>io\\.bulwark</groupId>\\s*<artifactId>bulwark-([\\w-]+)"
                    + "</artifactId>(.*?)</dependency>", Pattern.DOTALL);
    private static final Pattern MODULE = Pattern.compile("<module>([\\w-]+)</module>");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.bulwark[\\w.]*)\\.[\\w*]+;",
            Pattern.MULTILINE);

    @Test
    void modulesDependOnEachOtherAsDocumented() {
        Map<String, Set<String>> expected = new TreeMap<>(Map.of(
                "schemas", Set.of(),
                "model", Set.of("schemas"),
                "kafka-client", Set.of("schemas"),
                "kafka-embedded", Set.of(),
                "flink-job", Set.of("schemas", "model", "kafka-client"),
                "serving", Set.of("schemas", "model", "kafka-client"),
                "study", Set.of("model"),
                "cli", Set.of("flink-job", "serving", "study", "kafka-embedded", "kafka-client", "model",
                        "schemas")));
        assertThat(mainDependencies()).isEqualTo(expected);
    }

    @Test
    void noPackageOfMainCodeIsInACycle() {
        Map<String, Set<String>> imports = packageImports();
        assertThat(imports).as("main-code packages found").hasSizeGreaterThan(20);
        assertThat(cycles(imports)).isEmpty();
    }

    @Test
    void noMainCodeFileIsOversized() {
        Map<String, Long> oversized = new TreeMap<>();
        for (Path file : mainSources()) {
            long lines = read(file).lines().count();
            if (lines > MAX_LINES) {
                oversized.put(ROOT.relativize(file).toString(), lines);
            }
        }
        assertThat(oversized).isEmpty();
    }

    private static Map<String, Set<String>> mainDependencies() {
        Map<String, Set<String>> out = new TreeMap<>();
        Matcher modules = MODULE.matcher(read(ROOT.resolve("pom.xml")));
        while (modules.find()) {
            String module = modules.group(1);
            Set<String> deps = new TreeSet<>();
            Matcher d = DEPENDENCY.matcher(read(ROOT.resolve(module).resolve("pom.xml")));
            while (d.find()) {
                if (!d.group(2).contains("<scope>test</scope>")) {
                    deps.add(d.group(1));
                }
            }
            out.put(module, deps);
        }
        return out;
    }

    private static List<Path> mainSources() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.toList()) {
                Path src = module.resolve("src/main/java");
                if (Files.isDirectory(src)) {
                    try (Stream<Path> files = Files.walk(src)) {
                        files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Package to the project packages it imports from. */
    private static Map<String, Set<String>> packageImports() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Path file : mainSources()) {
            String source = read(file);
            Matcher p = PACKAGE.matcher(source);
            if (!p.find()) {
                continue;
            }
            String pkg = p.group(1);
            Set<String> deps = out.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = IMPORT.matcher(source);
            while (m.find()) {
                String imported = packageOf(m.group(1));
                if (!imported.equals(pkg)) {
                    deps.add(imported);
                }
            }
        }
        return out;
    }

    /** The package part of a qualified name (up to the first segment that starts with a capital letter). */
    private static String packageOf(String qualified) {
        List<String> parts = new ArrayList<>();
        for (String part : qualified.split("\\.")) {
            if (Character.isUpperCase(part.charAt(0))) {
                break;
            }
            parts.add(part);
        }
        return String.join(".", parts);
    }

    /** The strongly connected components with more than one package (Tarjan). */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
