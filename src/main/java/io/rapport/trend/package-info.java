/**
 * What clinic managers read: summaries, time series, provider comparisons, continuity of care and
 * the drivers of patient ratings, computed in PostgreSQL ({@link io.rapport.trend.TrendSql}).
 */
package io.rapport.trend;
