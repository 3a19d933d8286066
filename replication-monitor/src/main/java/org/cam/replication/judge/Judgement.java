package org.cam.replication.judge;

public record Judgement(ReplicationState state, String detail) {
}
