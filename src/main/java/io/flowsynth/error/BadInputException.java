package io.flowsynth.error;

/**
 * The user's input is wrong: a missing or existing path, a bad option value, an unsupported column type.
 * The CLI turns it into one line on stderr and exit code 2. The message must name the thing that is wrong
 * (option, path or column) and say what was expected.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
