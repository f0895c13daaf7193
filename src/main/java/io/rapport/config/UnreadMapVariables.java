package io.rapport.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Warns at startup about an environment variable for an instrument's or a token subject's setting
 * that SmallRye Config could not read. A name with a hyphen or underscore in it must go between
 * double underscores ({@code RAPPORT_INSTRUMENTS__WAI_SR__CUTOFF}); written the plain way
 * ({@code RAPPORT_INSTRUMENTS_WAI_SR_CUTOFF}) it cannot be split into a name and a setting, and was
 * dropped without a word, so an operator believed a cutoff was set that was not.
 */
@ApplicationScoped
class UnreadMapVariables {

    private static final Logger LOG = Logger.getLogger(UnreadMapVariables.class);

    private static final String INSTRUMENTS = "RAPPORT_INSTRUMENTS_";
    private static final String SUBJECTS = "RAPPORT_INGEST_SUBJECTS_";

    private final RapportConfig config;

    UnreadMapVariables(RapportConfig config) {
        this.config = config;
    }

    void check(@Observes StartupEvent event) {
        for (String name : unread(System.getenv(), config)) {
            LOG.warnf(
                    "The environment variable %s sets nothing: a name holding '-' or '_' goes between double"
                            + " underscores, e.g. RAPPORT_INSTRUMENTS__WAI_SR__CUTOFF for WAI-SR (README, Configuration)",
                    name);
        }
    }

    /** The variables under the two map prefixes that no map entry was read from, in name order. */
    static List<String> unread(Map<String, String> environment, RapportConfig config) {
        Set<String> read = new HashSet<>();
        config.instruments().keySet().forEach(key -> read.addAll(names(INSTRUMENTS, key, List.of("CUTOFF"))));
        config.ingest()
                .subjects()
                .keySet()
                .forEach(key -> read.addAll(names(SUBJECTS, key, List.of("RATE_LIMIT", "RATE_LIMIT_BURST"))));
        List<String> out = new ArrayList<>();
        for (String name : new TreeSet<>(environment.keySet())) {
            if ((name.startsWith(INSTRUMENTS) || name.startsWith(SUBJECTS)) && !read.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    /** The variable names an entry under {@code key} can have come from, plain and quoted. */
    private static List<String> names(String prefix, String key, List<String> settings) {
        String folded = MapKeys.folded(key);
        List<String> out = new ArrayList<>();
        for (String setting : settings) {
            out.add(prefix + folded + "_" + setting);
            out.add(prefix + "_" + folded + "__" + setting);
        }
        return out;
    }
}
