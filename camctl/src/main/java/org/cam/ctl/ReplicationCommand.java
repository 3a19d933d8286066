package org.cam.ctl;

import org.cam.ctl.generated.api.ReplicationResourceApi;
import org.cam.ctl.generated.client.ApiException;
import org.cam.ctl.generated.model.Action;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * Through management-api, which forwards to replication-monitor with its own service token and records the acting
 * user and the reason there: the user needs no monitor token, and the action is audited on both sides.
 */
@Command(name = "replication", description = "The database pair (replication-monitor, through management-api; "
        + "admins).", subcommands = {ReplicationCommand.Status.class, ReplicationCommand.Switchover.class})
final class ReplicationCommand {

    @Command(name = "status", description = "State, lag and both nodes.")
    static final class Status extends Base.Printing implements Callable<Integer> {
        Status(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            printObject(new ReplicationResourceApi(api()).apiV1ReplicationStatusGet());
            return Problems.OK;
        }
    }

    @Command(name = "switchover", description = "Planned switchover: the secondary becomes the primary.")
    static final class Switchover extends Base.Printing implements Callable<Integer> {
        @Option(names = "--reason", required = true, description = "kept in the monitor's history and audit")
        String reason;

        Switchover(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            printObject(new ReplicationResourceApi(api()).apiV1ReplicationSwitchoverPost(new Action().reason(reason)));
            return Problems.OK;
        }
    }
}
