/**
 * What the HTTP API's resources declare (addresses, methods, media types), read once from their
 * annotations, for the packages that answer or time requests no resource method took.
 */
package io.rapport.http;
