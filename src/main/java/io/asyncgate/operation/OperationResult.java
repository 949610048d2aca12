package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.asyncgate.Json;
import java.nio.charset.StandardCharsets;

/**
 * What {@code GET /operations/{id}/result} serves: bytes with their own content type and, for a
 * file, the name offered in {@code Content-Disposition}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationResult(String contentType, String fileName, byte[] body) {

  public static final String JSON = "application/json";

  public static OperationResult json(Object value) {
    return new OperationResult(JSON, null, Json.bytes(value));
  }

  public static OperationResult file(String contentType, String fileName, String text) {
    return new OperationResult(contentType, fileName, text.getBytes(StandardCharsets.UTF_8));
  }

  @JsonIgnore
  public boolean isJson() {
    String base = contentType.split(";", 2)[0].trim().toLowerCase();
    return base.equals(JSON) || base.endsWith("+json");
  }
}
