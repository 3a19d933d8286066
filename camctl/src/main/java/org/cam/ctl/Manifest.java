package org.cam.ctl;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.cam.ctl.generated.api.GrantResourceApi;
import org.cam.ctl.generated.api.GroupResourceApi;
import org.cam.ctl.generated.api.TargetResourceApi;
import org.cam.ctl.generated.api.TargetSetResourceApi;
import org.cam.ctl.generated.api.UserResourceApi;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import org.cam.ctl.generated.model.AssignmentRequest;
import org.cam.ctl.generated.model.CreateGroup;
import org.cam.ctl.generated.model.CreateUser;
import org.cam.ctl.generated.model.GrantRequest;
import org.cam.ctl.generated.model.TargetRequest;
import org.cam.ctl.generated.model.TargetSetRequest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * What `create` and `delete -f` read: YAML (or JSON) documents, several in one file separated by {@code ---}, each a
 * mapping of one request's fields plus {@code kind:} (kubectl's habit), e.g. a target set, then a group, then the
 * grant between them. Every document is checked against its generated request model (an unknown field is refused)
 * before the first request goes out, so a typo in the last document creates nothing.
 */
final class Manifest {
    /** The kinds the API creates, each with its generated request model and operation. */
    enum Creatable {
        Target(Kind.targets, TargetRequest.class, List.of("name"),
                (c, r) -> new TargetResourceApi(c).apiV1TargetsPost((TargetRequest) r)),
        TargetSet(Kind.targetsets, TargetSetRequest.class, List.of("name"),
                (c, r) -> new TargetSetResourceApi(c).apiV1TargetSetsPost((TargetSetRequest) r)),
        Group(Kind.groups, CreateGroup.class, List.of("name"),
                (c, r) -> new GroupResourceApi(c).apiV1GroupsPost((CreateGroup) r)),
        User(Kind.users, CreateUser.class, List.of("username"),
                (c, r) -> new UserResourceApi(c).apiV1UsersPost((CreateUser) r)),
        Grant(Kind.grants, GrantRequest.class, List.of("groupId", "targetSetId"),
                (c, r) -> new GrantResourceApi(c).apiV1GrantsPost((GrantRequest) r)),
        Assignment(Kind.assignments, AssignmentRequest.class, List.of("userId", "targetId"),
                (c, r) -> new GrantResourceApi(c).apiV1AssignmentsPost((AssignmentRequest) r));

        final Kind kind;
        final Class<?> request;
        /** The fields that name an existing object, for `delete -f` (names are unique; a grant is its group and set). */
        final List<String> identity;
        final Creator creator;

        Creatable(Kind kind, Class<?> request, List<String> identity, Creator creator) {
            this.kind = kind;
            this.request = request;
            this.identity = identity;
            this.creator = creator;
        }

        /** "Target", "target", "targets", "ts"...: a document's kind, or the one a `create` subcommand names. */
        static Creatable of(String name) {
            Kind k;
            try {
                k = Kind.parse(name.replace("-", "").replace("_", ""));
            } catch (CliException unknown) {
                k = null;
            }
            for (Creatable c : values()) {
                if (c.name().equalsIgnoreCase(name) || c.kind == k) {
                    return c;
                }
            }
            throw new CliException(Problems.USAGE, "kind '" + name + "' cannot be created; one of "
                    + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
        }

        String fieldNames() {
            return Arrays.stream(request.getDeclaredFields())
                    .filter(f -> !java.lang.reflect.Modifier.isStatic(f.getModifiers()))
                    .map(java.lang.reflect.Field::getName).collect(Collectors.joining(", "));
        }
    }

    interface Creator {
        Object create(ApiClient client, Object request) throws ApiException;
    }

    /** One document: its kind, the fields as written, and the request they make. */
    record Doc(Creatable kind, ObjectNode fields, Object request, String where) {
    }

    private static final ObjectMapper YAML = new YAMLMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Manifest() {
    }

