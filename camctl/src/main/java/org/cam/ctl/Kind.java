package org.cam.ctl;

import org.cam.ctl.generated.api.AlarmResourceApi;
import org.cam.ctl.generated.api.DeviceResourceApi;
import org.cam.ctl.generated.api.GrantResourceApi;
import org.cam.ctl.generated.api.GroupResourceApi;
import org.cam.ctl.generated.api.RecordingResourceApi;
import org.cam.ctl.generated.api.SessionRecordingResourceApi;
import org.cam.ctl.generated.api.SessionResourceApi;
import org.cam.ctl.generated.api.TargetResourceApi;
import org.cam.ctl.generated.api.TargetSetResourceApi;
import org.cam.ctl.generated.api.UserResourceApi;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import org.cam.ctl.generated.model.AccessPolicy;
import org.cam.ctl.generated.model.DeviceState;
import org.cam.ctl.generated.model.DeviceStatus;
import org.cam.ctl.generated.model.SessionState;
import org.cam.ctl.generated.model.Source;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The kinds `get`, `describe` and `delete` know: for each, its names, table columns, the API's filters (as
 * --selector keys; -q where the API searches) and the generated operations behind it.
 */
enum Kind {
    targets(List.of("target", "tg"),
            cols("ID", "id", "NAME", "name", "HOST", "host", "PORT", "port", "POLICY", "accessPolicy",
                    "STATUS", "status", "ACCESS", "access", "TAGS", "locationTags"),
            true, Set.of("tag", "policy"),
            (c, q) -> new TargetResourceApi(c).apiV1TargetsGet(q.page(), enumOf(q, "policy", AccessPolicy::fromValue),
                    q.search(), q.size(), q.selector().get("tag")),
            (c, id) -> new TargetResourceApi(c).apiV1TargetsIdGet(longId(id)),
            (c, id) -> new TargetResourceApi(c).apiV1TargetsIdDelete(longId(id))),
    devices(List.of("device", "dev"),
            cols("ID", "id", "DEVICE-ID", "deviceId", "NAME", "name", "STATE", "state", "STATUS", "status",
                    "ADDRESS", "address", "MODEL", "model", "FIRMWARE", "firmwareVersion", "CHANNELS", "channelCount"),
            true, Set.of("state", "status"),
            (c, q) -> new DeviceResourceApi(c).apiV1DevicesGet(q.page(), q.search(), q.size(),
                    enumOf(q, "state", DeviceState::fromValue), enumOf(q, "status", DeviceStatus::fromValue)),
            (c, id) -> new DeviceResourceApi(c).apiV1DevicesIdGet(longId(id)),
            (c, id) -> new DeviceResourceApi(c).apiV1DevicesIdDelete(longId(id))),
    users(List.of("user", "usr"),
            cols("ID", "id", "USERNAME", "username", "DISPLAY-NAME", "displayName", "SOURCE", "source",
                    "ENABLED", "enabled", "ROLES", "roles", "GROUPS", "groups"),
            true, Set.of("source", "enabled"),
            (c, q) -> new UserResourceApi(c).apiV1UsersGet(boolOf(q, "enabled"), q.page(), q.search(), q.size(),
                    enumOf(q, "source", Source::fromValue)),
            (c, id) -> new UserResourceApi(c).apiV1UsersIdGet(longId(id)),
            (c, id) -> new UserResourceApi(c).apiV1UsersIdDelete(longId(id))),
    groups(List.of("group", "grp"),
            cols("ID", "id", "NAME", "name", "SOURCE", "source", "MEMBERS", "memberCount", "PARENTS", "parents",
                    "DESCRIPTION", "description"),
            true, Set.of(),
            (c, q) -> new GroupResourceApi(c).apiV1GroupsGet(q.page(), q.search(), q.size()),
            (c, id) -> new GroupResourceApi(c).apiV1GroupsIdGet(longId(id)),
            (c, id) -> new GroupResourceApi(c).apiV1GroupsIdDelete(longId(id))),
    targetsets(List.of("targetset", "target-sets", "target-set", "ts"),
            cols("ID", "id", "NAME", "name", "TARGETS", "targetCount", "DESCRIPTION", "description"),
            true, Set.of(),
            (c, q) -> new TargetSetResourceApi(c).apiV1TargetSetsGet(q.page(), q.search(), q.size()),
            (c, id) -> new TargetSetResourceApi(c).apiV1TargetSetsIdGet(longId(id)),
            (c, id) -> new TargetSetResourceApi(c).apiV1TargetSetsIdDelete(longId(id))),
    grants(List.of("grant"),
            cols("ID", "id", "GROUP", "groupName", "TARGET-SET", "targetSetName", "ACCESS", "accessLevel",
                    "CLIPBOARD", "clipboard"),
            false, Set.of("groupId", "targetSetId"),
            (c, q) -> new GrantResourceApi(c).apiV1GrantsGet(longOf(q, "groupId"), q.page(), q.size(),
                    longOf(q, "targetSetId")),
            (c, id) -> new GrantResourceApi(c).apiV1GrantsIdGet(longId(id)),
            (c, id) -> new GrantResourceApi(c).apiV1GrantsIdDelete(longId(id))),
    /** The API answers assignments as one list, not paged: it is given as one page here. */
    assignments(List.of("assignment", "asg"),
            cols("ID", "id", "USER", "username", "TARGET", "targetName", "ACCESS", "accessLevel",
                    "CLIPBOARD", "clipboard"),
            false, Set.of("userId", "targetId"),
            (c, q) -> onePage(new GrantResourceApi(c).apiV1AssignmentsGet(longOf(q, "targetId"), longOf(q, "userId"))),
            null,
            (c, id) -> new GrantResourceApi(c).apiV1AssignmentsIdDelete(longId(id))),
    sessions(List.of("session", "sess"),
            cols("ID", "id", "USER", "user", "TARGET", "targetName", "MODE", "mode", "STATE", "state",
                    "CREATED", "createdAt", "ENDED", "endedAt", "REASON", "endReason"),
            false, Set.of("state", "targetId"),
            (c, q) -> new SessionResourceApi(c).apiV1SessionsGet(q.page(), q.size(),
                    enumOf(q, "state", SessionState::fromValue), longOf(q, "targetId")),
            (c, id) -> new SessionResourceApi(c).apiV1SessionsIdGet(id),
            (c, id) -> new SessionResourceApi(c).apiV1SessionsIdDelete(id, "disconnected with camctl")),
    alarms(List.of("alarm"),
            cols("ID", "id", "SOURCE", "source", "KEY", "key", "SEVERITY", "severity", "STATE", "state",
                    "RAISED", "raisedAt", "ACKNOWLEDGED-BY", "acknowledgedBy", "MESSAGE", "message"),
            false, Set.of("state", "source", "key", "acknowledged"),
            (c, q) -> new AlarmResourceApi(c).apiV1AlarmsGet(boolOf(q, "acknowledged"), q.selector().get("key"),
                    q.page(), q.size(), q.selector().get("source"), q.selector().get("state")),
            null, null),
    recordings(List.of("recording", "rec"),
            cols("SESSION", "sessionId", "USER", "user", "TARGET", "targetName", "MODE", "mode",
                    "STARTED", "startedAt", "DURATION-MS", "durationMillis", "BYTES", "bytes", "COMPLETE", "complete"),
            true, Set.of("user", "target", "targetId", "from", "to"),
            (c, q) -> new RecordingResourceApi(c).apiV1RecordingsGet(q.selector().get("from"), q.page(), q.search(),
                    q.size(), q.selector().get("target"), longOf(q, "targetId"), q.selector().get("to"),
                    q.selector().get("user")),
            (c, id) -> new SessionRecordingResourceApi(c).apiV1SessionsSessionIdRecordingGet(id, true),
            null);

