package org.cam.ctl;

import org.cam.ctl.generated.api.MyTargetsResourceApi;
import org.cam.ctl.generated.api.SessionResourceApi;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import org.cam.ctl.generated.model.Opened;
import org.cam.ctl.generated.model.SessionRequest;
import org.cam.ctl.generated.model.TargetView;
import org.cam.protocol.rfb.VncAuth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "session", description = "Console sessions.", subcommands = SessionCommand.Open.class)
final class SessionCommand {

    @Command(name = "open", description = "Ask for a session on a target and print where to connect and the one-time "
            + "VNC password (valid once, about 30 s); --view starts TigerVNC's viewer with it and waits for it.")
    static final class Open extends Base.Printing implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "TARGET", description = "the target's id or exact name")
        String target;

        @Option(names = "--view-only", description = "a view session (no keyboard or pointer)")
        boolean view;

        @Option(names = {"--view", "--vncviewer"}, description = "start TigerVNC's viewer on the session; the password "
                + "goes to it on a pipe, never on its command line (where ps would show it)")
        boolean vncviewer;

        @Option(names = "--vncviewer-command", defaultValue = "vncviewer", paramLabel = "PATH",
                description = "the viewer to start (default: ${DEFAULT-VALUE})")
        String vncviewerCommand;

        Open(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException, IOException, InterruptedException {
            ApiClient client = api();
            long targetId = resolve(client, target);
            Opened s = new SessionResourceApi(client).apiV1SessionsPost(
                    new SessionRequest().targetId(targetId).mode(view ? "view" : "control"));
            if (format == Output.Format.table) {
                print(human(s));
            } else {
                printObject(s);
            }
            return vncviewer ? startViewer(s) : Problems.OK;
        }

        static String human(Opened s) {
            return String.join("\n",
                    "Session:    " + s.getSessionId() + " (" + s.getMode() + ", target " + s.getTargetId() + ")",
                    "Connect:    " + s.getRfb() + "   (vncviewer " + viewerAddress(s.getRfb()) + ")",
                    "Password:   " + s.getVncPassword() + "   (one use, until " + s.getExpiresAt() + ")",
                    "TLS:        " + s.getRfbTls() + " (VeNCrypt)",
                    "WebSocket:  " + s.getWebsocketUrl(),
                    "Clipboard:  " + s.getClipboard() + (Boolean.TRUE.equals(s.getRecorded()) ? ", recorded" : ""),
                    "");
        }

        /** host:port as TigerVNC's viewer wants a port (two colons; one colon would be a display number). */
        static String viewerAddress(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            return colon < 0 ? hostPort : hostPort.substring(0, colon) + "::" + hostPort.substring(colon + 1);
        }

        /** An id, or a name among the targets the caller may open (exact, as names are unique). */
        static long resolve(ApiClient client, String target) throws ApiException {
            if (target.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(target);
            }
            List<TargetView> found = new MyTargetsResourceApi(client).apiV1MeTargetsGet(0, target, 500, null).getItems();
            return found.stream().filter(t -> target.equals(t.getName())).findFirst()
                    .map(TargetView::getId)
                    .orElseThrow(() -> new CliException(Problems.NOT_FOUND, "no target named '" + target
                            + "' that you may open"));
        }

        private int startViewer(Opened s) throws IOException, InterruptedException {
            // /dev/stdin as the password file: the viewer reads vncpasswd's format from the pipe we write it to.
            List<String> command = new java.util.ArrayList<>(List.of(vncviewerCommand, "-passwd", "/dev/stdin"));
            if (view) {
                command.add("-ViewOnly");
            }
            command.add(viewerAddress(s.getRfb()));
            Process p = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (OutputStream pipe = p.getOutputStream()) {
                pipe.write(VncAuth.passwordFile(s.getVncPassword()));
            }
            int code = p.waitFor();
            return code == 0 ? Problems.OK : Problems.ERROR;
        }
    }
}
