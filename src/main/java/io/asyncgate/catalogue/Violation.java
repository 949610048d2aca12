package io.asyncgate.catalogue;

/**
 * One thing wrong with a request.
 *
 * @param in "body" or "path"
 * @param pointer a JSON pointer into the body, or {@code /<name>} of the path parameter
 */
public record Violation(String in, String pointer, String detail, String keyword) {}