    private static Map<String, Object> onePage(List<?> items) {
        return Map.of("items", items, "page", 0, "size", items.size(), "total", items.size());
    }

    /** One page request: the API's paging plus -q and --selector. */
    record Query(int page, int size, String search, Map<String, String> selector) {
    }

    interface Lister {
        Object page(ApiClient client, Query query) throws ApiException;
    }

    interface ById {
        Object call(ApiClient client, String id) throws ApiException;
    }

    /** A delete answers nothing (204), or for a session 202/204: nothing to print either way. */
    interface Deleter {
        void call(ApiClient client, String id) throws ApiException;
    }

    final List<String> aliases;
    final List<Output.Column> columns;
    final boolean searchable;
    final Set<String> selectorKeys;
    final Lister lister;
    final ById getter;
    final Deleter deleter;

    Kind(List<String> aliases, List<Output.Column> columns, boolean searchable, Set<String> selectorKeys,
         Lister lister, ById getter, Deleter deleter) {
        this.aliases = aliases;
        this.columns = columns;
        this.searchable = searchable;
        this.selectorKeys = selectorKeys;
        this.lister = lister;
        this.getter = getter;
        this.deleter = deleter;
    }

    /** For shell completion and help: the plural names. */
    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(values()).map(Kind::name).iterator();
        }
    }

    /** kubectl's habit: plural, singular or short name, any case. */
    static Kind parse(String name) {
        String n = name.toLowerCase();
        for (Kind k : values()) {
            if (k.name().equals(n) || k.aliases.contains(n)) {
                return k;
            }
        }
        throw new CliException(Problems.USAGE, "unknown kind '" + name + "'; one of "
                + Arrays.stream(values()).map(Kind::name).collect(Collectors.joining(", ")));
    }

    /** Checks -q and --selector against what this kind's API filters on, before any request. */
    void check(Query q) {
        if (q.search() != null && !searchable) {
            throw new CliException(Problems.USAGE, name() + " cannot be searched with -q; filter with --selector "
                    + String.join(",", new TreeSet<>(selectorKeys)));
        }
        for (String key : q.selector().keySet()) {
            if (!selectorKeys.contains(key)) {
                throw new CliException(Problems.USAGE, "--selector: " + name() + " filter on "
                        + (selectorKeys.isEmpty() ? "nothing" : String.join(", ", new TreeSet<>(selectorKeys)))
                        + ", not '" + key + "'");
            }
        }
    }

    /** A malformed id is the user's typo, found before any request (sessions and recordings have text ids). */
    void checkId(String id) {
        if (this != sessions && this != recordings) {
            longId(id);
        }
    }

    private static List<Output.Column> cols(String... headerThenPath) {
        List<Output.Column> list = new java.util.ArrayList<>();
        for (int i = 0; i < headerThenPath.length; i += 2) {
            list.add(new Output.Column(headerThenPath[i], headerThenPath[i + 1]));
        }
        return List.copyOf(list);
    }

    static long longId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new CliException(Problems.USAGE, "not an id: '" + id + "' (a number)");
        }
    }

    private static Long longOf(Query q, String key) {
        String v = q.selector().get(key);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CliException(Problems.USAGE, "--selector " + key + "=" + v + ": not a number");
        }
    }

    private static Boolean boolOf(Query q, String key) {
        String v = q.selector().get(key);
        if (v == null) {
            return null;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new CliException(Problems.USAGE, "--selector " + key + "=" + v + ": true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private static <E> E enumOf(Query q, String key, Function<String, E> fromValue) {
        String v = q.selector().get(key);
        if (v == null) {
            return null;
        }
        try {
            return fromValue.apply(v.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new CliException(Problems.USAGE, "--selector " + key + "=" + v + ": not a known value");
        }
    }
}