    /**
     * Every document of FILE ('-': standard input). {@code only}: the kind a `create KIND -f` names (documents may
     * then leave out {@code kind:}); null: each document must say its kind.
     */
    static List<Doc> read(String file, InputStream stdin, Creatable only) {
        List<JsonNode> nodes = new ArrayList<>();
        try (InputStream in = file.equals("-") ? stdin : Files.newInputStream(Path.of(file));
             MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(in)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;   // an empty document (a trailing ---)
                }
                if (doc.isArray()) {
                    doc.forEach(nodes::add);
                } else {
                    nodes.add(doc);
                }
            }
        } catch (NoSuchFileException e) {
            throw new CliException(Problems.USAGE, "no such file: " + file);
        } catch (JsonProcessingException e) {
            throw new CliException(Problems.USAGE, file + ": " + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            if (e instanceof CliException c) {
                throw c;
            }
            throw new CliException(Problems.USAGE, file + ": " + Problems.describe(e));
        }
        if (nodes.isEmpty()) {
            throw new CliException(Problems.USAGE, file + ": no document");
        }
        List<Doc> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String where = nodes.size() == 1 ? file : file + " (document " + (i + 1) + ")";
            out.add(doc(nodes.get(i), only, where));
        }
        return out;
    }

    /** One mapping of fields (from a file, or from a `create KIND` command's flags). */
    static Doc doc(JsonNode node, Creatable only, String where) {
        if (!node.isObject()) {
            throw new CliException(Problems.USAGE, where + ": not a mapping of fields");
        }
        ObjectNode fields = ((ObjectNode) node).deepCopy();
        JsonNode kindField = fields.remove("kind");
        Creatable kind;
        if (kindField == null) {
            if (only == null) {
                throw new CliException(Problems.USAGE, where + ": no kind: (one of "
                        + Arrays.stream(Creatable.values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
            }
            kind = only;
        } else {
            kind = Creatable.of(kindField.asText());
            if (only != null && kind != only) {
                throw new CliException(Problems.USAGE, where + ": kind " + kindField.asText() + ", expected " + only);
            }
        }
        try {
            return new Doc(kind, fields, YAML.treeToValue(fields, kind.request), where);
        } catch (UnrecognizedPropertyException e) {
            throw new CliException(Problems.USAGE, where + ": unknown field '" + e.getPropertyName() + "' for a "
                    + kind + " (" + kind.fieldNames() + ")");
        } catch (InvalidFormatException e) {
            throw new CliException(Problems.USAGE, where + ": " + path(e) + ": '" + e.getValue() + "' is not a "
                    + e.getTargetType().getSimpleName() + " value" + enumValues(e.getTargetType()));
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            // The generated enums' fromValue refuses an unknown value: name the field and the values it takes.
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getOriginalMessage();
            throw new CliException(Problems.USAGE, where + ": " + path(e) + ": " + why
                    + enumValues(e.getType().getRawClass()));
        } catch (JsonProcessingException e) {
            throw new CliException(Problems.USAGE, where + ": " + e.getOriginalMessage());
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String enumValues(Class<?> type) {
        Object[] constants = type.getEnumConstants();
        return constants == null ? "" : " (" + Arrays.stream(constants).map(String::valueOf)
                .collect(Collectors.joining(", ")) + ")";
    }

    /** The id of the object a document describes, found by its identity fields; null when there is none. */
    static String find(ApiClient client, Doc doc) throws ApiException {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (String field : doc.kind().identity) {
            JsonNode v = doc.fields().get(field);
            if (v == null || v.isNull()) {
                throw new CliException(Problems.USAGE, doc.where() + ": a " + doc.kind() + " is found by "
                        + String.join(" and ", doc.kind().identity) + "; '" + field + "' is missing");
            }
            wanted.put(field, v.asText());
        }
        Kind kind = doc.kind().kind;
        // Names are searched (the API's q matches parts, so the exact one is picked); ids are the API's filters.
        Kind.Query query = kind.searchable
                ? new Kind.Query(0, 500, wanted.values().iterator().next(), Map.of())
                : new Kind.Query(0, 500, null, wanted);
        List<JsonNode> found = GetCommand.fetchAll(client, kind, query);
        return StreamSupport.stream(found.spliterator(), false)
                .filter(item -> wanted.entrySet().stream().allMatch(e -> e.getValue().equals(item.path(e.getKey()).asText())))
                .map(item -> item.path("id").asText())
                .findFirst().orElse(null);
    }
}
