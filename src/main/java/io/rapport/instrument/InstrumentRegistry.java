package io.rapport.instrument;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.rapport.config.MapKeys;
import io.rapport.config.RapportConfig;
import io.rapport.error.ProblemException;
import io.rapport.error.Violation;
import io.rapport.ingest.Outcome;
import io.rapport.metrics.InstrumentLabels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Built-in instruments (in code) and the ones clinics register (table {@code instrument}). A
 * clinic sees the built-ins plus its own; a built-in code can never be taken.
 */
@ApplicationScoped
public class InstrumentRegistry implements InstrumentLabels {

    private static final Logger LOG = Logger.getLogger(InstrumentRegistry.class);

    private final InstrumentRepository repository;
    private final ObjectMapper mapper;
    private final Validator validator;
    /** Per-instrument settings by folded code ({@link MapKeys}: keys set by environment variable arrive lowercased). */
    private final Map<String, RapportConfig.InstrumentSettings> settings;

    /** {@link #configuredCutoffs}, made once: configuration does not change while Rapport runs. */
    private final Map<String, Double> configuredCutoffs;

    private final Event<InstrumentReplaced> replaced;
    private final ScoredRatings scored;

    InstrumentRegistry(
            InstrumentRepository repository,
            ObjectMapper mapper,
            Validator validator,
            RapportConfig config,
            Event<InstrumentReplaced> replaced,
            ScoredRatings scored) {
        this.scored = scored;
        this.repository = repository;
        this.mapper = mapper;
        this.validator = validator;
        this.settings = MapKeys.folded(config.instruments());
        Map<String, Double> cutoffs = new java.util.TreeMap<>();
        settings.forEach((code, own) -> own.cutoff().ifPresent(c -> cutoffs.put(code, c)));
        this.configuredCutoffs = java.util.Collections.unmodifiableMap(cutoffs);
        this.replaced = replaced;
    }

    /** Stored beside a definition's fields, never part of one. */
    private static final String SUBSCALE_ORDER = "subscaleOrder";

    public Optional<InstrumentDefinition> find(String clinicId, String code) {
        Optional<InstrumentDefinition> builtIn = BuiltInInstruments.find(code);
        if (builtIn.isPresent() || clinicId == null) {
            return builtIn;
        }
        return repository.find(clinicId, code).map(this::definition);
    }

    /**
     * The configured cutoffs, once at startup: an instrument's answer shows only its definition's
     * default, so this line is where an operator sees that a setting took.
     */
    void logConfiguredCutoffs(@Observes StartupEvent event) {
        Map<String, Double> configured = configuredCutoffs();
        if (!configured.isEmpty()) {
            LOG.infof("Alert cutoffs set by configuration, by code (case, '-' and '_' ignored): %s", configured);
        }
    }

    public List<InstrumentDefinition> list(String clinicId) {
        List<InstrumentDefinition> out = new ArrayList<>(BuiltInInstruments.all());
        if (clinicId != null) {
            repository.ofClinic(clinicId).forEach(i -> out.add(definition(i)));
        }
        return out;
    }

    /** The alert cutoff in force: {@code rapport.instruments.<code>.cutoff}, else the definition's. */
    public Double cutoff(InstrumentDefinition def) {
        var own = settings.get(MapKeys.folded(def.code()));
        if (own != null && own.cutoff().isPresent()) {
            return own.cutoff().getAsDouble();
        }
        return def.defaultCutoff();
    }

    @Override
    public List<String> labels() {
        List<String> labels = new ArrayList<>();
        BuiltInInstruments.all().forEach(d -> labels.add(d.code()));
        labels.add(BuiltInInstruments.CUSTOM_LABEL);
        return labels;
    }

    @Override
    public String label(String code) {
        return BuiltInInstruments.label(code);
    }

    @Override
    public Map<String, Double> builtInCutoffs() {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (InstrumentDefinition def : BuiltInInstruments.all()) {
            Double cutoff = cutoff(def);
            if (cutoff != null) {
                out.put(def.code(), cutoff);
            }
        }
        return out;
    }

    /**
     * Configuration names a code folded ({@link MapKeys}), so a new WAI_SR would take the cutoff an
     * operator set for the built-in WAI-SR. Codes registered before this check keep their versions.
     */
    private static void refuseACodeConfiguredAsABuiltIn(String code) {
        String folded = MapKeys.folded(code);
        BuiltInInstruments.all().stream()
                .filter(b -> MapKeys.folded(b.code()).equals(folded))
                .findFirst()
                .ifPresent(b -> {
                    throw new ProblemException(
                            409,
                            "Conflict",
                            code + " reads as the built-in " + b.code()
                                    + " in configuration, where case, '-' and '_' are alike; choose another code.",
                            null);
                });
    }

    /** The alert rule of a built-in instrument, its configured cutoff applied. */
    public record AlertRule(String code, Double cutoff, boolean dropAlert, double dropThreshold) {}

    public List<AlertRule> builtInAlertRules() {
        List<AlertRule> out = new ArrayList<>();
        for (InstrumentDefinition def : BuiltInInstruments.all()) {
            out.add(new AlertRule(def.code(), cutoff(def), def.dropAlert(), def.dropThreshold()));
        }
        return out;
    }

    /**
     * Every configured {@code rapport.instruments.<code>.cutoff} by folded code, for rules applied
     * where the definitions are (a clinic's instruments, read inside the alert statement, which
     * folds a code as {@code translate(code, '-', '_')}: codes hold only A-Z, 0-9, - and _).
     */
    @Override
    public Map<String, Double> configuredCutoffs() {
        return configuredCutoffs;
    }

