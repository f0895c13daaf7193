/**
 * Alliance alerts: the below-cutoff and drop-from-previous rules, evaluated set-based over every
 * sequence a write touched ({@code AlertEvaluator}, which raises and resolves), and reading and
 * acknowledging them ({@code AlertStore}).
 */
package io.rapport.alert;
