package io.asyncgate.operation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.asyncgate.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What {@code GET /operations/{id}/result} serves: bytes with their own content type and, for a
 * file, the name offered in {@code Content-Disposition} — or, under the content type {@link
 * #DOWNSTREAM}, a {@link DownstreamResource} to stream from (so the view stores it like any result).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationResult(String contentType, String fileName, byte[] body) {

  public static final String JSON = "application/json";
  /** Not JSON on purpose: a reference is never inlined in the status document as the result. */
  public static final String DOWNSTREAM = "application/vnd.asyncgate.downstream-resource";

  public static OperationResult json(Object value) {
    return new OperationResult(JSON, null, Json.bytes(value));
  }

  public static OperationResult file(String contentType, String fileName, String text) {
    return new OperationResult(contentType, fileName, text.getBytes(StandardCharsets.UTF_8));
  }

  public static OperationResult downstream(DownstreamResource resource) {
    return new OperationResult(DOWNSTREAM, null, Json.bytes(resource));
  }

  /** The resource to stream, when the result is one. */
  @JsonIgnore
  public Optional<DownstreamResource> downstreamResource() {
    return contentType.equals(DOWNSTREAM) ? Optional.of(Json.read(new String(body, StandardCharsets.UTF_8), DownstreamResource.class))
        : Optional.empty();
  }

  @JsonIgnore
  public boolean isJson() {
    return Json.isJsonMediaType(contentType);
  }
}
