package org.cam.ctl;

import org.cam.ctl.generated.api.LdapResourceApi;
import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "ldap", description = "The directory import.", subcommands = LdapCommand.Sync.class)
final class LdapCommand {

    @Command(name = "sync", description = "Synchronise users and groups from LDAP now and print the report.")
    static final class Sync extends Base.Printing implements Callable<Integer> {
        @Option(names = "--dry-run", description = "report what would change, change nothing")
        boolean dryRun;

        Sync(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            printObject(new LdapResourceApi(api()).apiV1LdapSyncPost(dryRun));
            return Problems.OK;
        }
    }
}