    /**
     * Registers a clinic's instrument. The same definition again changes nothing; a higher version
     * replaces it: ratings already stored keep the scores they were given, and their alerts are
     * judged again by the new cutoff and drop rule in this transaction (otherwise a sequence kept
     * the old rules' alerts until a later write happened to touch it). Anything else is a
     * conflict, so a typo cannot silently rescore a clinic's surveys.
     */
    @Transactional
    public Outcome register(InstrumentDefinition def) {
        List<Violation> violations = new ArrayList<>();
        for (ConstraintViolation<InstrumentDefinition> cv : validator.validate(def)) {
            violations.add(new Violation(Violation.fieldOf(cv.getPropertyPath()), cv.getMessage()));
        }
        violations.addAll(def.check());
        if (!violations.isEmpty()) {
            violations.sort(Violation.BY_FIELD);
            throw ProblemException.invalid(violations);
        }
        if (BuiltInInstruments.find(def.code()).isPresent()) {
            throw new ProblemException(
                    409,
                    "Conflict",
                    def.code() + " is a built-in instrument and cannot be replaced; choose another code.",
                    null);
        }
        // Two registrations of one code at once must not both pass the checks below and race; and
        // rating ingest takes the same lock shared (RatingStore), so ratings of the code are either
        // committed, and seen by the scale check, or stored after this version.
        lock(lockKey(def.clinicId(), def.code()));
        Optional<InstrumentDefinition> existing = find(def.clinicId(), def.code());
        if (existing.isPresent()) {
            if (existing.get().sameAs(def)) {
                return Outcome.UNCHANGED;
            }
            if (def.version() <= existing.get().version()) {
                throw new ProblemException(
                        409,
                        "Conflict",
                        def.code() + " version " + existing.get().version()
                                + " is registered with a different definition; send a higher version to replace it.",
                        null);
            }
            refuseANewScaleForScoredRatings(def, existing.get());
        } else {
            refuseACodeConfiguredAsABuiltIn(def.code());
        }
        Instant now = Instant.now();
        Instrument row = repository.find(def.clinicId(), def.code()).orElseGet(() -> {
            Instrument created = new Instrument();
            created.clinicId = def.clinicId();
            created.code = def.code();
            created.createdAt = now;
            return created;
        });
        row.version = def.version();
        row.definition = json(def);
        row.updatedAt = now;
        repository.persist(row);
        if (existing.isEmpty()) {
            // No rating can name a code before it is registered: nothing to judge again.
            return Outcome.CREATED;
        }
        // The alert statement reads the definition from the table, in SQL: the new one must be there.
        repository.flush();
        replaced.fire(new InstrumentReplaced(def.clinicId(), def.code()));
        return Outcome.UPDATED;
    }

    /**
     * Stored ratings keep the totals they were given, so a version that scored answers differently
     * would put totals of two scales into one summary, trend and comparison, with nothing in them
     * to tell which is which. Such a version is refused while ratings of the code are stored; a new
     * scale takes a new code. Before any ratings, a clinic may still correct its scale; ratings
     * scored by the old version but not yet stored are refused by RatingStore, under the lock.
     */
    private void refuseANewScaleForScoredRatings(InstrumentDefinition def, InstrumentDefinition previous) {
        List<String> changed = def.scaleChangesFrom(previous);
        if (!changed.isEmpty() && scored.any(def.clinicId(), def.code())) {
            throw new ProblemException(
                    409,
                    "Conflict",
                    def.code() + " has stored ratings, and this version changes how answers are scored ("
                            + String.join(", ", changed)
                            + "): their totals and the new ones would be mixed in one summary."
                            + " Register the new scale under a new code.",
                    null);
        }
    }

    /** The advisory lock key of one clinic's instrument: {@code hashtext} of it. */
    public static String lockKey(String clinicId, String code) {
        return clinicId + ':' + code;
    }

    /**
     * One clinic's instrument, locked until commit: {@link #register} takes it exclusively (the
     * count gives Hibernate a result it can map), a rating batch shares it with this statement, so
     * no rating is stored under a scale that changed after it was scored. Side by side, so the two
     * cannot come to lock different keys.
     */
    private static final String LOCK_EXCLUSIVE =
            "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext(?1))) AS l";

    public static final String LOCK_SHARED = "SELECT pg_advisory_xact_lock_shared(hashtext(?))";

    private void lock(String key) {
        repository
                .getEntityManager()
                .createNativeQuery(LOCK_EXCLUSIVE)
                .setParameter(1, key)
                .getSingleResult();
    }

    private InstrumentDefinition definition(Instrument row) {
        // A copy: the row is managed, and a change to its map would be written back.
        Map<String, Object> json = new LinkedHashMap<>(row.definition);
        Object order = json.remove(SUBSCALE_ORDER);
        if (order instanceof List<?> names && json.get("subscales") instanceof Map<?, ?> subscales) {
            Map<Object, Object> ordered = new LinkedHashMap<>();
            names.forEach(name -> {
                if (subscales.containsKey(name)) {
                    ordered.put(name, subscales.get(name));
                }
            });
            subscales.forEach(ordered::putIfAbsent);
            json.put("subscales", ordered);
        }
        return mapper.convertValue(json, InstrumentDefinition.class);
    }

    /**
     * The definition as stored. jsonb keeps an object's keys in an order of its own (shorter
     * first), so the order the subscales are reported in is stored beside them, as a list.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> json(InstrumentDefinition def) {
        Map<String, Object> json = mapper.convertValue(def, Map.class);
        if (def.subscales() != null) {
            json.put(SUBSCALE_ORDER, new ArrayList<>(def.subscales().keySet()));
        }
        return json;
    }
}
