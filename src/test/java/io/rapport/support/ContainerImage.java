package io.rapport.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * docker/Dockerfile.jvm read as docker build reads it, so the tests that check the image and the
 * benchmarks and ITs that start the jar "as the image starts it" take the image's JVM options from
 * the one file that sets them, instead of a copy that could drift.
 */
public final class ContainerImage {

    public static final Path DOCKERFILE = Path.of("docker/Dockerfile.jvm");

    /**
     * The Deployment's memory limit (k8s/base), in MiB: the JVM in a pod sizes its heap from it, so
     * a start "as the image starts" tells this JVM that this is all the memory there is
     * ({@code -XX:MaxRAM}) instead of letting it size the heap from the build machine's.
     */
    public static final int POD_MEMORY_LIMIT_MIB = 768;

    /** Where the image keeps its archive; tests put their own archive in its place. */
    private static final String ARCHIVE_OPTION = "-XX:SharedArchiveFile=";

    private ContainerImage() {}

    public static String text() {
        try {
            return Files.readString(DOCKERFILE, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Instruction and its arguments, continuation lines joined, comments dropped. */
    public static List<String[]> instructions() {
        List<String[]> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text().split("\n")) {
            String trimmed = line.trim();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String joined = current.toString().trim();
            int space = joined.indexOf(' ');
            out.add(new String[] {
                joined.substring(0, space).toUpperCase(Locale.ROOT),
                joined.substring(space + 1).trim()
            });
            current.setLength(0);
        }
        return out;
    }

    /** The arguments of every instruction of this kind, in order. */
    public static List<String> args(String instruction) {
        return instructions().stream()
                .filter(i -> i[0].equals(instruction))
                .map(i -> i[1])
                .toList();
    }

    /** The value an {@code ENV name=...} line sets, without its quotes. */
    public static String env(String name) {
        String value = args("ENV").stream()
                .filter(e -> e.startsWith(name + "="))
                .map(e -> e.substring(name.length() + 1))
                .reduce((first, later) -> later)
                .orElseThrow(() -> new AssertionError(DOCKERFILE + " sets no " + name));
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }

    /**
     * The options run-java.sh adds from the image's environment (the GC, then JAVA_OPTS_APPEND),
     * after the pod's memory limit, with {@code archive} in place of the image's AppCDS archive;
     * then {@code more}.
     */
    public static List<String> jvmOptions(Path archive, String... more) {
        return options(ARCHIVE_OPTION + archive.toAbsolutePath(), more);
    }

    /** The same without an AppCDS archive, for a start from outside the packaged app's directory. */
    public static List<String> jvmOptionsWithoutArchive(String... more) {
        return options(null, more);
    }

    private static List<String> options(String archiveOption, String... more) {
        List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=" + POD_MEMORY_LIMIT_MIB + "m"));
        for (String variable : List.of("GC_CONTAINER_OPTIONS", "JAVA_OPTS_APPEND")) {
            for (String option : env(variable).trim().split("\\s+")) {
                if (!option.startsWith(ARCHIVE_OPTION)) {
                    options.add(option);
                } else if (archiveOption != null) {
                    options.add(archiveOption);
                }
            }
        }
        options.addAll(List.of(more));
        return options;
    }
}
