package org.cam.ctl;

import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "describe", description = "Show one object with all its fields (YAML; -o json for JSON). "
        + "For recordings the id is the session's: its recording's metadata, verified.")
final class DescribeCommand extends Base implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kind.Names.class,
            description = "one of: ${COMPLETION-CANDIDATES} (or singular, or short: tg, ts, dev, usr, grp, asg, sess, rec)")
    String kind;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Option(names = {"-o", "--output"}, defaultValue = "yaml", paramLabel = "FORMAT", description = "yaml or json")
    Output.Format format;

    DescribeCommand(Context ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws ApiException {
        Kind k = Kind.parse(kind);
        if (k.getter == null) {
            throw new CliException(Problems.USAGE, "the API reads " + k.name() + " only as a list: camctl get " + k.name());
        }
        k.checkId(id);
        print(Output.document(Output.tree(k.getter.call(api(), id)), format));
        return Problems.OK;
    }
}
