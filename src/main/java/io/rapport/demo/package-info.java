/** A synthetic clinic for newcomers: seeded once into an empty database in dev mode. */
package io.rapport.demo;
