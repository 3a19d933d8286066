package org.cam.management.access;

import jakarta.persistence.Entity;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.cam.management.identity.UserGroup;
import org.cam.management.target.TargetSet;

/** user group x target set -> access level. */
@Entity
@Table(name = "access_grant")
public class Grant extends AccessRule {
    @ManyToOne(optional = false)
    @JoinColumn(name = "group_id")
    public UserGroup group;

    @ManyToOne(optional = false)
    @JoinColumn(name = "target_set_id")
    public TargetSet targetSet;
}
