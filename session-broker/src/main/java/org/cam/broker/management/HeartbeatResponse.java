package org.cam.broker.management;

import java.util.List;

/** Sessions an administrator disconnected: the broker ends them with reason admin_disconnect. */
public record HeartbeatResponse(List<String> terminate) {
}
