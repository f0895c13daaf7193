package io.rapport.security;

/** The roles a token carries in its {@code groups} claim. */
public final class Roles {

    /** Telehealth platforms: post visits and ratings. */
    public static final String INGEST = "ingest";

    /** Clinic managers: read visits, ratings, summaries, trends, providers, drivers, alerts; acknowledge alerts. */
    public static final String ANALYST = "analyst";

    /** Everything an analyst may, plus registering instruments and reading the audit trail. */
    public static final String ADMIN = "admin";

    private Roles() {}
}
