package org.cam.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cam.ctl.generated.api.TargetSetResourceApi;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "create", description = "Create objects from -f FILE (YAML or JSON; several documents separated by "
        + "---, each with kind: Target, TargetSet, Group, User, Grant or Assignment and that request's fields; "
        + "'-' reads standard input), or one from a subcommand's flags. A Grant may name its group: and "
        + "targetSet:, an Assignment its user: and target:, instead of their ids; a TargetSet may list its targets: "
        + "(names or ids).",
        subcommands = {CreateCommand.Target.class, CreateCommand.TargetSet.class, CreateCommand.Group.class,
                CreateCommand.User.class, CreateCommand.Grant.class, CreateCommand.Assignment.class})
final class CreateCommand extends Base.Printing implements Callable<Integer> {
    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "the documents to create, in order")
    String file;

    CreateCommand(Context ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws ApiException {
        if (file == null) {
            throw new CliException(Problems.USAGE, "create -f FILE, or create KIND with flags (create --help)");
        }
        return create(this, Manifest.read(file, ctx.in(), null));
    }

    /**
     * Creates the documents in order and prints them: "kind/id created" lines for a table, else the created objects
     * (one, or a JSON array / YAML documents). The first refusal stops the run with its exit code; what was created
     * before it is said on standard error, so a script or a person can clean up or go on from there.
     */
    static int create(Base.Printing command, List<Manifest.Doc> docs) throws ApiException {
        ApiClient client = command.api();
        List<JsonNode> created = new ArrayList<>();
        List<String> done = new ArrayList<>();
        for (Manifest.Doc doc : docs) {
            JsonNode object;
            String line;
            try {
                Manifest.Doc ready = Manifest.resolve(client, doc);
                object = Output.tree(ready.kind().creator.create(client, ready.request()));
                line = doc.kind().kind.aliases.get(0) + "/" + object.path("id").asText();
                done.add(line);
                for (String member : doc.members()) {
                    new TargetSetResourceApi(client).apiV1TargetSetsIdTargetsTargetIdPut(object.path("id").asLong(),
                            Long.parseLong(Manifest.idOf(client, Kind.targets, "name", member, doc.where())));
                }
            } catch (CliException e) {
                throw new CliException(e.exitCode, e.getMessage() + createdBefore(done));
            } catch (ApiException e) {
                CliException failure = Problems.of(e);
                throw new CliException(failure.exitCode, doc.where() + ": " + failure.getMessage() + createdBefore(done));
            }
            created.add(object);
            if (command.format == Output.Format.table) {
                command.print(line + " created\n");
            }
        }
        if (command.format != Output.Format.table) {
            if (created.size() == 1) {
                command.print(Output.document(created.get(0), command.format));
            } else if (command.format == Output.Format.json) {
                ArrayNode array = Output.JSON.createArrayNode().addAll(created);
                command.print(Output.document(array, command.format));
            } else {
                for (JsonNode o : created) {
                    command.print("---\n" + Output.document(o, command.format));
                }
            }
        }
        return Problems.OK;
    }

    private static String createdBefore(List<String> done) {
        return done.isEmpty() ? "" : " (created: " + String.join(", ", done) + ")";
    }

    /**
     * A `create KIND` subcommand: its flags make one document (only the ones given), or -f reads documents of that
     * kind (kind: may be left out); not both, so what was applied is always what one place says.
     */
    abstract static class One extends Base.Printing implements Callable<Integer> {
        @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
                description = "documents of this kind (YAML/JSON, --- between them; '-': standard input)")
        String file;

        One(Context ctx) {
            super(ctx);
        }

        abstract Manifest.Creatable kind();

        /** The flags given, as the request's fields. */
        abstract ObjectNode flags();

        /** What must be given when no file is: flag, then the request's field it sets. */
        abstract List<String> required();

        @Override
        public Integer call() throws ApiException {
            ObjectNode fields = flags();
            if (file != null) {
                if (!fields.isEmpty()) {
                    throw new CliException(Problems.USAGE, "either -f FILE or flags, not both");
                }
                return create(this, Manifest.read(file, ctx.in(), kind()));
            }
            List<String> required = required();
            for (int i = 0; i < required.size(); i += 2) {
                if (!fields.has(required.get(i + 1))) {
                    throw new CliException(Problems.USAGE, "missing " + required.get(i) + " (or -f FILE)");
                }
            }
            return create(this, List.of(Manifest.doc(fields, kind(), "flags")));
        }

        static ObjectNode fields(Object... nameThenValue) {
            ObjectNode node = Output.JSON.createObjectNode();
            for (int i = 0; i < nameThenValue.length; i += 2) {
                Object v = nameThenValue[i + 1];
                if (v instanceof List<?> list && !list.isEmpty()) {
                    node.set((String) nameThenValue[i], Output.JSON.valueToTree(list));
                } else if (v != null && !(v instanceof List<?>)) {
                    node.set((String) nameThenValue[i], Output.JSON.valueToTree(v));
                }
            }
            return node;
        }
    }

    @Command(name = "target", description = "A target: an RFB server (or a device channel's) users open sessions on.")
    static final class Target extends One {
        @Option(names = "--name") String name;
        @Option(names = "--host") String host;
        @Option(names = "--port") Integer port;
        @Option(names = "--description") String description;
        @Option(names = "--policy", paramLabel = "POLICY", description = "EXCLUSIVE, SHARED or SHARED_VIEW (default)")
        String accessPolicy;
        @Option(names = "--tag", paramLabel = "TAG", description = "a location tag (repeatable)")
        List<String> tags = new ArrayList<>();

        Target(Context ctx) {
            super(ctx);
        }

        @Override
        Manifest.Creatable kind() {
            return Manifest.Creatable.Target;
        }

        @Override
        ObjectNode flags() {
            return fields("name", name, "host", host, "port", port, "description", description,
                    "accessPolicy", accessPolicy == null ? null : accessPolicy.toUpperCase(), "locationTags", tags);
        }

        @Override
        List<String> required() {
            return List.of("--name", "name", "--host", "host", "--port", "port");
        }
    }

    @Command(name = "target-set", aliases = "targetset", description = "A target set (what grants give access to).")
    static final class TargetSet extends One {
        @Option(names = "--name") String name;
        @Option(names = "--description") String description;
        @Option(names = "--target", paramLabel = "TARGET", description = "a member, by name or id (repeatable)")
        List<String> targets = new ArrayList<>();

        TargetSet(Context ctx) {
            super(ctx);
        }

        @Override
        Manifest.Creatable kind() {
            return Manifest.Creatable.TargetSet;
        }

        @Override
        ObjectNode flags() {
            return fields("name", name, "description", description, Manifest.SET_MEMBERS, targets);
        }

        @Override
        List<String> required() {
            return List.of("--name", "name");
        }
    }

    @Command(name = "group", description = "A local group (directory groups come from LDAP).")
    static final class Group extends One {
        @Option(names = "--name") String name;
        @Option(names = "--description") String description;

        Group(Context ctx) {
            super(ctx);
        }

        @Override
        Manifest.Creatable kind() {
            return Manifest.Creatable.Group;
        }

        @Override
        ObjectNode flags() {
            return fields("name", name, "description", description);
        }

        @Override
        List<String> required() {
            return List.of("--name", "name");
        }
    }

    @Command(name = "user", description = "A local user; the password is read from standard input "
            + "(--password-stdin), never taken from an argument.")
    static final class User extends One {
        @Option(names = "--username") String username;
        @Option(names = "--display-name") String displayName;
        @Option(names = "--email") String email;
        @Option(names = "--role", paramLabel = "ROLE", description = "admin, operator, user, viewer, auditor "
                + "(repeatable)")
        List<String> roles = new ArrayList<>();
        @Option(names = "--disabled", description = "created disabled") boolean disabled;
        @Option(names = "--password-stdin", description = "read the new user's password from standard input")
        boolean passwordStdin;

        User(Context ctx) {
            super(ctx);
        }

        @Override
        Manifest.Creatable kind() {
            return Manifest.Creatable.User;
        }

        @Override
        ObjectNode flags() {
            ObjectNode f = fields("username", username, "displayName", displayName, "email", email, "roles", roles,
                    "enabled", disabled ? Boolean.FALSE : null);
            if (passwordStdin) {
                f.put("password", new String(LoginCommand.readLine(ctx.in(), "no password on standard input")));
            }
            return f;
        }

        @Override
        List<String> required() {
            return List.of("--username", "username", "--password-stdin", "password");
        }
    }

    /**
     * Access to targets, for a group through a set (grant) or for one user (assignment): who, what, the level and
     * the clipboard; who and what by id or name.
     */
    abstract static class Access extends One {
        @Option(names = "--access", paramLabel = "LEVEL", description = "FULL_CONTROL, VIEW_ONLY or NONE (NONE denies)")
        String access;
        @Option(names = "--clipboard", paramLabel = "POLICY", description = "BOTH (default), TO_TARGET or NONE")
        String clipboard;

        Access(Context ctx) {
            super(ctx);
        }

        /** The reference fields (Manifest.Ref) for who and what, their values, and their flags. */
        abstract String[] whoAndWhat();

        @Override
        ObjectNode flags() {
            String[] w = whoAndWhat();
            return fields(w[0], w[1], w[2], w[3], "accessLevel", upper(access), "clipboard", upper(clipboard));
        }

        @Override
        List<String> required() {
            String[] w = whoAndWhat();
            return List.of(w[4], w[0], w[5], w[2], "--access", "accessLevel");
        }
    }

    @Command(name = "grant", description = "Give a group access to a target set.")
    static final class Grant extends Access {
        @Option(names = "--group", paramLabel = "GROUP", description = "by id or name") String group;
        @Option(names = "--target-set", paramLabel = "TARGET-SET", description = "by id or name") String targetSet;

        Grant(Context ctx) {
            super(ctx);
        }

        @Override
        Manifest.Creatable kind() {
            return Manifest.Creatable.Grant;
        }

        @Override
        String[] whoAndWhat() {
            return new String[]{"group", group, "targetSet", targetSet, "--group", "--target-set"};
        }
    }

    @Command(name = "assignment", description = "Give one user a target directly.")
    static final class Assignment extends Access {
        @Option(names = "--user", paramLabel = "USER", description = "by id or username") String user;
        @Option(names = "--target", paramLabel = "TARGET", description = "by id or name") String target;

        Assignment(Context ctx) {
            super(ctx);
        }

        @Override
        Manifest.Creatable kind() {
            return Manifest.Creatable.Assignment;
        }

        @Override
        String[] whoAndWhat() {
            return new String[]{"user", user, "target", target, "--user", "--target"};
        }
    }

    private static String upper(String s) {
        return s == null ? null : s.toUpperCase();
    }
}
