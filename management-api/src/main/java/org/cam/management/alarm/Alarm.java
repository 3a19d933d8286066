package org.cam.management.alarm;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

/** An alarm: raised by us (devices) or by another service; cleared when the condition ends; acknowledged by people. */
@Entity
@Table(name = "alarm")
public class Alarm extends PanacheEntityBase {
    public static final String RAISED = "RAISED";
    public static final String CLEARED = "CLEARED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String source;

    @Column(name = "alarm_key", nullable = false)
    public String alarmKey;

    @Column(nullable = false)
    public String severity;

    @Column(nullable = false)
    public String state;

    @Column(name = "object_type")
    public String objectType;

    @Column(name = "object_id")
    public String objectId;

    public String message;

    @Column(name = "raised_at", nullable = false)
    public Instant raisedAt;

    @Column(name = "cleared_at")
    public Instant clearedAt;

    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;

    @Column(name = "acknowledged_by")
    public String acknowledgedBy;

    /** source|key while RAISED (unique), null once cleared. */
    @Column(name = "active_key")
    public String activeKey;

    @Version
    public long version;
}
