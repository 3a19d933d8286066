package org.cam.ctl;

import org.cam.ctl.monitor.api.ReplicationResourceApi;
import org.cam.ctl.monitor.client.ApiClient;
import org.cam.ctl.monitor.client.ApiException;
import org.cam.ctl.monitor.model.ActionRequest;
import org.cam.ctl.monitor.model.ActionResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;

/**
 * The database pair, on the client generated from replication-monitor's own document. By default through
 * management-api with the cached login (admins): it serves the monitor's paths and answers as they are, acting for
 * the user with its service token, so the monitor records "user via management-api" and the reason. With --monitor
 * URL, the monitor itself (a port-forward in Kubernetes, docs/operations.md): status is open there, actions take
 * the monitor's admin (HTTP Basic, password from standard input or a prompt).
 */
@Command(name = "replication", description = "The database pair (replication-monitor; through management-api for "
        + "its admins, or --monitor URL).", subcommands = {ReplicationCommand.Status.class,
        ReplicationCommand.History.class, ReplicationCommand.Switchover.class, ReplicationCommand.Promote.class})
final class ReplicationCommand {

    /** Where the monitor is reached, and as whom. */
    static final class Target {
        @Option(names = "--monitor", paramLabel = "URL", description = "talk to replication-monitor itself, e.g. "
                + "http://localhost:8083 (else through management-api with your login)")
        String monitor;

        @Option(names = "--monitor-user", paramLabel = "NAME", description = "the monitor's admin, for switchover "
                + "and promote with --monitor; the password is read from standard input or a prompt")
        String monitorUser;

        @Option(names = "--monitor-ca-file", paramLabel = "PEM", description = "trust only these CA certificates "
                + "for an https:// monitor")
        String monitorCaFile;

        ApiClient client(Context ctx) {
            if (monitor == null) {
                if (monitorUser != null || monitorCaFile != null) {
                    throw new CliException(Problems.USAGE, "--monitor-user and --monitor-ca-file need --monitor URL");
                }
                return new Connection(ctx, CamCtl.clock()).monitorThroughManagement();
            }
            Config tls = new Config();
            tls.caFile = monitorCaFile;
            String authorization = null;
            if (monitorUser != null) {
                java.io.Console console = System.console();
                char[] pw = console != null ? console.readPassword("Password of %s on the monitor: ", monitorUser)
                        : LoginCommand.readLine(ctx.in(), "no password on standard input for --monitor-user");
                authorization = "Basic " + Base64.getEncoder().encodeToString((monitorUser + ":" + new String(pw))
                        .getBytes(StandardCharsets.UTF_8));
            }
            return Connection.monitorClient(Connection.normalise(monitor), Connection.sslContext(tls), authorization);
        }
    }

    @Command(name = "status", description = "State, lag and both nodes.")
    static final class Status extends Base.Printing implements Callable<Integer> {
        @Mixin
        Target target = new Target();

        Status(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            printObject(new ReplicationResourceApi(target.client(ctx)).apiV1ReplicationStatusGet());
            return Problems.OK;
        }
    }

    @Command(name = "history", description = "State transitions and topology actions, newest last.")
    static final class History extends Base.Printing implements Callable<Integer> {
        @Mixin
        Target target = new Target();

        @Option(names = "--limit", defaultValue = "100", description = "1..1000 (default ${DEFAULT-VALUE})")
        int limit;

        History(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            var entries = new ReplicationResourceApi(target.client(ctx)).apiV1ReplicationHistoryGet(limit);
            java.util.List<com.fasterxml.jackson.databind.JsonNode> items = new java.util.ArrayList<>();
            entries.forEach(e -> items.add(Output.tree(e)));
            print(Output.list(items, java.util.List.of(new Output.Column("AT", "at"), new Output.Column("KIND", "kind"),
                    new Output.Column("FROM", "from"), new Output.Column("TO", "to"), new Output.Column("ACTOR", "actor"),
                    new Output.Column("OUTCOME", "outcome"), new Output.Column("REASON", "reason")), format));
            return Problems.OK;
        }
    }

    /** A topology action: where, and the reason the monitor keeps in its history and audit. */
    abstract static class Action extends Base.Printing implements Callable<Integer> {
        @Mixin
        Target target = new Target();

        @Option(names = "--reason", required = true, description = "kept in the monitor's history and audit")
        String reason;

        Action(Context ctx) {
            super(ctx);
        }

        abstract ActionResult run(ReplicationResourceApi api, ActionRequest request) throws ApiException;

        @Override
        public Integer call() throws ApiException {
            printObject(run(new ReplicationResourceApi(target.client(ctx)), new ActionRequest().reason(reason)));
            return Problems.OK;
        }
    }

    @Command(name = "switchover", description = "Planned switchover: the secondary becomes the primary (the pair "
            + "must be HEALTHY).")
    static final class Switchover extends Action {
        Switchover(Context ctx) {
            super(ctx);
        }

        @Override
        ActionResult run(ReplicationResourceApi api, ActionRequest request) throws ApiException {
            return api.apiV1ReplicationSwitchoverPost(request);
        }
    }

    @Command(name = "promote", description = "The primary is lost: promote the secondary (docs/operations.md first).")
    static final class Promote extends Action {
        @Option(names = "--force", description = "promote even though the secondary has not applied all it received "
                + "(those transactions are lost)")
        boolean force;

        Promote(Context ctx) {
            super(ctx);
        }

        @Override
        ActionResult run(ReplicationResourceApi api, ActionRequest request) throws ApiException {
            return api.apiV1ReplicationPromotePost(request.force(force ? Boolean.TRUE : null));
        }
    }
}
