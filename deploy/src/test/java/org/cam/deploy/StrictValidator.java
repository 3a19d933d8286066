package org.cam.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict schema validation. Built-in kinds: deserialised into the fabric8 Kubernetes model by a plain Jackson
 * mapper with scalar coercion off (a string where the API wants an integer fails), then every model object in the tree is asked for
 * additionalProperties, where fabric8 keeps the fields it does not know: any there is an unknown field. Custom
 * resources (KEDA ScaledObject, Prometheus Operator ServiceMonitor): a small schema of our own in
 * src/test/resources/crd-schemas, equally strict. Any other kind is an error.
 */
final class StrictValidator {

    /** Only the registry of kinds: its own mapper is lenient (fabric8's UnmatchedFieldTypeModule accepts "2" for 2). */
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final JsonMapper STRICT = strictMapper();

    /** No scalar coercion: "2" for an integer, 1 for a boolean or a string fails, as the API server would. */
    private static JsonMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .build();
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    private static final Map<String, String> CRD_SCHEMAS = Map.of(
            "keda.sh/v1alpha1/ScaledObject", "crd-schemas/scaledobject.yaml",
            "monitoring.coreos.com/v1/ServiceMonitor", "crd-schemas/servicemonitor.yaml");

    private StrictValidator() {
    }

    static List<String> validate(Manifests m) {
        List<String> errors = new ArrayList<>();
        for (JsonNode o : m.objects()) {
            String apiVersion = o.path("apiVersion").asText();
            String kind = Manifests.kind(o);
            String where = Manifests.id(o);
            if (apiVersion.isEmpty() || kind.isEmpty()) {
                errors.add(where + ": apiVersion and kind are required");
                continue;
            }
            if (Manifests.name(o).isEmpty()) {
                errors.add(where + ": metadata.name is required");
            }
            String crd = CRD_SCHEMAS.get(apiVersion + "/" + kind);
            if (crd != null) {
                MiniSchema.validate(schema(crd), o, where, errors);
                continue;
            }
            Class<? extends KubernetesResource> type = SERIALIZATION.getRegisteredKubernetesResource(apiVersion, kind);
            if (type == null || type.getSimpleName().equals("GenericKubernetesResource")) {
                errors.add(where + ": " + apiVersion + " " + kind + " is no Kubernetes kind known to the model");
                continue;
            }
            errors.addAll(strict(o, type, where));
        }
        return errors;
    }

    /** Strict deserialisation of one value into a fabric8 model class; empty when it conforms. */
    static List<String> strict(JsonNode node, Class<?> type, String where) {
        List<String> errors = new ArrayList<>();
        Object obj;
        try {
            obj = STRICT.convertValue(node, type);
        } catch (RuntimeException e) {
            errors.add(where + ": does not match the " + type.getSimpleName() + " schema: "
                    + e.getMessage().lines().findFirst().orElse(""));
            return errors;
        }
        walk(obj, where, errors, new IdentityHashMap<>(), 0);
        return errors;
    }

    private static void walk(Object o, String path, List<String> errors, IdentityHashMap<Object, Boolean> seen, int depth) {
        if (o == null || depth > 80 || o instanceof CharSequence || o instanceof Number || o instanceof Boolean
                || o instanceof Enum<?> || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", errors, seen, depth + 1);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                walk(e.getValue(), path + "." + e.getKey(), errors, seen, depth + 1);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String n = m.getName();
            if (n.equals("getAdditionalProperties")) {
                Object extra = invoke(m, o);
                if (extra instanceof Map<?, ?> x && !x.isEmpty()) {
                    errors.add(path + ": unknown field(s) " + x.keySet());
                }
            } else if (n.startsWith("get") && n.length() > 3 && !n.equals("getNumericalAmount")
                    && !n.equals("getClass")) {
                String field = Character.toLowerCase(n.charAt(3)) + n.substring(4);
                walk(invoke(m, o), path + "." + field, errors, seen, depth + 1);
            }
        }
    }

    private static Object invoke(Method m, Object o) {
        try {
            return m.invoke(o);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }

    private static final Map<String, JsonNode> SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();

    static JsonNode schema(String resource) {
        return SCHEMAS.computeIfAbsent(resource, r -> {
            try (InputStream in = StrictValidator.class.getClassLoader().getResourceAsStream(r)) {
                if (in == null) {
                    throw new AssertionError("missing schema " + r);
                }
                return Manifests.YAML.readTree(in);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * The schema language of crd-schemas/: type object (properties, required, additionalProperties: a schema for
     * map values; without it unknown fields fail), array (items), string (enum), integer, boolean, intOrString,
     * any, and model: a fabric8 class name, validated strictly by the model (e.g. ObjectMeta, LabelSelector).
     */
    static final class MiniSchema {
        static void validate(JsonNode schema, JsonNode value, String path, List<String> errors) {
            String type = schema.path("type").asText();
            switch (type) {
                case "object" -> {
                    if (!value.isObject()) {
                        errors.add(path + ": must be an object");
                        return;
                    }
                    JsonNode props = schema.path("properties");
                    for (JsonNode r : schema.path("required")) {
                        if (!value.has(r.asText())) {
                            errors.add(path + ": required field " + r.asText() + " is missing");
                        }
                    }
                    value.fields().forEachRemaining(e -> {
                        JsonNode s = props.get(e.getKey());
                        if (s == null) {
                            s = schema.get("additionalProperties");
                        }
                        if (s == null) {
                            errors.add(path + ": unknown field " + e.getKey());
                        } else {
                            validate(s, e.getValue(), path + "." + e.getKey(), errors);
                        }
                    });
                }
                case "array" -> {
                    if (!value.isArray()) {
                        errors.add(path + ": must be an array");
                        return;
                    }
                    for (int i = 0; i < value.size(); i++) {
                        validate(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
                    }
                }
                case "string" -> {
                    if (!value.isTextual()) {
                        errors.add(path + ": must be a string");
                    } else if (schema.has("enum")) {
                        Set<String> allowed = new java.util.HashSet<>();
                        schema.path("enum").forEach(v -> allowed.add(v.asText()));
                        if (!allowed.contains(value.asText())) {
                            errors.add(path + ": " + value.asText() + " is not one of " + allowed);
                        }
                    }
                }
                case "integer" -> {
                    if (!value.isIntegralNumber()) {
                        errors.add(path + ": must be an integer");
                    }
                }
                case "boolean" -> {
                    if (!value.isBoolean()) {
                        errors.add(path + ": must be a boolean");
                    }
                }
                case "intOrString" -> {
                    if (!value.isIntegralNumber() && !value.isTextual()) {
                        errors.add(path + ": must be an integer or a string");
                    }
                }
                case "any" -> {
                }
                case "model" -> {
                    try {
                        errors.addAll(strict(value, Class.forName(schema.path("class").asText()), path));
                    } catch (ClassNotFoundException e) {
                        throw new AssertionError("schema names a missing model class: " + e.getMessage());
                    }
                }
                default -> throw new AssertionError("schema type '" + type + "' unknown at " + path);
            }
        }
    }
}
