package org.cam.ctl;

import org.cam.ctl.generated.api.DeviceResourceApi;
import org.cam.ctl.generated.client.ApiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "devices", description = "Device actions.", subcommands = DevicesCommand.Approve.class)
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
}
