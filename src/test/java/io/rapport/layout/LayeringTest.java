package io.rapport.layout;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * The feature packages depend on each other in one direction only, so each can be read, and
 * changed, from the packages below it (STYLE: dependencies that point down).
 */
class LayeringTest {

    private static final Path MAIN_SOURCES = Path.of("src", "main", "java", "io", "rapport");
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?io\\.rapport\\.(\\w+)\\.", Pattern.MULTILINE);

    /** From the compiled classes: every call, field, type and annotation that one class uses of another. */
    @Test
    void featurePackagesFormNoCycleInTheirClasses() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.rapport");
        slices().matching("io.rapport.(*)..").should().beFreeOfCycles().check(main);
    }

    /**
     * From the sources' imports, which also holds what the compiler leaves out of the classes: a
     * constant such as {@code Limits.MAX_TOKENS} is copied into the class that uses it.
     */
    @Test
    void featurePackagesFormNoCycleInTheirImports() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = MAIN_SOURCES.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue;
                }
                String from = relative.getName(0).toString();
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(from)) {
                        uses.computeIfAbsent(from, k -> new TreeSet<>()).add(m.group(1));
                    }
                }
            }
        }
        assertThat(uses).as("packages read").containsKeys("visit", "ingest", "error");
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycles(start, start, new ArrayList<>(List.of(start)), uses, cycles);
        }
        assertThat(cycles).as("package cycles, by import").isEmpty();
    }

    /** Every simple path from start back to start, each cycle once (from its smallest package). */
    private static void findCycles(
            String start, String at, List<String> path, Map<String, Set<String>> uses, List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (next.compareTo(start) > 0 && !path.contains(next)) {
                path.add(next);
                findCycles(start, next, path, uses, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
