package org.cam.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

@Command(name = "login", description = "Log in to management-api and cache the tokens (in $CAMCTL_CONFIG or "
        + "~/.config/camctl/config, mode 0600); later commands refresh them as they run out.")
final class LoginCommand extends Base implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVER", description = "e.g. https://cam.example:8443")
    String server;

    @Option(names = {"-u", "--username"}, required = true)
    String username;

    @Option(names = "--password-stdin", description = "read the password from standard input (else a prompt; "
            + "without a terminal, standard input)")
    boolean passwordStdin;

    @Option(names = "--ca-file", paramLabel = "PEM", description = "trust only the CA certificates in this PEM file")
    String caFile;

    @Option(names = "--insecure-skip-tls-verify", description = "do not check the server's certificate (never in "
            + "production: anybody on the path can read the password)")
    boolean insecure;

    LoginCommand(Context ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws IOException {
        if (caFile != null && insecure) {
            throw new CliException(Problems.USAGE, "--ca-file and --insecure-skip-tls-verify exclude each other");
        }
        char[] password = password();
        Config cfg = new Connection(ctx, CamCtl.clock()).login(server, username, password, caFile, insecure);
        java.util.Arrays.fill(password, '\0');
        ctx.out().println("Logged in to " + cfg.server + " as " + cfg.username + " (token cached in "
                + ctx.configFile() + ")");
        return Problems.OK;
    }

    private char[] password() throws IOException {
        Console console = System.console();
        if (!passwordStdin && console != null) {
            char[] pw = console.readPassword("Password for %s: ", username);
            if (pw == null) {
                throw new CliException(Problems.ERROR, "no password given");
            }
            return pw;
        }
        return readLine(ctx.in(), "no password on standard input");
    }

    /** A secret's one line from standard input (a pipe, a here-string): never from an argument, where ps shows it. */
    static char[] readLine(java.io.InputStream in, String whenMissing) {
        String line;
        try {
            line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new CliException(Problems.USAGE, whenMissing + ": " + e.getMessage());
        }
        if (line == null || line.isEmpty()) {
            throw new CliException(Problems.USAGE, whenMissing);
        }
        return line.toCharArray();
    }
}
