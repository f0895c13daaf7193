/** RFC 9457 problem+json answers for every error the API can give. */
package io.rapport.error;
