package org.cam.ctl;

import org.cam.ctl.generated.api.AuditResourceApi;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "audit", description = "The audit trail.", subcommands = AuditCommand.Export.class)
final class AuditCommand {

    @Command(name = "export", description = "Export audit events (up to 100,000, oldest first as the server "
            + "answers them) as JSON, YAML or the server's CSV, to standard output.")
    static final class Export extends Base implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, defaultValue = "json", paramLabel = "FORMAT",
                description = "json, yaml or csv (default: ${DEFAULT-VALUE})")
        String format;

        @Option(names = "--actor") String actor;
        @Option(names = "--action") String action;
        @Option(names = "--object-type") String objectType;
        @Option(names = "--object-id") String objectId;
        @Option(names = "--outcome", description = "SUCCESS, FAILURE or DENIED") String outcome;
        @Option(names = "--from", description = "ISO-8601 instant") String from;
        @Option(names = "--to", description = "ISO-8601 instant") String to;

        Export(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException, IOException, InterruptedException {
            ApiClient client = api();
            switch (format.toLowerCase()) {
                case "json", "yaml" -> {
                    // format=json said outright: the generated client accepts both of the document's media
                    // types, and the server answers CSV to an Accept that names text/csv.
                    Object rows = new AuditResourceApi(client).apiV1AuditEventsGet(action, actor, true, "json", from,
                            objectId, objectType, outcome, null, null, to);
                    print(Output.document(Output.tree(rows),
                            format.equalsIgnoreCase("json") ? Output.Format.json : Output.Format.yaml));
                }
                case "csv" -> csv(client);
                default -> throw new CliException(Problems.USAGE, "-o: json, yaml or csv, not " + format);
            }
            return Problems.OK;
        }

        /**
         * The document declares text/csv without a schema, which the generated client cannot return as text: the
         * request goes out through the generated client's HTTP client, address and token, and the body is copied.
         */
        private void csv(ApiClient client) throws IOException, InterruptedException {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("format", "csv");
            put(params, "actor", actor);
            put(params, "action", action);
            put(params, "objectType", objectType);
            put(params, "objectId", objectId);
            put(params, "outcome", outcome);
            put(params, "from", from);
            put(params, "to", to);
            String query = params.entrySet().stream()
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(client.getBaseUri() + "/api/v1/audit-events?" + query))
                    .header("Accept", "text/csv, application/problem+json").GET();
            if (client.getRequestInterceptor() != null) {
                client.getRequestInterceptor().accept(request);
            }
            HttpResponse<InputStream> answer = client.getHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = answer.body()) {
                if (answer.statusCode() / 100 != 2) {
                    String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    throw new CliException(Problems.exitCode(answer.statusCode()),
                            Problems.message(answer.statusCode(), text));
                }
                print(new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
        }

        private static void put(Map<String, String> params, String key, String value) {
            if (value != null) {
                params.put(key, value);
            }
        }
    }
}
