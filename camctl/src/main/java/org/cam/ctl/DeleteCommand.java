package org.cam.ctl;

import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "delete", description = "Delete an object (a session: disconnect it). Devices are forgotten with "
        + "their targets; LDAP users are disabled, not deleted.")
final class DeleteCommand extends Base implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kind.Names.class,
            description = "one of: ${COMPLETION-CANDIDATES} (or singular, or short: tg, dev, usr, grp, sess, rec)")
    String kind;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    DeleteCommand(Context ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws ApiException {
        Kind k = Kind.parse(kind);
        if (k.deleter == null) {
            throw new CliException(Problems.USAGE, k.name() + " cannot be deleted through the API");
        }
        k.checkId(id);
        k.deleter.call(api(), id);
        ctx.out().println(k.aliases.get(0) + " " + id + " deleted");
        return Problems.OK;
    }
}
