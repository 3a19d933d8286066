package org.cam.management.identity.service;

import io.quarkus.elytron.security.common.BcryptUtil;
import org.wildfly.security.password.Password;
import org.wildfly.security.password.PasswordFactory;
import org.wildfly.security.password.WildFlyElytronPasswordProvider;
import org.wildfly.security.password.interfaces.BCryptPassword;
import org.wildfly.security.password.util.ModularCrypt;

/** bcrypt (modular crypt format, cost 10) through Elytron. */
public final class PasswordHasher {
    private static final int COST = 10;
    private static final WildFlyElytronPasswordProvider PROVIDER = new WildFlyElytronPasswordProvider();
    // A real hash, so unknown users cost as much time as known ones (no user enumeration by timing).
    private static final String DUMMY = BcryptUtil.bcryptHash("not-a-password", COST);

    private PasswordHasher() {
    }

    public static String hash(String password) {
        return BcryptUtil.bcryptHash(password, COST);
    }

    public static boolean verify(String password, String hash) {
        if (password == null) {
            return false;
        }
        try {
            PasswordFactory factory = PasswordFactory.getInstance(BCryptPassword.ALGORITHM_BCRYPT, PROVIDER);
            Password stored = factory.translate(ModularCrypt.decode(hash == null ? DUMMY : hash));
            return factory.verify(stored, password.toCharArray()) && hash != null;
        } catch (Exception e) {
            return false;
        }
    }
}
