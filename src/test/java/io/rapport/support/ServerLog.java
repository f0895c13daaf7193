package io.rapport.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What an embedded PostgreSQL wrote to its log directory, its weekday files one after another. */
public final class ServerLog {

    private ServerLog() {}

    public static String read(Path logDir) throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.sorted().toList()) {
                all.append(Files.readString(f));
            }
            return all.toString();
        }
    }
}
