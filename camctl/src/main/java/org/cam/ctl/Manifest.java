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
        Target(Kind.targets, TargetRequest.class, List.of("name"), List.of(),
                (c, r) -> new TargetResourceApi(c).apiV1TargetsPost((TargetRequest) r)),
        TargetSet(Kind.targetsets, TargetSetRequest.class, List.of("name"), List.of(),
                (c, r) -> new TargetSetResourceApi(c).apiV1TargetSetsPost((TargetSetRequest) r)),
        Group(Kind.groups, CreateGroup.class, List.of("name"), List.of(),
                (c, r) -> new GroupResourceApi(c).apiV1GroupsPost((CreateGroup) r)),
        User(Kind.users, CreateUser.class, List.of("username"), List.of(),
                (c, r) -> new UserResourceApi(c).apiV1UsersPost((CreateUser) r)),
        Grant(Kind.grants, GrantRequest.class, List.of("groupId", "targetSetId"),
                List.of(new Ref("group", "groupId", Kind.groups, "name"),
                        new Ref("targetSet", "targetSetId", Kind.targetsets, "name")),
                (c, r) -> new GrantResourceApi(c).apiV1GrantsPost((GrantRequest) r)),
        Assignment(Kind.assignments, AssignmentRequest.class, List.of("userId", "targetId"),
                List.of(new Ref("user", "userId", Kind.users, "username"),
                        new Ref("target", "targetId", Kind.targets, "name")),
                (c, r) -> new GrantResourceApi(c).apiV1AssignmentsPost((AssignmentRequest) r));

        final Kind kind;
        final Class<?> request;
        /** The fields that name an existing object, for `delete -f` (names are unique; a grant is its group and set). */
        final List<String> identity;
        /** Fields that name another object instead of giving its id (an object made earlier in the same file). */
        final List<Ref> refs;
        final Creator creator;

        Creatable(Kind kind, Class<?> request, List<String> identity, List<Ref> refs, Creator creator) {
            this.kind = kind;
            this.request = request;
            this.identity = identity;
            this.refs = refs;
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

    /** {@code field: NAME} in a document stands for {@code idField: <the id of the KIND named NAME>}. */
    record Ref(String field, String idField, Kind kind, String nameField) {
    }

    /** A target set's members, by name or id: put into the set right after it is created. */
    static final String SET_MEMBERS = "targets";

    interface Creator {
        Object create(ApiClient client, Object request) throws ApiException;
    }

    /** One document: its kind, the fields as written, and the request they make. */
    record Doc(Creatable kind, ObjectNode fields, Object request, String where, Map<Ref, String> refs,
               List<String> members) {
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
        // References by name are resolved when the document's turn comes (what they name may be made by an earlier
        // document); until then a placeholder id lets the rest of the document be checked now.
        Map<Ref, String> refs = new LinkedHashMap<>();
        for (Ref ref : kind.refs) {
            JsonNode name = fields.remove(ref.field());
            if (name != null) {
                if (fields.has(ref.idField())) {
                    throw new CliException(Problems.USAGE, where + ": " + ref.field() + " or " + ref.idField()
                            + ", not both");
                }
                refs.put(ref, name.asText());
                fields.put(ref.idField(), 0L);
            }
        }
        List<String> members = new ArrayList<>();
        if (kind == Creatable.TargetSet && fields.has(SET_MEMBERS)) {
            JsonNode list = fields.remove(SET_MEMBERS);
            if (!list.isArray()) {
                throw new CliException(Problems.USAGE, where + ": " + SET_MEMBERS + ": a list of target names or ids");
            }
            list.forEach(t -> members.add(t.asText()));
        }
        try {
            return new Doc(kind, fields, YAML.treeToValue(fields, kind.request), where, refs, members);
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

    /** The document with its references by name replaced by the ids they name now. */
    static Doc resolve(ApiClient client, Doc doc) throws ApiException {
        if (doc.refs().isEmpty()) {
            return doc;
        }
        ObjectNode fields = doc.fields().deepCopy();
        for (Map.Entry<Ref, String> ref : doc.refs().entrySet()) {
            fields.put(ref.getKey().idField(), Long.parseLong(idOf(client, ref.getKey().kind(),
                    ref.getKey().nameField(), ref.getValue(), doc.where())));
        }
        try {
            return new Doc(doc.kind(), fields, YAML.treeToValue(fields, doc.kind().request), doc.where(), Map.of(),
                    doc.members());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("checked before: " + e.getOriginalMessage(), e);
        }
    }

    /** The id of the KIND whose NAME field is the given name (ids pass through); not there: exit 3. */
    static String idOf(ApiClient client, Kind kind, String nameField, String name, String where) throws ApiException {
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
            return name;
        }
        List<JsonNode> found = GetCommand.fetchAll(client, kind, new Kind.Query(0, 500, name, Map.of()));
        return found.stream().filter(item -> name.equals(item.path(nameField).asText()))
                .map(item -> item.path("id").asText()).findFirst()
                .orElseThrow(() -> new CliException(Problems.NOT_FOUND, where + ": no " + kind.aliases.get(0)
                        + " named '" + name + "'"));
    }

    /** The id of the object a document describes, found by its identity fields; null when there is none. */
    static String find(ApiClient client, Doc named) throws ApiException {
        Doc doc;
        try {
            doc = resolve(client, named);
        } catch (CliException e) {
            if (e.exitCode == Problems.NOT_FOUND) {
                return null;   // what it refers to is gone: so is the object itself
            }
            throw e;
        }
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
