package org.cam.broker.management;

import java.util.List;

/**
 * {@code terminate}: sessions an administrator disconnected (the broker ends them with reason admin_disconnect);
 * {@code superseded}: sessions whose owner resumed them on another connection (ended with resumed_elsewhere).
 */
public record HeartbeatResponse(List<String> terminate, List<String> superseded) {
}
