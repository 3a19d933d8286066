package org.cam.ctl;

import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/** camctl: CAM from the command line, with kubectl's habits, on the client generated from management-api's document. */
@Command(name = "camctl", mixinStandardHelpOptions = true, versionProvider = CamCtl.Version.class,
        description = "CAM from the command line: log in once, then get, describe, create and delete what the "
                + "management API holds, open console sessions, approve devices, sync LDAP, export the audit and "
                + "drive the database replication.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:error (5xx, unreachable, TLS; the server's problem is printed)",
                "2:usage (camctl's checks, or the server's 400/422)", "3:not found (404)", "4:conflict (409)",
                "5:not allowed (401/403, no or expired login)"},
        subcommands = {LoginCommand.class, GetCommand.class, DescribeCommand.class, CreateCommand.class,
                DeleteCommand.class, SessionCommand.class, DevicesCommand.class, LdapCommand.class,
                AuditCommand.class, ReplicationCommand.class, CompletionCommand.class})
public final class CamCtl implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, System.in, System.getenv()));
    }

    /** One run, as from a shell: returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err, InputStream in, Map<String, String> env) {
        Context ctx = new Context(out, err, in, env);
        CommandLine cli = commandLine(ctx);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine(Context ctx) {
        CommandLine cli = new CommandLine(new CamCtl(), new Factory(ctx));
        cli.setOut(ctx.out());
        cli.setErr(ctx.err());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        helpEverywhere(cli);
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            CliException failure = ex instanceof CliException c ? c
                    : ex instanceof ApiException a ? Problems.of(a)
                    : ex instanceof org.cam.ctl.monitor.client.ApiException m ? Problems.of(m)
                    : new CliException(Problems.ERROR, Problems.describe(ex));
            line.getErr().println("error: " + failure.getMessage());
            if (failure.exitCode == Problems.USAGE) {
                line.getErr().println("see: " + line.getCommandSpec().qualifiedName() + " --help");
            }
            return failure.exitCode;
        });
        return cli;
    }

    /** -h/--help on every command, not only the top one (kubectl's habit: "camctl get --help"). */
    private static void helpEverywhere(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().mixinStandardHelpOptions(true);
            helpEverywhere(sub);
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    /** Builds commands with the run's context: no static state, so tests run camctl many times in one JVM. */
    private record Factory(Context ctx) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            for (Constructor<?> c : cls.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Context.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(ctx));
                }
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = CamCtl.class.getPackage().getImplementationVersion();
            return new String[]{"camctl " + (v == null ? "(development build)" : v)};
        }
    }

    static Clock clock() {
        return Clock.systemUTC();
    }
}
