package org.cam.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import org.cam.ctl.generated.api.DeviceResourceApi;
import org.cam.ctl.generated.api.FirmwareResourceApi;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import org.cam.ctl.generated.model.FirmwareRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "devices", description = "Device actions (operators and admins).",
        subcommands = {DevicesCommand.Approve.class, DevicesCommand.Firmware.class})
final class DevicesCommand {

    @Command(name = "approve", description = "Enrol a discovered device (or re-enrol a managed one); prints the "
            + "device as it is after enrolment.")
    static final class Approve extends Base.Printing implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        Approve(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            long deviceId = Kind.longId(id);
            printObject(new DeviceResourceApi(api()).apiV1DevicesIdApprovePost(deviceId));
            return Problems.OK;
        }
    }

    @Command(name = "firmware", description = "With --image: start a firmware upgrade from the library (prints the "
            + "job; the device is UPDATING until it runs the new version). Without: the device's jobs, newest first. "
            + "--library lists the library's images instead (name, size, sha256).")
    static final class Firmware extends Base.Printing implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "the device")
        String id;

        @Option(names = "--image", paramLabel = "NAME", description = "an image of the library") String image;
        @Option(names = "--version", paramLabel = "VERSION", description = "the version the image carries")
        String version;
        @Option(names = "--sha256", paramLabel = "HEX", description = "the vendor's sum; a different one is refused")
        String sha256;
        @Option(names = "--library", description = "list the firmware library") boolean library;

        private static final List<Output.Column> JOBS = List.of(new Output.Column("ID", "id"),
                new Output.Column("IMAGE", "image"), new Output.Column("VERSION", "version"),
                new Output.Column("STATE", "state"), new Output.Column("PROGRESS", "progress"),
                new Output.Column("BY", "requestedBy"), new Output.Column("CREATED", "createdAt"),
                new Output.Column("DETAIL", "detail"));
        private static final List<Output.Column> IMAGES = List.of(new Output.Column("NAME", "name"),
                new Output.Column("SIZE", "sizeBytes"), new Output.Column("SHA256", "sha256"),
                new Output.Column("MODIFIED", "modifiedAt"));

        Firmware(Context ctx) {
            super(ctx);
        }

        @Override
        public Integer call() throws ApiException {
            if (library) {
                if (id != null || image != null) {
                    throw new CliException(Problems.USAGE, "--library takes no device and no --image");
                }
                print(Output.list(trees(new FirmwareResourceApi(api()).apiV1FirmwareGet()), IMAGES, format));
                return Problems.OK;
            }
            if (id == null) {
                throw new CliException(Problems.USAGE, "devices firmware ID [--image NAME --version V], or --library");
            }
            long deviceId = Kind.longId(id);
            if (image == null) {
                if (version != null || sha256 != null) {
                    throw new CliException(Problems.USAGE, "--version and --sha256 go with --image");
                }
                ApiClient client = api();
                print(Output.list(trees(new DeviceResourceApi(client).apiV1DevicesIdFirmwareGet(deviceId)), JOBS, format));
                return Problems.OK;
            }
            if (version == null) {
                throw new CliException(Problems.USAGE, "--image needs --version");
            }
            printObject(new DeviceResourceApi(api()).apiV1DevicesIdFirmwarePost(deviceId,
                    new FirmwareRequest().image(image).version(version).sha256(sha256)));
            return Problems.OK;
        }

        private static List<JsonNode> trees(List<?> items) {
            List<JsonNode> out = new ArrayList<>();
            items.forEach(i -> out.add(Output.tree(i)));
            return out;
        }
    }
}
