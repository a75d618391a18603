package ktp.render;

/** A card that cannot be rendered as asked: names the element or input and what is wrong. Nothing is clipped silently. */
public final class RenderException extends Exception {
    private final String element;

    public RenderException(String element, String message) {
        super(element + ": " + message);
        this.element = element;
    }

    public RenderException(String element, String message, Throwable cause) {
        super(element + ": " + message, cause);
        this.element = element;
    }

    public String element() { return element; }
}
