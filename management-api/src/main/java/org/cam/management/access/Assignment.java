package org.cam.management.access;

import jakarta.persistence.Entity;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.cam.management.identity.User;
import org.cam.management.target.Target;

/** A target assigned directly to one user, outside any group. */
@Entity
@Table(name = "user_target_assignment")
public class Assignment extends AccessRule {
    @ManyToOne(optional = false)
    @JoinColumn(name = "user_id")
    public User user;

    @ManyToOne(optional = false)
    @JoinColumn(name = "target_id")
    public Target target;
}
