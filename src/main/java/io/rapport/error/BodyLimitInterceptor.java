package io.rapport.error;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Counts the bytes of a body that declared no length (chunked) as it is read, and refuses it with
 * a problem+json 413 past quarkus.http.limits.max-body-size: a body that declares its length has
 * been checked by {@link BodyLimitFilter} before it was read. Thrown from inside the read, so the
 * request stops there and nothing of it is stored.
 */
@Provider
class BodyLimitInterceptor implements ReaderInterceptor {

    private final long maxBytes;
    private final HttpServerRequest request;

    BodyLimitInterceptor(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
            HttpServerRequest request) {
        this.maxBytes = maxBodySize.asLongValue();
        this.request = request;
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        if (context.getHeaders().getFirst("Content-Length") == null) {
            context.setInputStream(new Bounded(context.getInputStream(), maxBytes, request.path()));
        }
        return context.proceed();
    }

    private static final class Bounded extends FilterInputStream {

        private final long maxBytes;
        private final String path;
        private long read;

        Bounded(InputStream in, long maxBytes, String path) {
            super(in);
            this.maxBytes = maxBytes;
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) {
            read += n;
            if (read > maxBytes) {
                throw ProblemException.tooLarge(BodyLimitFilter.detail(path, maxBytes));
            }
        }
    }
}
