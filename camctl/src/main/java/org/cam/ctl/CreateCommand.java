package org.cam.ctl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.cam.ctl.generated.api.GrantResourceApi;
import org.cam.ctl.generated.client.ApiException;
import org.cam.ctl.generated.model.AccessLevel;
import org.cam.ctl.generated.model.ClipboardPolicy;
import org.cam.ctl.generated.model.GrantRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "create", description = "Create an object.", subcommands = CreateCommand.Grant.class)
final class CreateCommand {

    @Command(name = "grant", description = "Give a group access to a target set, from flags or -f FILE (YAML or "
            + "JSON: groupId, targetSetId, accessLevel, clipboard; '-' reads standard input).")
    static final class Grant extends Base.Printing implements Callable<Integer> {
        /** Either a file or the flags, not a mix: what was applied is then always what one place says. */
        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true)
            String file;

            @ArgGroup(exclusive = false)
            Flags flags;
        }

        static final class Flags {
            @Option(names = "--group", required = true, paramLabel = "GROUP-ID")
            long groupId;

            @Option(names = "--target-set", required = true, paramLabel = "TARGET-SET-ID")
            long targetSetId;

            @Option(names = "--access", required = true, paramLabel = "LEVEL",
                    description = "FULL_CONTROL, VIEW_ONLY or NONE (NONE denies)")
            AccessLevel access;

            @Option(names = "--clipboard", paramLabel = "POLICY", description = "BOTH (default), TO_TARGET or NONE")
            ClipboardPolicy clipboard;
        }

        Grant(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            GrantRequest request = source.file != null ? fromFile(source.file)
                    : new GrantRequest().groupId(source.flags.groupId).targetSetId(source.flags.targetSetId)
                    .accessLevel(source.flags.access).clipboard(source.flags.clipboard);
            printObject(new GrantResourceApi(api()).apiV1GrantsPost(request));
            return Problems.OK;
        }

        private GrantRequest fromFile(String file) {
            ObjectMapper yaml = new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
            try (InputStream in = file.equals("-") ? ctx.in() : Files.newInputStream(Path.of(file))) {
                JsonNode doc = yaml.readTree(in);
                if (doc == null || !doc.isObject()) {
                    throw new CliException(Problems.USAGE, file + ": not a mapping of a grant's fields");
                }
                // kubectl's manifests name their kind; accepted (and checked) so one file can say what it holds.
                JsonNode kind = ((com.fasterxml.jackson.databind.node.ObjectNode) doc).remove("kind");
                if (kind != null && !kind.asText().equalsIgnoreCase("grant")) {
                    throw new CliException(Problems.USAGE, file + ": kind " + kind.asText() + ", expected Grant");
                }
                return yaml.treeToValue(doc, GrantRequest.class);
            } catch (NoSuchFileException e) {
                throw new CliException(Problems.USAGE, "no such file: " + file);
            } catch (UnrecognizedPropertyException e) {
                throw new CliException(Problems.USAGE, file + ": unknown field '" + e.getPropertyName()
                        + "' (groupId, targetSetId, accessLevel, clipboard)");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new CliException(Problems.USAGE, file + ": " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new CliException(Problems.USAGE, file + ": " + e.getMessage());
            }
        }
    }
}
