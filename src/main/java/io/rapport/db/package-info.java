/**
 * The embedded PostgreSQL that Rapport starts for itself when no external database is configured,
 * so a machine with only Java can run and test the service.
 */
package io.rapport.db;
