package org.cam.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The objects of one rendering, with the look-ups the checks need. */
record Manifests(String name, List<ObjectNode> objects) {

    static final YAMLMapper YAML = new YAMLMapper();

    static Manifests parse(String name, String yaml) {
        List<ObjectNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n == null || n.isNull() || n.isMissingNode()) {
                    continue;
                }
                if (!n.isObject()) {
                    throw new AssertionError(name + ": a document is not a mapping: " + n);
                }
                out.add((ObjectNode) n);
            }
        } catch (IOException e) {
            throw new AssertionError(name + ": rendered YAML does not parse: " + e.getMessage(), e);
        }
        return new Manifests(name, out);
    }

    static String kind(JsonNode o) {
        return o.path("kind").asText();
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    static String id(JsonNode o) {
        return kind(o) + "/" + name(o);
    }

    List<ObjectNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(kind(o))).toList();
    }

    Optional<ObjectNode> find(String kind, String name) {
        return objects.stream().filter(o -> kind.equals(kind(o)) && name.equals(name(o))).findFirst();
    }

    /** A pod template (or StatefulSet pod) with the labels its pods carry. */
    record Pods(ObjectNode owner, JsonNode spec, List<Map<String, String>> labelSets) {
        String ownerId() {
            return id(owner);
        }
    }

    /**
     * Every pod-producing workload. StatefulSet pods also carry statefulset.kubernetes.io/pod-name = name-ordinal,
     * set by the controller, so each ordinal is a label set of its own.
     */
    List<Pods> pods() {
        List<Pods> out = new ArrayList<>();
        for (ObjectNode o : objects) {
            String k = kind(o);
            if (!List.of("Deployment", "StatefulSet", "DaemonSet", "Job").contains(k)) {
                continue;
            }
            JsonNode tpl = o.path("spec").path("template");
            Map<String, String> labels = strings(tpl.path("metadata").path("labels"));
            List<Map<String, String>> sets = new ArrayList<>();
            if (k.equals("StatefulSet")) {
                int replicas = o.path("spec").path("replicas").asInt(1);
                for (int i = 0; i < replicas; i++) {
                    Map<String, String> l = new LinkedHashMap<>(labels);
                    l.put("statefulset.kubernetes.io/pod-name", name(o) + "-" + i);
                    sets.add(l);
                }
            } else {
                sets.add(labels);
            }
            out.add(new Pods(o, tpl.path("spec"), sets));
        }
        return out;
    }

    static Map<String, String> strings(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    /** matchLabels plus matchExpressions (In, NotIn, Exists, DoesNotExist) of a LabelSelector. */
    static boolean selects(JsonNode selector, Map<String, String> labels) {
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return false;
        }
        for (var e : strings(selector.path("matchLabels")).entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode ex : selector.path("matchExpressions")) {
            String key = ex.path("key").asText();
            List<String> values = new ArrayList<>();
            ex.path("values").forEach(v -> values.add(v.asText()));
            boolean ok = switch (ex.path("operator").asText()) {
                case "In" -> labels.containsKey(key) && values.contains(labels.get(key));
                case "NotIn" -> !labels.containsKey(key) || !values.contains(labels.get(key));
                case "Exists" -> labels.containsKey(key);
                case "DoesNotExist" -> !labels.containsKey(key);
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A Service's plain selector map (not a LabelSelector). */
    static boolean selectsMap(JsonNode selector, Map<String, String> labels) {
        Map<String, String> want = strings(selector);
        return !want.isEmpty() && want.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    static List<JsonNode> containers(JsonNode podSpec) {
        List<JsonNode> out = new ArrayList<>();
        podSpec.path("initContainers").forEach(out::add);
        podSpec.path("containers").forEach(out::add);
        return out;
    }
}
