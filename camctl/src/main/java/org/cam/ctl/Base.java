package org.cam.ctl;

import org.cam.ctl.generated.client.ApiClient;
import picocli.CommandLine.Option;

/** What every command that talks to the server shares: the run's context and its cached login. */
abstract class Base {
    final Context ctx;

    Base(Context ctx) {
        this.ctx = ctx;
    }

    ApiClient api() {
        return new Connection(ctx, CamCtl.clock()).authenticated();
    }

    void print(String text) {
        ctx.out().print(text);
        ctx.out().flush();
    }

    /** Commands that print objects: -o table|json|yaml. */
    abstract static class Printing extends Base {
        @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
                description = "table, json or yaml (default: ${DEFAULT-VALUE})")
        Output.Format format;

        Printing(Context ctx) {
            super(ctx);
        }

        void printObject(Object value) {
            print(Output.document(Output.tree(value), format));
        }
    }
}
