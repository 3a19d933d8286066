package org.cam.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a CAM service really reads and serves, taken from its own sources (never from a list kept here): the
 * environment names (application.properties expressions and keys, the @ConfigMapping interface, CAM_* names read
 * in code), its HTTP port settings, whether it has SmallRye Health, and the Micrometer metric names it registers.
 */
final class ServiceSources {

    static final List<String> SERVICES = List.of("management-api", "session-broker", "discovery-service",
            "replication-monitor");

    private static final Pattern EXPR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern CAM_LITERAL = Pattern.compile("\"(CAM_[A-Z0-9_]+)\"");
    private static final Pattern METRIC = Pattern.compile(
            "(?:gauge|Gauge\\.builder|Counter\\.builder|Timer\\.builder|counter|timer|DistributionSummary\\.builder)"
                    + "\\(\\s*\"([a-z][a-z0-9_.]*)\"");

    final String module;
    final Path dir;
    final Map<String, String> properties;
    final Set<String> envNames = new TreeSet<>();
    final List<String> envPrefixes = new ArrayList<>();
    final Set<String> metrics = new TreeSet<>();

    private static final Map<String, ServiceSources> CACHE = new HashMap<>();

    static synchronized ServiceSources of(String module) {
        return CACHE.computeIfAbsent(module, ServiceSources::new);
    }

    static Path root() {
        return Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize();
    }

    private ServiceSources(String module) {
        this.module = module;
        this.dir = root().resolve(module);
        Path props = dir.resolve("src/main/resources/application.properties");
        if (!Files.isRegularFile(props)) {
            throw new AssertionError("no " + props + ": is " + module + " still a module of the reactor?");
        }
        this.properties = readProperties(props);
        for (var e : properties.entrySet()) {
            Matcher m = EXPR.matcher(e.getValue());
            while (m.find()) {
                envNames.add(m.group(1));
            }
            if (!e.getKey().contains("\"")) {
                envNames.add(toEnv(e.getKey().replaceFirst("^%[^.]+\\.", "")));
            }
        }
        for (Path java : javaSources()) {
            String src = read(java);
            Matcher lit = CAM_LITERAL.matcher(src);
            while (lit.find()) {
                envNames.add(lit.group(1));
            }
            Matcher met = METRIC.matcher(src);
            while (met.find()) {
                metrics.add(met.group(1).replace('.', '_'));
            }
            if (src.contains("@ConfigMapping")) {
                configMapping(src);
            }
        }
    }

