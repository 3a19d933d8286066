package org.cam.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "get", description = "List objects of a kind: targets, targetsets, devices, users, groups, grants, "
        + "assignments, sessions, alarms, recordings. Every page is fetched.")
final class GetCommand extends Base.Printing implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kind.Names.class,
            description = "one of: ${COMPLETION-CANDIDATES} (or singular, or short: tg, ts, dev, usr, grp, asg, sess, rec)")
    String kind;

    @Option(names = {"-q", "--query"}, paramLabel = "TEXT", description = "the API's search (targets, devices, "
            + "users, groups, recordings)")
    String query;

    @Option(names = {"-l", "--selector"}, paramLabel = "KEY=VALUE", split = ",", hideParamSyntax = true,
            description = "the API's filters, e.g. state=RAISED,acknowledged=false for alarms")
    Map<String, String> selector = new LinkedHashMap<>();

    @Option(names = "--chunk-size", defaultValue = "500", paramLabel = "N",
            description = "objects per request while paging (1..500, default ${DEFAULT-VALUE})")
    int chunkSize;

    GetCommand(Context ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws ApiException {
        Kind k = Kind.parse(kind);
        if (chunkSize < 1 || chunkSize > 500) {
            throw new CliException(Problems.USAGE, "--chunk-size: 1..500");
        }
        Kind.Query first = new Kind.Query(0, chunkSize, query, selector);
        k.check(first);
        print(Output.list(fetchAll(api(), k, first), k.columns, format));
        return Problems.OK;
    }

    /**
     * Pages until the answer's total is reached; a short or empty page also ends it, so objects deleted meanwhile
     * cannot make it loop.
     */
    static List<JsonNode> fetchAll(ApiClient client, Kind kind, Kind.Query first) throws ApiException {
        List<JsonNode> items = new ArrayList<>();
        for (int page = first.page(); ; page++) {
            JsonNode answer = Output.tree(kind.lister.page(client,
                    new Kind.Query(page, first.size(), first.search(), first.selector())));
            JsonNode pageItems = answer.path("items");
            pageItems.forEach(items::add);
            if (pageItems.size() < first.size() || items.size() >= answer.path("total").asLong()) {
                return items;
            }
        }
    }
}
