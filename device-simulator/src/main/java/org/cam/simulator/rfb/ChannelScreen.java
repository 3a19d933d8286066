package org.cam.simulator.rfb;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The live test screen of one channel: what the "target server" shows. Drawn with Java2D into a scratch
 * image, then diffed tile by tile against the published image, so viewers are told exactly which 64x64
 * tiles changed.
 *
 * <p>Pixels exist only while someone watches ({@link #acquire}/{@link #release}): a fleet of 1,000 devices
 * with 3 channels would otherwise hold 9 GB of framebuffers. All methods synchronise on this object; encoders
 * read {@link #pixels()} while holding the same lock.
 */
public final class ChannelScreen {

    /** Tile edge used for change tracking (and ZRLE's tile size). */
    public static final int TILE = 64;
    /** How far the bottom band scrolls per tick; viewers that support CopyRect get it as a copy. */
    public static final int SCROLL_STEP = 8;

    private static final int[] BAND_COLOURS = {
        0xc0c0c0, 0xc0c000, 0x00c0c0, 0x00c000, 0xc000c0, 0xc00000, 0x0000c0, 0x202020,
    };
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** What a viewer hears about: a set of changed tiles. */
    public interface Listener {
        void screenChanged(BitSet tiles);
    }

    private final int width;
    private final int height;
    private final Supplier<String[]> captions;
    private final Clock clock;
    private final int tilesX;
    private final int tilesY;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private int viewers;
    private BufferedImage scratch;
    private int[] scratchPixels;
    private int[] current;
    private final StringBuilder keys = new StringBuilder();
    private int pointerX = -1;
    private int pointerY = -1;
    private int buttons;
    private boolean powered = true;
    private long ticks;
    private long bandVersion;
    private boolean lastBandChangeWasScroll;
    private int scrollOffset;
    private String clipboard = "";

    /**
     * @param captions supplies {target name, device/channel line} at every redraw (names can change at runtime)
     */
    public ChannelScreen(int width, int height, Supplier<String[]> captions, Clock clock) {
        this.width = width;
        this.height = height;
        this.captions = captions;
        this.clock = clock;
        this.tilesX = (width + TILE - 1) / TILE;
        this.tilesY = (height + TILE - 1) / TILE;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int tilesX() {
        return tilesX;
    }

    public int tilesY() {
        return tilesY;
    }

    /** Tile index of (tx, ty). */
    public int tile(int tx, int ty) {
        return ty * tilesX + tx;
    }

    /** First row (in pixels) of the scrolling band: the last tile row. */
    public int bandY() {
        return (tilesY - 1) * TILE;
    }

    /** A viewer arrives: allocate and draw the screen if it is the first. */
    public synchronized void acquire(Listener l) {
        if (viewers++ == 0) {
            scratch = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            scratchPixels = ((DataBufferInt) scratch.getRaster().getDataBuffer()).getData();
            current = new int[width * height];
            draw();
            System.arraycopy(scratchPixels, 0, current, 0, current.length);
            bandVersion++;
            lastBandChangeWasScroll = false;
        }
        listeners.add(l);
    }

    /** A viewer leaves: free the pixels when it was the last. */
    public synchronized void release(Listener l) {
        if (listeners.remove(l) && --viewers == 0) {
            scratch = null;
            scratchPixels = null;
            current = null;
        }
    }

    public synchronized int viewers() {
        return viewers;
    }

    /** The published pixels (0xRRGGBB, row-major); only valid while holding the lock and having viewers. */
    public int[] pixels() {
        return current;
    }

    public synchronized long bandVersion() {
        return bandVersion;
    }

    /** True when the band's latest version is the previous one scrolled left by {@link #SCROLL_STEP}. */
    public synchronized boolean lastBandChangeWasScroll() {
        return lastBandChangeWasScroll;
    }

    /** Once a second: the clock moves and the band scrolls. */
    public void tick() {
        BitSet changed;
        synchronized (this) {
            ticks++;
            if (viewers == 0) {
                return;
            }
            if (powered) {
                scrollOffset = (scrollOffset + SCROLL_STEP) % (BAND_COLOURS.length * 32);
            }
            changed = redraw(powered);
        }
        notifyListeners(changed);
    }

    /** A key event from a viewer: printable keys are appended to the "last keys" line on key down. */
    public void key(boolean down, int keysym) {
        if (!down) {
            return;
        }
        BitSet changed;
        synchronized (this) {
            keys.append(keyName(keysym));
            if (keys.length() > 48) {
                keys.delete(0, keys.length() - 48);
            }
            if (viewers == 0) {
                return;
            }
            changed = redraw(false);
        }
        notifyListeners(changed);
    }

    /** A pointer event: moves the mark. */
    public void pointer(int buttonMask, int x, int y) {
        BitSet changed;
        synchronized (this) {
            if (x == pointerX && y == pointerY && buttonMask == buttons) {
                return;
            }
            pointerX = x;
            pointerY = y;
            buttons = buttonMask;
            if (viewers == 0) {
                return;
            }
            changed = redraw(false);
        }
        notifyListeners(changed);
    }

    /** Clipboard text from a viewer (shown, shortened). */
    public void clipboard(String text) {
        BitSet changed;
        synchronized (this) {
            clipboard = text.length() > 60 ? text.substring(0, 60) : text;
            if (viewers == 0) {
                return;
            }
            changed = redraw(false);
        }
        notifyListeners(changed);
    }

    /** Power: off shows "NO SIGNAL", on the test screen again. */
    public void power(boolean on) {
        BitSet changed;
        synchronized (this) {
            if (powered == on) {
                return;
            }
            powered = on;
            if (viewers == 0) {
                return;
            }
            changed = redraw(false);
        }
        notifyListeners(changed);
    }

    /** Redraw anything that depends on names (after a configuration change). */
    public void refresh() {
        BitSet changed;
        synchronized (this) {
            if (viewers == 0) {
                return;
            }
            changed = redraw(false);
        }
        notifyListeners(changed);
    }

    /** The text shown in the "last keys" line (for the API status and tests). */
    public synchronized String typedKeys() {
        return keys.toString();
    }

    private void notifyListeners(BitSet changed) {
        if (changed.isEmpty()) {
            return;
        }
        for (Listener l : listeners) {
            l.screenChanged(changed);
        }
    }

    /** Draws, diffs against the published pixels, publishes changed tiles; returns them. */
    private BitSet redraw(boolean scrolled) {
        draw();
        BitSet changed = new BitSet(tilesX * tilesY);
        for (int ty = 0; ty < tilesY; ty++) {
            int y0 = ty * TILE;
            int y1 = Math.min(height, y0 + TILE);
            for (int tx = 0; tx < tilesX; tx++) {
                int x0 = tx * TILE;
                int w = Math.min(width, x0 + TILE) - x0;
                boolean diff = false;
                for (int y = y0; y < y1 && !diff; y++) {
                    int o = y * width + x0;
                    diff = !java.util.Arrays.equals(scratchPixels, o, o + w, current, o, o + w);
                }
                if (diff) {
                    changed.set(tile(tx, ty));
                    for (int y = y0; y < y1; y++) {
                        int o = y * width + x0;
                        System.arraycopy(scratchPixels, o, current, o, w);
                    }
                }
            }
        }
        int bandFrom = tile(0, tilesY - 1);
        if (!changed.get(bandFrom, bandFrom + tilesX).isEmpty()) {
            bandVersion++;
            lastBandChangeWasScroll = scrolled;
        }
        return changed;
    }

    private void draw() {
        Graphics2D g = scratch.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
            if (!powered) {
                g.setColor(Color.BLACK);
                g.fillRect(0, 0, width, height);
                g.setColor(new Color(0x808080));
                g.setFont(new Font(Font.MONOSPACED, Font.BOLD, 32));
                g.drawString("NO SIGNAL", width / 2 - 90, height / 2);
                return;
            }
            g.setColor(new Color(0x10243e));
            g.fillRect(0, 0, width, bandY());
            String[] cap = captions.get();
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 40));
            g.drawString(cap[0], 40, 80);
            g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 20));
            g.setColor(new Color(0xa0c4ff));
            g.drawString(cap[1], 40, 120);
            g.setColor(new Color(0xffd166));
            g.setFont(new Font(Font.MONOSPACED, Font.BOLD, 28));
            g.drawString(CLOCK.format(clock.instant()), 40, 190);
            g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 22));
            g.setColor(new Color(0x06d6a0));
            g.drawString("keys:  " + keys, 40, 260);
            g.setColor(new Color(0xcccccc));
            g.drawString("clip:  " + clipboard, 40, 300);
            g.drawString("mouse: " + (pointerX < 0 ? "-" : pointerX + "," + pointerY + " buttons " + buttons), 40, 340);
            drawPointer(g);
        } finally {
            g.dispose();
        }
        drawBand();
    }

    private void drawPointer(Graphics2D g) {
        if (pointerX < 0) {
            return;
        }
        // The mark stays out of the band so that the band is a pure function of the scroll offset (CopyRect).
        g.setClip(0, 0, width, bandY());
        g.setColor(buttons != 0 ? new Color(0xef476f) : Color.WHITE);
        g.setStroke(new BasicStroke(2));
        g.drawLine(pointerX - 10, pointerY, pointerX + 10, pointerY);
        g.drawLine(pointerX, pointerY - 10, pointerX, pointerY + 10);
        g.drawOval(pointerX - 6, pointerY - 6, 12, 12);
        g.setClip(null);
    }

    private void drawBand() {
        int period = BAND_COLOURS.length * 32;
        for (int y = bandY(); y < height; y++) {
            int row = y * width;
            int shade = (y - bandY()) * 2;
            for (int x = 0; x < width; x++) {
                int c = BAND_COLOURS[((x + scrollOffset) % period) / 32];
                int r = Math.max(0, ((c >> 16) & 0xff) - shade);
                int gr = Math.max(0, ((c >> 8) & 0xff) - shade);
                int b = Math.max(0, (c & 0xff) - shade);
                scratchPixels[row + x] = (r << 16) | (gr << 8) | b;
            }
        }
    }

    static String keyName(int keysym) {
        if (keysym >= 0x20 && keysym <= 0x7e || keysym >= 0xa0 && keysym <= 0xff) {
            return String.valueOf((char) keysym);
        }
        switch (keysym) {
            case 0xff0d: return "<Enter>";
            case 0xff08: return "<BS>";
            case 0xff09: return "<Tab>";
            case 0xff1b: return "<Esc>";
            default: return "<" + Integer.toHexString(keysym) + ">";
        }
    }
}
