package org.cam.protocol.ticket;

/** What a session may do: full keyboard/mouse control, or watch only. */
public enum TicketMode {
    CONTROL(1),
    VIEW(2);

    private final int code;

    TicketMode(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    static TicketMode ofCode(int code) {
        switch (code) {
            case 1: return CONTROL;
            case 2: return VIEW;
            default: return null;
        }
    }
}
