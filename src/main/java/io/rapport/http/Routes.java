package io.rapport.http;

import io.quarkus.arc.Arc;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which methods an address allows, what it can answer with, and which route template it falls
 * under: for a 405 with an {@code Allow} header, a 406 that names the media types on offer, and a
 * metric label for a request no resource method took. The JAX-RS runtime gives none of these for
 * such a request, so the resources' {@code @Path}, method and {@code @Produces} annotations are
 * read once, here, from the resource beans.
 */
public final class Routes {

    private record Route(String template, Pattern path, String method, Set<String> produces, Set<String> query) {}

    private static volatile List<Route> routes;

    private Routes() {}

    /** The HTTP methods the resources at {@code path} accept, sorted; empty when none is known. */
    public static Set<String> allowed(String path) {
        Set<String> out = new TreeSet<>();
        for (Route r : routes()) {
            if (r.path().matcher(path).matches()) {
                out.add(r.method());
            }
        }
        if (out.contains("GET")) {
            out.add("HEAD");
        }
        if (!out.isEmpty()) {
            out.add("OPTIONS");
        }
        return out;
    }

    /** The media types the resources at {@code path} produce; empty when unknown. */
    public static Set<String> produced(String path) {
        Set<String> out = new LinkedHashSet<>();
        for (Route r : routes()) {
            if (r.path().matcher(path).matches()) {
                out.addAll(r.produces());
            }
        }
        return out;
    }

    /** The methods HTTP defines (RFC 9110 and RFC 5789's PATCH). */
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    /**
     * A request's method as it may be kept in a metric label or an audit row: one of HTTP's, or
     * {@code OTHER}. Any token is a method to HTTP, so a caller could send a patient id as one.
     */
    public static String method(String method) {
        return METHODS.contains(method) ? method : "OTHER";
    }

    /**
     * Where a request went, as it may be written in a log line: its route template, or
     * {@code (no route)}. The path itself may hold whatever a caller typed, a patient id included.
     */
    public static String where(String path) {
        String template = template(path);
        return template == null ? "(no route)" : template;
    }

    /** Whether {@code path} is under the API. */
    public static boolean isApi(String path) {
        return path.startsWith("/api/");
    }

    /** Whether {@code text} is the template of one of the API's addresses, braces and all. */
    public static boolean isTemplate(String text) {
        for (Route r : routes()) {
            if (r.template().equals(text)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The template of the resource address {@code path} falls under, such as
     * {@code /api/v1/clinics/{clinicId}/visits/{visitId}}; null when it falls under none.
     */
    public static String template(String path) {
        String matched = withoutMatrixParameters(path);
        for (Route r : routes()) {
            if (r.path().matcher(matched).matches()) {
                return r.template();
            }
        }
        return null;
    }

    private static final Pattern MATRIX_PARAMETERS = Pattern.compile(";[^/]*");

    /**
     * {@code path} as the JAX-RS runtime matches it, each segment's {@code ;…} dropped. Such an
     * address is refused before any resource (MatrixParameterFilter), but its audit row still
     * names the route and clinic it was after, wherever the {@code ;} stood.
     */
    private static String withoutMatrixParameters(String path) {
        return path.indexOf(';') < 0 ? path : MATRIX_PARAMETERS.matcher(path).replaceAll("");
    }

    /**
     * The segment of {@code path} that stands where its route's template has {@code {name}}, decoded
     * as JAX-RS decodes a path parameter (percent-escapes; matrix parameters dropped); null when the
     * path falls under no route or its route has no such parameter.
     */
    public static String pathParameter(String path, String name) {
        String template = template(path);
        if (template == null) {
            return null;
        }
        String[] t = template.split("/");
        String[] p = path.split("/");
        for (int i = 0; i < t.length && i < p.length; i++) {
            if (t[i].equals("{" + name + "}")) {
                String segment = p[i].split(";", 2)[0];
                try {
                    // A '+' is itself in a path, not a space as in a form.
                    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Whether the resource method {@code method} at {@code path} reads the query parameter {@code name}. */
    public static boolean takesQueryParameter(String path, String method, String name) {
        String served = method.equals("HEAD") ? "GET" : method;
        for (Route r : routes()) {
            if (r.method().equals(served)
                    && r.path().matcher(path).matches()
                    && r.query().contains(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The query parameters a resource method reads, sorted: its own {@code @QueryParam}s and
     * those of the fields of its {@code @BeanParam} classes.
     */
    public static Set<String> queryParameters(Method m) {
        Set<String> out = new TreeSet<>();
        Annotation[][] annotations = m.getParameterAnnotations();
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < annotations.length; i++) {
            for (Annotation a : annotations[i]) {
                if (a instanceof QueryParam q) {
                    out.add(q.value());
                } else if (a instanceof BeanParam) {
                    for (Class<?> c = types[i]; c != null && c != Object.class; c = c.getSuperclass()) {
                        for (Field f : c.getDeclaredFields()) {
                            QueryParam q = f.getAnnotation(QueryParam.class);
                            if (q != null) {
                                out.add(q.value());
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<Route> routes() {
        List<Route> known = routes;
        if (known == null) {
            known = scan();
            routes = known;
        }
        return known;
    }

    private static List<Route> scan() {
        List<Route> out = new ArrayList<>();
        for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            Path root = type.getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method m : type.getMethods()) {
                String httpMethod = httpMethod(m);
                if (httpMethod == null) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                String template = join(root.value(), sub == null ? "" : sub.value());
                out.add(new Route(template, regex(template), httpMethod, produces(type, m), queryParameters(m)));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The media types a resource method declares it answers in: its own {@code @Produces}, else its
     * class's, each value split at commas as JAX-RS reads them; empty when neither declares any.
     */
    public static Set<String> produces(Class<?> type, Method m) {
        Produces produces = m.getAnnotation(Produces.class);
        if (produces == null) {
            produces = type.getAnnotation(Produces.class);
        }
        Set<String> out = new LinkedHashSet<>();
        if (produces != null) {
            for (String types : produces.value()) {
                for (String t : types.split(",")) {
                    out.add(t.trim());
                }
            }
        }
        return out;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    private static String join(String a, String b) {
        String left = a.endsWith("/") ? a.substring(0, a.length() - 1) : a;
        String right = b.isEmpty() || b.startsWith("/") ? b : "/" + b;
        String joined = left + right;
        return joined.startsWith("/") ? joined : "/" + joined;
    }

    private static Pattern regex(String template) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{') {
                sb.append("[^/]+");
                i = template.indexOf('}', i) + 1;
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return Pattern.compile(sb + "/?");
    }
}
