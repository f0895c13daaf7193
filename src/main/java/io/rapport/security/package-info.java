/** Patient pseudonyms now; bearer tokens, roles and per-clinic scopes later. */
package io.rapport.security;
