/**
 * Post-visit patient ratings: instruments as data, scoring exactly as each instrument's authors
 * publish it, and alliance alerts raised when a rating looks at risk.
 */
package io.rapport.rating;
