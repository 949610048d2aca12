package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code error} of the status document (Microsoft REST guidelines' shape): always a code and a
 * message; an {@code innererror} with the cause, when there is one, has both too.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationError(String code, String message, Detail innererror) {

  public record Detail(String code, String message) {}

  public static OperationError of(String code, String message) {
    return new OperationError(code, message, null);
  }
}
