package io.rapport.support;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.Arc;

/** The service's two connection pools, as a test that broke the database leaves them. */
public final class Pools {

    private Pools() {}

    /**
     * A restarted server or a reset connection ended pooled sessions, and each one costs the
     * request that next draws it one 503 (as the outage tests show): the summary of whichever test
     * class runs next, if the reports pool kept one. Both pools drop them here instead.
     */
    public static void dropBrokenConnections() {
        Arc.container().instance(AgroalDataSource.class).get().flush(AgroalDataSource.FlushMode.INVALID);
        Arc.container()
                .instance(AgroalDataSource.class, new DataSource.DataSourceLiteral("reports"))
                .get()
                .flush(AgroalDataSource.FlushMode.INVALID);
    }
}
