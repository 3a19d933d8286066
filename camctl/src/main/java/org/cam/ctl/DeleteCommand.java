package org.cam.ctl;

import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "delete", description = "Delete objects by KIND and ids, or those a create file describes (-f, found "
        + "by name: targets, target sets and groups by name, users by username, grants by groupId and targetSetId, "
        + "assignments by userId and targetId; in reverse order, so a grant goes before its set). A session is "
        + "disconnected; devices are forgotten with their targets; LDAP users are disabled, not deleted.")
final class DeleteCommand extends Base implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", completionCandidates = Kind.Names.class,
            description = "one of: ${COMPLETION-CANDIDATES} (or singular, or short: tg, ts, dev, usr, grp, asg, sess)")
    String kind;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ID")
    List<String> ids = new ArrayList<>();

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "the documents of a create file")
    String file;

    @Option(names = "--ignore-not-found", description = "what is not there is no error (exit 0)")
    boolean ignoreNotFound;

    DeleteCommand(Context ctx) {
        super(ctx);
    }

    @Override
    public Integer call() throws ApiException {
        if (file != null) {
            if (kind != null) {
                throw new CliException(Problems.USAGE, "either -f FILE or KIND ID..., not both");
            }
            return fromFile();
        }
        if (kind == null || ids.isEmpty()) {
            throw new CliException(Problems.USAGE, "delete KIND ID... or delete -f FILE");
        }
        Kind k = Kind.parse(kind);
        if (k.deleter == null) {
            throw new CliException(Problems.USAGE, k.name() + " cannot be deleted through the API");
        }
        ids.forEach(k::checkId);
        ApiClient client = api();
        for (String id : ids) {
            delete(client, k, id, k.aliases.get(0) + "/" + id);
        }
        return Problems.OK;
    }

    private int fromFile() throws ApiException {
        List<Manifest.Doc> docs = new ArrayList<>(Manifest.read(file, ctx.in(), null));
        java.util.Collections.reverse(docs);
        ApiClient client = api();
        for (Manifest.Doc doc : docs) {
            Kind k = doc.kind().kind;
            String id = Manifest.find(client, doc);
            if (id == null) {
                String what = doc.where() + ": no such " + doc.kind() + " " + doc.kind().identity.stream()
                        .map(f -> f + "=" + doc.fields().path(f).asText()).toList();
                if (!ignoreNotFound) {
                    throw new CliException(Problems.NOT_FOUND, what);
                }
                ctx.out().println(what + ": nothing to delete");
                continue;
            }
            delete(client, k, id, k.aliases.get(0) + "/" + id);
        }
        return Problems.OK;
    }

    private void delete(ApiClient client, Kind k, String id, String label) throws ApiException {
        try {
            k.deleter.call(client, id);
            ctx.out().println(label + " deleted");
        } catch (ApiException e) {
            if (e.getCode() == 404 && ignoreNotFound) {
                ctx.out().println(label + " not found: nothing to delete");
                return;
            }
            throw e;
        }
        ctx.out().flush();
    }
}