    /** Environment name of a property name (Quarkus rule: non-alphanumerics become _, upper case). */
    static String toEnv(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    /** Environment names whose ${NAME:default} in application.properties has a non-empty default (prod profile). */
    Map<String, String> envDefaults() {
        Map<String, String> out = new java.util.TreeMap<>();
        Pattern p = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):([^}]+)}");
        for (var e : properties.entrySet()) {
            if (e.getKey().startsWith("%") && !e.getKey().startsWith("%prod.")) {
                continue;
            }
            Matcher m = p.matcher(e.getValue());
            while (m.find()) {
                out.put(m.group(1), m.group(2));
            }
        }
        return out;
    }

    boolean readsEnv(String name) {
        return envNames.contains(name) || envPrefixes.stream().anyMatch(name::startsWith);
    }

    /**
     * The health paths this service really serves: /q/health/{live,ready,started} unless its properties move them
     * (quarkus.http.root-path, quarkus.http.non-application-root-path, quarkus.smallrye-health.root-path).
     */
    Set<String> healthPaths() {
        String root = propertyDefault("quarkus.http.root-path").orElse("/");
        String nonApp = propertyDefault("quarkus.http.non-application-root-path").orElse("q");
        String base = nonApp.startsWith("/") ? nonApp : (root.endsWith("/") ? root : root + "/") + nonApp;
        String health = propertyDefault("quarkus.smallrye-health.root-path").orElse("health");
        String h = health.startsWith("/") ? health : base + "/" + health;
        return Set.of(h + "/live", h + "/ready", h + "/started");
    }

    /** Health on the separate management interface (quarkus.management.enabled): its port, else empty. */
    Optional<Integer> managementPort() {
        if (!"true".equals(propertyDefault("quarkus.management.enabled").orElse("false"))) {
            return Optional.empty();
        }
        return parseInt(propertyDefault("quarkus.management.port").orElse("9000"));
    }

    boolean hasHealth() {
        return read(dir.resolve("pom.xml")).contains("<artifactId>quarkus-smallrye-health</artifactId>");
    }

    /**
     * The port Quarkus listens on for the property quarkus.http.port or quarkus.http.ssl-port, resolved against the
     * container's environment: QUARKUS_HTTP_(SSL_)PORT, then the property's ${VAR:default} expression.
     */
    Optional<Integer> httpPort(boolean tls, Map<String, String> env) {
        String key = tls ? "quarkus.http.ssl-port" : "quarkus.http.port";
        String direct = env.get(toEnv(key));
        if (direct != null) {
            return parseInt(direct);
        }
        String v = properties.getOrDefault("%prod." + key, properties.get(key));
        if (v == null) {
            return Optional.of(tls ? 8443 : 8080);
        }
        Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::([^}]*))?}").matcher(v.trim());
        if (m.matches()) {
            String fromEnv = env.get(m.group(1));
            return parseInt(fromEnv != null ? fromEnv : m.group(2));
        }
        return parseInt(v);
    }

    private static Optional<Integer> parseInt(String s) {
        try {
            return s == null ? Optional.empty() : Optional.of(Integer.parseInt(s.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Default of a ${VAR:default} property value, or the literal value. */
    Optional<String> propertyDefault(String key) {
        String v = properties.get(key);
        if (v == null) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("\\$\\{[A-Za-z0-9_]+:([^}]*)}").matcher(v.trim());
        return Optional.of(m.matches() ? m.group(1) : v.trim());
    }

    // ---- @ConfigMapping: the interface tree, as property paths ---------------------------------------------------

    private void configMapping(String src) {
        Matcher p = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"").matcher(src);
        if (!p.find()) {
            return;
        }
        String prefix = p.group(1);
        String code = codeOnly(src);
        Map<String, String> bodies = new LinkedHashMap<>();
        Matcher i = Pattern.compile("interface\\s+(\\w+)[^{]*\\{").matcher(code);
        String root = null;
        while (i.find()) {
            int start = i.end();
            int depth = 1;
            int pos = start;
            while (depth > 0 && pos < code.length()) {
                char c = code.charAt(pos++);
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                }
            }
            bodies.put(i.group(1), code.substring(start, pos - 1));
            if (root == null) {
                root = i.group(1);
            }
        }
        if (root != null) {
            paths(root, prefix, bodies, 0);
        }
    }

    /** Java source without comments and with every string/char literal emptied (so braces and quotes inside do not count). */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && src.charAt(i) != c) {
                    i += src.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static final Pattern METHOD = Pattern.compile(
            "(?:@\\w+(?:\\([^)]*\\))?\\s*)*([\\w.]+(?:<[^;(){}]*>)?)\\s+(\\w+)\\(\\)\\s*;");

    private void paths(String iface, String prefix, Map<String, String> bodies, int depth) {
        String body = topLevel(bodies.get(iface));
        Matcher m = METHOD.matcher(body);
        while (m.find()) {
            String type = m.group(1).replaceAll("\\s", "");
            String name = kebab(m.group(2));
            String path = prefix + "." + name;
            String inner = type.replaceAll("^(Optional|List|Set)<(.*)>$", "$2");
            if (type.startsWith("Map<")) {
                envPrefixes.add(toEnv(path) + "_");
            } else if (bodies.containsKey(inner) && depth < 10) {
                paths(inner, path, bodies, depth + 1);
            } else {
                envNames.add(toEnv(path));
            }
        }
    }

    /** An interface body without its nested interface/enum/record bodies. */
    private static String topLevel(String body) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : body.toCharArray()) {
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString().replaceAll("(?:interface|enum|record)\\s+\\w+[^;]*?(?=\\s|$)", ";");
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    // ---- files -------------------------------------------------------------------------------------------------

    private List<Path> javaSources() {
        Path src = dir.resolve("src/main/java");
        try (Stream<Path> s = Files.walk(src)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** application.properties, with line continuations; values as written (expressions unresolved). */
    static Map<String, String> readProperties(Path p) {
        Map<String, String> out = new LinkedHashMap<>();
        String text = read(p).replaceAll("\\\\\\r?\\n\\s*", "");
        for (String line : text.split("\\r?\\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq < 0) {
                continue;
            }
            out.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
        }
        return out;
    }
}
