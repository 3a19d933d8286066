package org.cam.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Cross-reference checks over one rendered overlay (plus the rendered Secrets and Prometheus Adapter rules). */
final class Checks {

    record Context(Manifests app, Manifests secrets, Manifests adapter) {
    }

    /** Every check by name; each returns its findings (empty = passes). */
    static final Map<String, Function<Context, List<String>>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("schema", c -> StrictValidator.validate(c.app()));
        ALL.put("namespace", Checks::namespace);
        ALL.put("service-selectors", Checks::serviceSelectors);
        ALL.put("target-ports", Checks::targetPorts);
        ALL.put("published-ports", Checks::publishedPorts);
        ALL.put("probes", Checks::probes);
        ALL.put("references", Checks::references);
        ALL.put("env-names", Checks::envNames);
        ALL.put("credentials", Checks::credentials);
        ALL.put("scaling-targets", Checks::scalingTargets);
        ALL.put("autoscaling-metrics", Checks::autoscalingMetrics);
        ALL.put("network-policies", Checks::networkPolicies);
        ALL.put("peers", Checks::peers);
        ALL.put("security-context", Checks::securityContext);
        ALL.put("resources", Checks::resources);
        ALL.put("broker-drain", Checks::brokerDrain);
        ALL.put("service-monitors", Checks::serviceMonitors);
        ALL.put("rbac", Checks::rbac);
        ALL.put("images", Checks::images);
    }

    static final Set<String> HEALTH_PATHS = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");

    private Checks() {
    }

    /** Findings of every check, by check name (only checks with findings). */
    static Map<String, List<String>> run(Context c) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        ALL.forEach((name, check) -> {
            List<String> f = check.apply(c);
            if (!f.isEmpty()) {
                out.put(name, f);
            }
        });
        return out;
    }

    /** Everything of the suite lives in namespace cam (an overlay's own resources included). */
    static List<String> namespace(Context c) {
        List<String> errors = new ArrayList<>();
        for (ObjectNode o : c.app().objects()) {
            String kind = Manifests.kind(o);
            if (kind.equals("Namespace")) {
                if (!Manifests.name(o).equals("cam")) {
                    errors.add(Manifests.id(o) + ": the suite's namespace is cam");
                }
            } else if (!kind.startsWith("Cluster") && !"cam".equals(o.path("metadata").path("namespace").asText())) {
                errors.add(Manifests.id(o) + ": namespace is '" + o.path("metadata").path("namespace").asText()
                        + "', not cam");
            }
        }
        return errors;
    }

    // ---- Services -------------------------------------------------------------------------------------------

    static List<String> serviceSelectors(Context c) {
        List<String> errors = new ArrayList<>();
        for (ObjectNode svc : c.app().ofKind("Service")) {
            JsonNode spec = svc.path("spec");
            if ("ExternalName".equals(spec.path("type").asText())) {
                continue;
            }
            if (spec.path("selector").isMissingNode() || spec.path("selector").isEmpty()) {
                errors.add(Manifests.id(svc) + ": no selector (only ExternalName Services may have none)");
                continue;
            }
            if (selectedPods(c.app(), spec.path("selector")).isEmpty()) {
                errors.add(Manifests.id(svc) + ": selector " + spec.path("selector") + " matches no pod template");
            }
        }
        return errors;
    }

    static List<Manifests.Pods> selectedPods(Manifests m, JsonNode serviceSelector) {
        return m.pods().stream()
                .filter(p -> p.labelSets().stream().anyMatch(l -> Manifests.selectsMap(serviceSelector, l)))
                .toList();
    }

    static List<String> targetPorts(Context c) {
        List<String> errors = new ArrayList<>();
        for (ObjectNode svc : c.app().ofKind("Service")) {
            JsonNode spec = svc.path("spec");
            List<Manifests.Pods> pods = selectedPods(c.app(), spec.path("selector"));
            if (pods.isEmpty()) {
                continue;
            }
            for (JsonNode port : spec.path("ports")) {
                String protocol = port.path("protocol").asText("TCP");
                JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                for (Manifests.Pods p : pods) {
                    if (resolvePort(p.spec(), null, target, protocol).isEmpty()) {
                        errors.add(Manifests.id(svc) + " port " + port.path("name").asText(port.path("port").asText())
                                + ": targetPort " + target.asText() + "/" + protocol + " is no containerPort of "
                                + p.ownerId());
                    }
                }
            }
        }
        return errors;
    }

    /** The container port number a port reference (name or number) means, in one container or in any. */
    static Optional<Integer> resolvePort(JsonNode podSpec, JsonNode onlyContainer, JsonNode ref, String protocol) {
        List<JsonNode> containers = onlyContainer != null ? List.of(onlyContainer) : Manifests.containers(podSpec);
        for (JsonNode ctr : containers) {
            for (JsonNode cp : ctr.path("ports")) {
                boolean protoOk = protocol == null || cp.path("protocol").asText("TCP").equals(protocol);
                boolean match = ref.isIntegralNumber()
                        ? cp.path("containerPort").asInt() == ref.asInt()
                        : ref.asText().equals(cp.path("name").asText())
                                || ref.asText().equals(cp.path("containerPort").asText());
                if (protoOk && match) {
                    return Optional.of(cp.path("containerPort").asInt());
                }
            }
        }
        return Optional.empty();
    }

    /** The product's published ports (docs/architecture.md): Service -> (port/protocol -> container port). */
    static final Map<String, Map<String, Integer>> PUBLISHED = Map.of(
            "management-api", Map.of("443/TCP", 8443),
            "session-broker", Map.of("901/TCP", 9901, "902/TCP", 9902),
            "discovery-udp", Map.of("3080/UDP", 3080));

    /** Ports a Service may publish besides {@link #PUBLISHED} when a component opts in (components/plain-rfb). */
    static final Map<String, Map<String, Integer>> OPT_IN = Map.of(
            "session-broker", Map.of("900/TCP", 9900));

    /** Ingress flows of the ports table that exist only with an opt-in component, so no policy has to allow them. */
    static final Map<String, Set<String>> OPT_IN_FLOWS = Map.of("session-broker", Set.of("TCP/9900"));

    /** Services whose clients' source addresses matter (audit, lockout, per-source rate limits). */
    static final Set<String> LOCAL_TRAFFIC = Set.of("session-broker", "discovery-udp");

    static List<String> publishedPorts(Context c) {
        List<String> errors = new ArrayList<>();
        PUBLISHED.forEach((name, ports) -> {
            Optional<ObjectNode> svc = c.app().find("Service", name);
            if (svc.isEmpty()) {
                errors.add("Service/" + name + " is missing");
                return;
            }
            JsonNode spec = svc.get().path("spec");
            List<Manifests.Pods> pods = selectedPods(c.app(), spec.path("selector"));
            Map<String, Integer> actual = new HashMap<>();
            for (JsonNode port : spec.path("ports")) {
                String protocol = port.path("protocol").asText("TCP");
                JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                Integer resolved = pods.isEmpty() ? null
                        : resolvePort(pods.get(0).spec(), null, target, protocol).orElse(null);
                actual.put(port.path("port").asText() + "/" + protocol, resolved);
            }
            Map<String, Integer> expected = new HashMap<>(ports);
            OPT_IN.getOrDefault(name, Map.of()).forEach((port, target) -> {
                if (actual.containsKey(port)) {
                    expected.put(port, target);
                }
            });
            if (!actual.equals(expected)) {
                errors.add("Service/" + name + " publishes " + actual + " (port/protocol -> container port); the ports "
                        + "table says " + ports);
            }
            String type = spec.path("type").asText("ClusterIP");
            if (LOCAL_TRAFFIC.contains(name) && !type.equals("ClusterIP")
                    && !"Local".equals(spec.path("externalTrafficPolicy").asText())) {
                errors.add("Service/" + name + ": externalTrafficPolicy must be Local (client addresses)");
            }
        });
        return errors;
    }

    // ---- probes ----------------------------------------------------------------------------------------------

    static List<String> probes(Context c) {
        List<String> errors = new ArrayList<>();
        for (Manifests.Pods p : c.app().pods()) {
            for (JsonNode ctr : p.spec().path("containers")) {
                String where = p.ownerId() + " container " + ctr.path("name").asText();
                boolean cam = ServiceSources.SERVICES.contains(ctr.path("name").asText());
                Map<String, String> env = env(c.app(), ctr);
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    JsonNode pr = ctr.path(probe);
                    if (pr.isMissingNode()) {
                        if (cam || ctr.has("ports")) {
                            errors.add(where + ": no " + probe);
                        }
                        continue;
                    }
                    if (pr.has("httpGet")) {
                        JsonNode http = pr.path("httpGet");
                        String path = http.path("path").asText();
                        boolean tls = "HTTPS".equals(http.path("scheme").asText("HTTP"));
                        Optional<Integer> port = resolvePort(p.spec(), ctr, http.path("port"), "TCP");
                        if (port.isEmpty()) {
                            errors.add(where + " " + probe + ": port " + http.path("port").asText()
                                    + " is no containerPort of this container");
                        }
                        if (cam) {
                            ServiceSources s = ServiceSources.of(ctr.path("name").asText());
                            if (!HEALTH_PATHS.contains(path) || !s.healthPaths().contains(path)) {
                                errors.add(where + " " + probe + ": " + path + " is no health path "
                                        + s.healthPaths());
                            } else if (!s.hasHealth()) {
                                errors.add(where + ": " + s.module + " has no quarkus-smallrye-health, so " + path
                                        + " does not exist");
                            }
                            Optional<Integer> listens = s.managementPort().or(() -> s.httpPort(tls, env));
                            if (port.isPresent() && !port.equals(listens)) {
                                errors.add(where + " " + probe + ": probes port " + port.get() + " but " + s.module
                                        + " serves HTTP" + (tls ? "S" : "") + " on " + listens.map(String::valueOf)
                                        .orElse("?"));
                            }
                        }
                    } else if (pr.has("tcpSocket")) {
                        if (cam) {
                            errors.add(where + " " + probe + ": CAM services are probed on /q/health/*, not TCP");
                        }
                        if (resolvePort(p.spec(), ctr, pr.path("tcpSocket").path("port"), "TCP").isEmpty()) {
                            errors.add(where + " " + probe + ": tcpSocket port is no containerPort");
                        }
                    } else if (cam) {
                        errors.add(where + " " + probe + ": must be an httpGet on /q/health/*");
                    }
                }
            }
        }
        return errors;
    }

    /** A container's environment as the process sees it: envFrom ConfigMaps, then literal env values. */
    static Map<String, String> env(Manifests m, JsonNode ctr) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : ctr.path("envFrom")) {
            String cm = from.path("configMapRef").path("name").asText(null);
            if (cm != null) {
                m.find("ConfigMap", cm).ifPresent(o -> env.putAll(Manifests.strings(o.path("data"))));
            }
            String secret = from.path("secretRef").path("name").asText(null);
            if (secret != null) {
                env.put("(secret " + secret + ")", "");
            }
        }
        for (JsonNode e : ctr.path("env")) {
            env.put(e.path("name").asText(), e.has("value") ? e.path("value").asText() : "(from " + e.path("valueFrom")
                    .fieldNames().next() + ")");
        }
        return env;
    }

    // ---- references ----------------------------------------------------------------------------------------------

    static List<String> references(Context c) {
        List<String> errors = new ArrayList<>();
        for (Manifests.Pods p : c.app().pods()) {
            String owner = p.ownerId();
            String sa = p.spec().path("serviceAccountName").asText(null);
            if (sa != null && c.app().find("ServiceAccount", sa).isEmpty()) {
                errors.add(owner + ": ServiceAccount " + sa + " does not exist");
            }
            for (JsonNode ctr : Manifests.containers(p.spec())) {
                String where = owner + " container " + ctr.path("name").asText();
                for (JsonNode e : ctr.path("env")) {
                    JsonNode from = e.path("valueFrom");
                    ref(c, "Secret", from.path("secretKeyRef"), where + " env " + e.path("name").asText(), errors);
                    ref(c, "ConfigMap", from.path("configMapKeyRef"), where + " env " + e.path("name").asText(), errors);
                }
                for (JsonNode f : ctr.path("envFrom")) {
                    ref(c, "Secret", f.path("secretRef"), where + " envFrom", errors);
                    ref(c, "ConfigMap", f.path("configMapRef"), where + " envFrom", errors);
                }
                Set<String> volumes = new HashSet<>();
                p.spec().path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
                c.app().objects().stream().filter(o -> o == p.owner()).findFirst().ifPresent(o -> o.path("spec")
                        .path("volumeClaimTemplates").forEach(v -> volumes.add(v.path("metadata").path("name").asText())));
                for (JsonNode vm : ctr.path("volumeMounts")) {
                    if (!volumes.contains(vm.path("name").asText())) {
                        errors.add(where + ": volumeMount " + vm.path("name").asText() + " names no volume");
                    }
                }
            }
            for (JsonNode v : p.spec().path("volumes")) {
                String where = owner + " volume " + v.path("name").asText();
                if (v.has("secret")) {
                    volumeRef(c, "Secret", v.path("secret").path("secretName").asText(), v.path("secret"), where, errors);
                }
                if (v.has("configMap")) {
                    volumeRef(c, "ConfigMap", v.path("configMap").path("name").asText(), v.path("configMap"), where,
                            errors);
                }
            }
        }
        return errors;
    }

    private static Optional<ObjectNode> lookup(Context c, String kind, String name) {
        Optional<ObjectNode> o = c.app().find(kind, name);
        if (o.isEmpty() && kind.equals("Secret") && c.secrets() != null) {
            o = c.secrets().find(kind, name);
        }
        return o;
    }

    private static Set<String> keys(JsonNode obj) {
        Set<String> keys = new TreeSet<>();
        obj.path("data").fieldNames().forEachRemaining(keys::add);
        obj.path("stringData").fieldNames().forEachRemaining(keys::add);
        obj.path("binaryData").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static void ref(Context c, String kind, JsonNode r, String where, List<String> errors) {
        if (r.isMissingNode() || r.path("optional").asBoolean(false)) {
            return;
        }
        String name = r.path("name").asText();
        Optional<ObjectNode> o = lookup(c, kind, name);
        if (o.isEmpty()) {
            errors.add(where + ": " + kind + " " + name + " does not exist");
        } else if (r.has("key") && !keys(o.get()).contains(r.path("key").asText())) {
            errors.add(where + ": " + kind + " " + name + " has no key " + r.path("key").asText() + " (has "
                    + keys(o.get()) + ")");
        }
    }

    private static void volumeRef(Context c, String kind, String name, JsonNode v, String where, List<String> errors) {
        if (v.path("optional").asBoolean(false)) {
            return;
        }
        Optional<ObjectNode> o = lookup(c, kind, name);
        if (o.isEmpty()) {
            errors.add(where + ": " + kind + " " + name + " does not exist");
            return;
        }
        for (JsonNode item : v.path("items")) {
            if (!keys(o.get()).contains(item.path("key").asText())) {
                errors.add(where + ": " + kind + " " + name + " has no key " + item.path("key").asText());
            }
        }
    }

    // ---- environment names -----------------------------------------------------------------------------------

    /** JVM settings of the images (the UBI run script reads JAVA_MAX_MEM_RATIO and JAVA_OPTS_APPEND; the JVM JAVA_TOOL_OPTIONS). */
    static final Set<String> JVM_ENV = Set.of("JAVA_MAX_MEM_RATIO", "JAVA_OPTS_APPEND", "JAVA_TOOL_OPTIONS");

    static List<String> envNames(Context c) {
        List<String> errors = new ArrayList<>();
        for (Manifests.Pods p : c.app().pods()) {
            for (JsonNode ctr : Manifests.containers(p.spec())) {
                String name = ctr.path("name").asText();
                String where = p.ownerId() + " container " + name;
                Set<String> names = new TreeSet<>(env(c.app(), ctr).keySet());
                names.removeIf(n -> n.startsWith("(secret "));
                if (ServiceSources.SERVICES.contains(name)) {
                    ServiceSources s = ServiceSources.of(name);
                    for (String n : names) {
                        if (!JVM_ENV.contains(n) && !s.readsEnv(n) && !quarkusKnown(s, n)) {
                            errors.add(where + ": " + n + " is read by nothing in " + s.module
                                    + " (application.properties, @ConfigMapping, code)");
                        }
                    }
                } else {
                    // Not one of ours (MySQL, primary-pointer): each name must be used by a script mounted into the pod.
                    String scripts = mountedConfigText(c.app(), p.spec());
                    for (String n : names) {
                        if (!scripts.contains(n)) {
                            errors.add(where + ": " + n + " is used by no script mounted into the pod");
                        }
                    }
                }
            }
        }
        return errors;
    }

    /** Credentials whose application.properties default is the local demo's: a deployment must set every one. */
    static final Pattern CREDENTIAL = Pattern.compile(".*(PASSWORD|TOKEN|SECRET|_KEY|_HASH)$");

    static List<String> credentials(Context c) {
        List<String> errors = new ArrayList<>();
        for (Manifests.Pods p : c.app().pods()) {
            for (JsonNode ctr : p.spec().path("containers")) {
                String name = ctr.path("name").asText();
                if (!ServiceSources.SERVICES.contains(name)) {
                    continue;
                }
                Map<String, String> env = env(c.app(), ctr);
                ServiceSources.of(name).envDefaults().forEach((var, def) -> {
                    if (CREDENTIAL.matcher(var).matches() && !env.containsKey(var)) {
                        errors.add(p.ownerId() + " container " + name + ": " + var + " is not set, so the demo default '"
                                + def + "' would be used");
                    }
                });
            }
        }
        return errors;
    }

    private static boolean quarkusKnown(ServiceSources s, String env) {
        if (!env.startsWith("QUARKUS_")) {
            return false;
        }
        // A named TLS configuration: QUARKUS_TLS__<NAME>__<REST> needs quarkus.tls.<name>.* in the service. Inside
        // the quoted segment SmallRye reads _ as a dot (never a dash), so ..._MANAGEMENT_API__ names "management.api".
        Matcher m = Pattern.compile("QUARKUS_TLS__([A-Z0-9_]+?)__[A-Z0-9_]+").matcher(env);
        if (m.matches()) {
            String tlsName = m.group(1).toLowerCase().replace('_', '.');
            return s.properties.keySet().stream().anyMatch(k -> k.startsWith("quarkus.tls." + tlsName + "."));
        }
        return s.properties.keySet().stream().map(k -> ServiceSources.toEnv(k.replaceFirst("^%[^.]+\\.", "")))
                .anyMatch(env::equals);
    }

    private static String mountedConfigText(Manifests m, JsonNode podSpec) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode v : podSpec.path("volumes")) {
            String cm = v.path("configMap").path("name").asText(null);
            if (cm != null) {
                m.find("ConfigMap", cm).ifPresent(o -> o.path("data").forEach(d -> sb.append(d.asText()).append('\n')));
            }
        }
        return sb.toString();
    }

    // ---- scaling -----------------------------------------------------------------------------------------------

    static List<String> scalingTargets(Context c) {
        List<String> errors = new ArrayList<>();
        for (ObjectNode hpa : c.app().ofKind("HorizontalPodAutoscaler")) {
            JsonNode ref = hpa.path("spec").path("scaleTargetRef");
            Optional<ObjectNode> target = c.app().find(ref.path("kind").asText(), ref.path("name").asText());
            if (target.isEmpty()) {
                errors.add(Manifests.id(hpa) + ": scale target " + ref.path("kind").asText() + "/"
                        + ref.path("name").asText() + " does not exist");
            } else if (target.get().path("spec").has("replicas")) {
                errors.add(Manifests.id(hpa) + ": " + Manifests.id(target.get())
                        + " sets spec.replicas, which every apply would reset under the autoscaler");
            }
        }
        for (ObjectNode so : c.app().ofKind("ScaledObject")) {
            JsonNode ref = so.path("spec").path("scaleTargetRef");
            if (c.app().find(ref.path("kind").asText("Deployment"), ref.path("name").asText()).isEmpty()) {
                errors.add(Manifests.id(so) + ": scale target " + ref.path("name").asText() + " does not exist");
            }
        }
        for (ObjectNode pdb : c.app().ofKind("PodDisruptionBudget")) {
            JsonNode sel = pdb.path("spec").path("selector");
            List<Manifests.Pods> pods = c.app().pods().stream()
                    .filter(p -> p.labelSets().stream().anyMatch(l -> Manifests.selects(sel, l))).toList();
            if (pods.isEmpty()) {
                errors.add(Manifests.id(pdb) + ": selector matches no workload");
            }
            for (Manifests.Pods p : pods) {
                int replicas = p.owner().path("spec").path("replicas").asInt(-1);
                JsonNode min = pdb.path("spec").path("minAvailable");
                if (replicas >= 0 && min.isIntegralNumber() && min.asInt() >= replicas) {
                    errors.add(Manifests.id(pdb) + ": minAvailable " + min.asInt() + " with " + replicas
                            + " replica(s) of " + p.ownerId() + " blocks every node drain");
                }
            }
        }
        return errors;
    }

    static List<String> autoscalingMetrics(Context c) {
        List<String> errors = new ArrayList<>();
        Set<String> exported = new TreeSet<>();
        ServiceSources.SERVICES.forEach(s -> exported.addAll(ServiceSources.of(s).metrics));
        Set<String> served = new TreeSet<>();
        if (c.adapter() != null) {
            for (ObjectNode cm : c.adapter().ofKind("ConfigMap")) {
                String config = cm.path("data").path("config.yaml").asText("");
                try {
                    JsonNode rules = Manifests.YAML.readTree(config).path("rules");
                    for (JsonNode r : rules) {
                        String series = r.path("seriesQuery").asText();
                        Matcher m = Pattern.compile("^'?([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(series);
                        String metric = m.find() ? m.group(1) : "";
                        if (!exported.contains(metric)) {
                            errors.add("Prometheus Adapter rule " + series + ": no CAM service exports that metric "
                                    + exported);
                        }
                        served.add(r.path("name").path("as").asText(metric));
                    }
                } catch (Exception e) {
                    errors.add("Prometheus Adapter config does not parse: " + e.getMessage());
                }
            }
        }
        for (ObjectNode hpa : c.app().ofKind("HorizontalPodAutoscaler")) {
            for (JsonNode metric : hpa.path("spec").path("metrics")) {
                if (metric.path("type").asText().equals("Pods")) {
                    String name = metric.path("pods").path("metric").path("name").asText();
                    if (!served.contains(name)) {
                        errors.add(Manifests.id(hpa) + ": metric " + name + " is served by no Prometheus Adapter rule "
                                + served);
                    }
                }
            }
        }
        for (ObjectNode so : c.app().ofKind("ScaledObject")) {
            for (JsonNode t : so.path("spec").path("triggers")) {
                if (t.path("type").asText().equals("prometheus")) {
                    Matcher m = Pattern.compile("\\b(cam_[a-z0-9_]+)").matcher(t.path("metadata").path("query").asText());
                    while (m.find()) {
                        if (!exported.contains(m.group(1))) {
                            errors.add(Manifests.id(so) + ": query uses " + m.group(1) + ", which no service exports");
                        }
                    }
                }
            }
        }
        return errors;
    }

    // ---- network policies ------------------------------------------------------------------------------------

    /** The ports table, per pod (app.kubernetes.io/name) and direction: "PROTOCOL/port[-endPort]". */
    static final Map<String, Set<String>> INGRESS = Map.of(
            "management-api", Set.of("TCP/8443"),
            "session-broker", Set.of("TCP/9900", "TCP/9901", "TCP/9902", "TCP/8082"),
            "discovery-service", Set.of("UDP/3080", "TCP/8081"),
            "replication-monitor", Set.of("TCP/8083"),
            "cam-mysql", Set.of("TCP/3306"));
    static final Map<String, Set<String>> EGRESS = Map.of(
            "management-api", Set.of("TCP/3306", "TCP/389", "TCP/636", "TCP/443", "TCP/8083", "TCP/8081"),
            "session-broker", Set.of("TCP/5900-5999", "TCP/8443", "TCP/443", "TCP/6443"),
            "discovery-service", Set.of("UDP/3080", "UDP/3081", "TCP/8443"),
            "replication-monitor", Set.of("TCP/3306", "TCP/8443", "TCP/443", "TCP/6443"),
            "cam-mysql", Set.of("TCP/3306", "TCP/8083"));
    static final Set<String> DNS = Set.of("UDP/53", "TCP/53");

    static List<String> networkPolicies(Context c) {
        List<String> errors = new ArrayList<>();
        List<ObjectNode> policies = c.app().ofKind("NetworkPolicy");
        boolean defaultDeny = policies.stream().anyMatch(p -> p.path("spec").path("podSelector").isEmpty()
                && p.path("spec").path("ingress").isMissingNode() && p.path("spec").path("egress").isMissingNode()
                && p.path("spec").path("policyTypes").toString().contains("Ingress")
                && p.path("spec").path("policyTypes").toString().contains("Egress"));
        if (!defaultDeny) {
            errors.add("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)");
        }
        Map<String, Set<String>> allowedIn = new HashMap<>();
        Map<String, Set<String>> allowedOut = new HashMap<>();
        Set<String> apps = new TreeSet<>();
        for (Manifests.Pods p : c.app().pods()) {
            if (!p.spec().path("hostNetwork").asBoolean(false)) {
                apps.add(p.labelSets().get(0).get("app.kubernetes.io/name"));
            }
        }
        for (ObjectNode pol : policies) {
            JsonNode sel = pol.path("spec").path("podSelector");
            List<Manifests.Pods> selected = c.app().pods().stream()
                    .filter(p -> !p.spec().path("hostNetwork").asBoolean(false))
                    .filter(p -> p.labelSets().stream().anyMatch(l -> sel.isEmpty() || Manifests.selects(sel, l)))
                    .toList();
            if (selected.isEmpty()) {
                errors.add(Manifests.id(pol) + ": podSelector selects no pod");
            }
            for (String dir : List.of("ingress", "egress")) {
                for (JsonNode rule : pol.path("spec").path(dir)) {
                    if (!rule.has("ports")) {
                        errors.add(Manifests.id(pol) + " " + dir + ": a rule without ports opens every port");
                        continue;
                    }
                    for (JsonNode port : rule.path("ports")) {
                        String key = port.path("protocol").asText("TCP") + "/" + port.path("port").asText()
                                + (port.has("endPort") ? "-" + port.path("endPort").asText() : "");
                        for (Manifests.Pods p : selected) {
                            String app = p.labelSets().get(0).get("app.kubernetes.io/name");
                            Set<String> table = (dir.equals("ingress") ? INGRESS : EGRESS).getOrDefault(app, Set.of());
                            boolean dns = dir.equals("egress") && DNS.contains(key) && sel.isEmpty();
                            if (!dns && !table.contains(key)) {
                                errors.add(Manifests.id(pol) + " " + dir + " " + key + " for " + app
                                        + ": not in the ports table " + table);
                            }
                            if (dir.equals("ingress") && resolvePort(p.spec(), null, port.path("port"),
                                    port.path("protocol").asText("TCP")).isEmpty()) {
                                errors.add(Manifests.id(pol) + " ingress " + key + ": no containerPort of " + app);
                            }
                            (dir.equals("ingress") ? allowedIn : allowedOut).computeIfAbsent(app, a -> new HashSet<>())
                                    .add(key);
                        }
                    }
                }
            }
        }
        for (String app : apps) {
            Set<String> missingIn = new TreeSet<>(INGRESS.getOrDefault(app, Set.of()));
            missingIn.removeAll(allowedIn.getOrDefault(app, Set.of()));
            missingIn.removeAll(OPT_IN_FLOWS.getOrDefault(app, Set.of()));
            Set<String> missingOut = new TreeSet<>(EGRESS.getOrDefault(app, Set.of()));
            missingOut.removeAll(allowedOut.getOrDefault(app, Set.of()));
            if (!INGRESS.containsKey(app)) {
                errors.add(app + ": pods with no row in the ports table");
            }
            if (!missingIn.isEmpty() || !missingOut.isEmpty()) {
                errors.add(app + ": flows of the ports table no policy allows: ingress " + missingIn + ", egress "
                        + missingOut);
            }
            if (!allowedOut.getOrDefault(app, Set.of()).containsAll(DNS)) {
                errors.add(app + ": no DNS egress");
            }
        }
        return errors;
    }

    // ---- management-api's peers ---------------------------------------------------------------------------------

    /**
     * management-api's pages call replication-monitor and discovery-service: URL variable, the token variable it sends
     * there, and the variable with which that peer accepts it.
     */
    record Peer(String app, String urlEnv, String tokenEnv, String acceptedEnv) {
    }

    static final List<Peer> PEERS = List.of(
            new Peer("replication-monitor", "CAM_REPLICATION_MONITOR_URL", "CAM_REPLICATION_MONITOR_TOKEN",
                    "CAM_REPLICATION_MONITOR_TOKEN"),
            new Peer("discovery-service", "CAM_DISCOVERY_URL", "CAM_DISCOVERY_TOKEN", "CAM_DISCOVERY_FORWARD_TOKEN"));

    /**
     * For each peer that is deployed: management-api's URL names a Service and port that reach the peer's pods, the
     * NetworkPolicies let the flow out of management-api and into the peer (for a host-network peer, which no pod
     * selector matches, an ipBlock egress rule on that port), and the token management-api sends is the same Secret
     * key the peer accepts. A URL to a peer that is not deployed is a finding too (the page would time out instead of
     * saying "not configured").
     */
    static List<String> peers(Context c) {
        List<String> errors = new ArrayList<>();
        Manifests m = c.app();
        List<Manifests.Pods> apis = m.pods().stream().filter(p -> app(p).equals("management-api")).toList();
        for (Manifests.Pods api : apis) {
            JsonNode ctr = Manifests.containers(api.spec()).get(0);
            Map<String, String> env = env(m, ctr);
            for (Peer peer : PEERS) {
                boolean deployed = m.pods().stream().anyMatch(p -> app(p).startsWith(peer.app()));
                String url = env.get(peer.urlEnv());
                if (url == null || url.isBlank()) {
                    if (deployed) {
                        errors.add(api.ownerId() + ": " + peer.app() + " is deployed but " + peer.urlEnv()
                                + " is not set");
                    }
                    continue;
                }
                java.net.URI uri = java.net.URI.create(url);
                String service = uri.getHost() == null ? "" : uri.getHost().split("\\.")[0];
                int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
                Optional<ObjectNode> svc = m.find("Service", service);
                if (svc.isEmpty()) {
                    errors.add(api.ownerId() + ": " + peer.urlEnv() + "=" + url + " names no Service");
                    continue;
                }
                JsonNode svcPort = null;
                for (JsonNode sp : svc.get().path("spec").path("ports")) {
                    if (sp.path("port").asInt() == port) {
                        svcPort = sp;
                    }
                }
                List<Manifests.Pods> targets = selectedPods(m, svc.get().path("spec").path("selector"));
                if (svcPort == null || targets.isEmpty()) {
                    errors.add(api.ownerId() + ": " + peer.urlEnv() + "=" + url + ": Service " + service
                            + " has no port " + port + " or selects no pod");
                    continue;
                }
                for (Manifests.Pods target : targets) {
                    if (!app(target).startsWith(peer.app())) {
                        errors.add(api.ownerId() + ": " + peer.urlEnv() + " reaches " + target.ownerId() + ", not "
                                + peer.app());
                        continue;
                    }
                    JsonNode ref = svcPort.has("targetPort") ? svcPort.path("targetPort") : svcPort.path("port");
                    int containerPort = resolvePort(target.spec(), null, ref, "TCP").orElse(-1);
                    boolean host = target.spec().path("hostNetwork").asBoolean(false);
                    if (!allows(m, api, "egress", target, containerPort, host)) {
                        errors.add("no NetworkPolicy lets management-api out to " + target.ownerId() + " on TCP/"
                                + containerPort + (host ? " (host network: an ipBlock rule)" : ""));
                    }
                    if (!host && !allows(m, target, "ingress", api, containerPort, false)) {
                        errors.add("no NetworkPolicy lets management-api into " + target.ownerId() + " on TCP/"
                                + containerPort);
                    }
                    String sent = secretRef(ctr, peer.tokenEnv());
                    String accepted = secretRef(Manifests.containers(target.spec()).get(0), peer.acceptedEnv());
                    if (sent == null || !sent.equals(accepted)) {
                        errors.add(api.ownerId() + ": " + peer.tokenEnv() + " from " + sent + ", but "
                                + target.ownerId() + " accepts " + peer.acceptedEnv() + " from " + accepted);
                    }
                }
            }
        }
        return errors;
    }

    private static String app(Manifests.Pods p) {
        return p.labelSets().get(0).getOrDefault("app.kubernetes.io/name", "");
    }

    private static String secretRef(JsonNode ctr, String env) {
        for (JsonNode e : ctr.path("env")) {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (e.path("name").asText().equals(env) && !ref.isMissingNode()) {
                return ref.path("name").asText() + "/" + ref.path("key").asText();
            }
        }
        return null;
    }

    /**
     * Whether a policy selecting {@code self} has a {@code dir} rule on TCP {@code port} whose peer selects
     * {@code other}'s pods (for a host-network {@code other}: any ipBlock peer, the only kind that can match it).
     */
    private static boolean allows(Manifests m, Manifests.Pods self, String dir, Manifests.Pods other, int port,
                                  boolean hostPeer) {
        for (ObjectNode pol : m.ofKind("NetworkPolicy")) {
            JsonNode sel = pol.path("spec").path("podSelector");
            if (self.labelSets().stream().noneMatch(l -> sel.isEmpty() || Manifests.selects(sel, l))) {
                continue;
            }
            for (JsonNode rule : pol.path("spec").path(dir)) {
                boolean portOk = false;
                for (JsonNode pp : rule.path("ports")) {
                    portOk |= pp.path("protocol").asText("TCP").equals("TCP") && pp.path("port").asInt() == port;
                }
                if (!portOk) {
                    continue;
                }
                for (JsonNode peer : rule.path(dir.equals("egress") ? "to" : "from")) {
                    if (hostPeer ? peer.has("ipBlock") : peer.has("podSelector") && !peer.has("namespaceSelector")
                            && other.labelSets().stream().anyMatch(l -> Manifests.selects(peer.path("podSelector"), l))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // ---- security, resources ---------------------------------------------------------------------------------

    static List<String> securityContext(Context c) {
        List<String> errors = new ArrayList<>();
        for (Manifests.Pods p : c.app().pods()) {
            JsonNode pod = p.spec().path("securityContext");
            for (JsonNode ctr : Manifests.containers(p.spec())) {
                String where = p.ownerId() + " container " + ctr.path("name").asText();
                JsonNode sc = ctr.path("securityContext");
                if (!(sc.path("runAsNonRoot").asBoolean(false) || (!sc.has("runAsNonRoot")
                        && pod.path("runAsNonRoot").asBoolean(false)))) {
                    errors.add(where + ": runAsNonRoot is not true");
                }
                JsonNode uid = sc.has("runAsUser") ? sc.path("runAsUser") : pod.path("runAsUser");
                if (uid.isIntegralNumber() && uid.asInt() == 0) {
                    errors.add(where + ": runAsUser 0");
                }
                if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                    errors.add(where + ": readOnlyRootFilesystem is not true");
                }
                if (!sc.path("allowPrivilegeEscalation").isBoolean() || sc.path("allowPrivilegeEscalation").asBoolean()) {
                    errors.add(where + ": allowPrivilegeEscalation is not false");
                }
                boolean dropAll = false;
                for (JsonNode d : sc.path("capabilities").path("drop")) {
                    dropAll |= d.asText().equals("ALL");
                }
                if (!dropAll || sc.path("capabilities").has("add")) {
                    errors.add(where + ": capabilities must drop ALL and add none");
                }
                String seccomp = sc.path("seccompProfile").path("type").asText(
                        pod.path("seccompProfile").path("type").asText(""));
                if (!seccomp.equals("RuntimeDefault")) {
                    errors.add(where + ": seccompProfile is not RuntimeDefault");
                }
                if (sc.path("privileged").asBoolean(false)) {
                    errors.add(where + ": privileged");
                }
            }
        }
        return errors;
    }

    static List<String> resources(Context c) {
        List<String> errors = new ArrayList<>();
        for (Manifests.Pods p : c.app().pods()) {
            for (JsonNode ctr : Manifests.containers(p.spec())) {
                JsonNode r = ctr.path("resources");
                for (String k : List.of("requests", "limits")) {
                    for (String res : List.of("cpu", "memory")) {
                        if (!r.path(k).has(res)) {
                            errors.add(p.ownerId() + " container " + ctr.path("name").asText() + ": no " + k + "." + res);
                        }
                    }
                }
            }
        }
        return errors;
    }

    // ---- broker drain ----------------------------------------------------------------------------------------

    static List<String> brokerDrain(Context c) {
        List<String> errors = new ArrayList<>();
        Optional<ObjectNode> d = c.app().find("Deployment", "session-broker");
        if (d.isEmpty()) {
            return List.of("Deployment/session-broker is missing");
        }
        JsonNode pod = d.get().path("spec").path("template").path("spec");
        JsonNode ctr = null;
        for (JsonNode x : pod.path("containers")) {
            if (x.path("name").asText().equals("session-broker")) {
                ctr = x;
            }
        }
        if (ctr == null) {
            return List.of("Deployment/session-broker has no container session-broker");
        }
        ServiceSources s = ServiceSources.of("session-broker");
        Map<String, String> env = env(c.app(), ctr);
        Duration grace = duration(env.getOrDefault("CAM_BROKER_DRAIN_GRACE",
                s.propertyDefault("cam.broker.drain-grace").orElse("30s")));
        Duration shutdown = duration(env.getOrDefault("CAM_BROKER_SHUTDOWN_TIMEOUT",
                env.getOrDefault("QUARKUS_SHUTDOWN_TIMEOUT", s.propertyDefault("quarkus.shutdown.timeout").orElse("0s"))));
        long termination = pod.path("terminationGracePeriodSeconds").asLong(30);
        if (termination < grace.toSeconds()) {
            errors.add("session-broker: terminationGracePeriodSeconds " + termination + " < drain grace " + grace
                    + ": Kubernetes would kill sessions before their grace ends");
        }
        if (shutdown.compareTo(grace) <= 0) {
            errors.add("session-broker: Quarkus shutdown timeout " + shutdown + " must exceed the drain grace " + grace);
        }
        if (termination < shutdown.toSeconds()) {
            errors.add("session-broker: terminationGracePeriodSeconds " + termination + " < shutdown timeout " + shutdown);
        }
        return errors;
    }

    static Duration duration(String s) {
        String v = s.trim();
        if (v.startsWith("P") || v.startsWith("p")) {
            return Duration.parse(v);
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(v);
        if (!m.matches()) {
            throw new AssertionError("not a duration: " + s);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    // ---- monitoring, RBAC, images --------------------------------------------------------------------------

    static List<String> serviceMonitors(Context c) {
        List<String> errors = new ArrayList<>();
        for (ObjectNode sm : c.app().ofKind("ServiceMonitor")) {
            JsonNode sel = sm.path("spec").path("selector");
            List<ObjectNode> services = c.app().ofKind("Service").stream()
                    .filter(s -> Manifests.selects(sel, Manifests.strings(s.path("metadata").path("labels")))).toList();
            if (services.isEmpty()) {
                errors.add(Manifests.id(sm) + ": selects no Service");
            }
            for (JsonNode ep : sm.path("spec").path("endpoints")) {
                String port = ep.path("port").asText();
                boolean found = services.stream().anyMatch(s -> {
                    for (JsonNode p : s.path("spec").path("ports")) {
                        if (p.path("name").asText().equals(port)) {
                            return true;
                        }
                    }
                    return false;
                });
                if (!found) {
                    errors.add(Manifests.id(sm) + ": endpoint port " + port + " is on none of the selected Services");
                }
            }
        }
        return errors;
    }

    /**
     * The only RBAC in the suite, each Role exactly as narrow as its user needs: replication-monitor may get and patch
     * the cam-db-primary Service; session-broker may patch pods (its own pod's deletion cost; RBAC cannot name a pod
     * a ReplicaSet has yet to create), nothing else, no read.
     */
    static final Map<String, String> ROLES = Map.of(
            "replication-monitor", "[{apiGroups: [''], resources: [services], resourceNames: [cam-db-primary], "
                    + "verbs: [get, patch]}]",
            "session-broker", "[{apiGroups: [''], resources: [pods], verbs: [patch]}]");

    static List<String> rbac(Context c) {
        List<String> errors = new ArrayList<>();
        if (!c.app().ofKind("ClusterRole").isEmpty() || !c.app().ofKind("ClusterRoleBinding").isEmpty()) {
            errors.add("cluster-wide RBAC in the suite: " + c.app().ofKind("ClusterRole"));
        }
        for (ObjectNode role : c.app().ofKind("Role")) {
            String name = role.path("metadata").path("name").asText();
            if (!ROLES.containsKey(name)) {
                errors.add(Manifests.id(role) + ": a Role the suite does not know (" + ROLES.keySet() + ")");
                continue;
            }
            JsonNode expected;
            try {
                expected = Manifests.YAML.readTree(ROLES.get(name));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            if (!role.path("rules").equals(expected)) {
                errors.add(Manifests.id(role) + ": rules " + role.path("rules") + " are not exactly " + expected);
            }
        }
        for (ObjectNode rb : c.app().ofKind("RoleBinding")) {
            String roleName = rb.path("roleRef").path("name").asText();
            if (c.app().find("Role", roleName).isEmpty()) {
                errors.add(Manifests.id(rb) + ": Role " + roleName + " does not exist");
                continue;
            }
            for (JsonNode subject : rb.path("subjects")) {
                String sa = subject.path("name").asText();
                if (c.app().find("ServiceAccount", sa).isEmpty()) {
                    errors.add(Manifests.id(rb) + ": subject " + sa + " does not exist");
                } else if (!sa.equals(roleName)) {
                    // each Role is for the one workload of its name: no Role lent to another ServiceAccount
                    errors.add(Manifests.id(rb) + ": binds Role " + roleName + " to ServiceAccount " + sa);
                }
            }
        }
        if (c.app().find("Role", "replication-monitor").isPresent()
                && c.app().find("Service", "cam-db-primary").isEmpty()) {
            errors.add("Role replication-monitor: Service cam-db-primary does not exist");
        }
        for (String app : ROLES.keySet()) {
            boolean bound = c.app().ofKind("RoleBinding").stream()
                    .anyMatch(rb -> rb.path("roleRef").path("name").asText().equals(app));
            if (c.app().find("Deployment", app).isPresent() && !bound) {
                errors.add(app + " runs but no RoleBinding gives it its Role");
            }
        }
        return errors;
    }

    static List<String> images(Context c) {
        List<String> errors = new ArrayList<>();
        for (Manifests.Pods p : c.app().pods()) {
            for (JsonNode ctr : Manifests.containers(p.spec())) {
                String image = ctr.path("image").asText();
                String where = p.ownerId() + " container " + ctr.path("name").asText();
                String last = image.substring(image.lastIndexOf('/') + 1);
                if (!last.contains(":") && !image.contains("@sha256:")) {
                    errors.add(where + ": image " + image + " has no tag (set it through kustomize images:)");
                } else if (last.endsWith(":latest")) {
                    errors.add(where + ": image " + image + " uses :latest");
                }
                if (image.startsWith("cam/")) {
                    errors.add(where + ": image " + image + " was not renamed by kustomize images:");
                }
            }
        }
        return errors;
    }
}
