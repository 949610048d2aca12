package io.asyncgate.json;

import akka.serialization.jackson.JacksonObjectMapperFactory;
import akka.serialization.jackson.JacksonObjectMapperProviderSetup;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The one Jackson configuration used for HTTP bodies and the view's JSON columns, and the number
 * handling the journal's serializer shares with it.
 *
 * <p>Numbers pass through unchanged: a gateway must not turn a downstream's {@code 30.00} into
 * {@code 30.0}, nor round {@code 0.1000000000000000055511151231257827} to a double. Decimals are read
 * as {@link java.math.BigDecimal} and kept with their scale.
 */
public final class Json {
  private static final JsonNodeFactory EXACT_NUMBERS = JsonNodeFactory.withExactBigDecimals(true);

  public static final ObjectMapper MAPPER =
      exactNumbers(new ObjectMapper())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // A request body like {"a":1}{"b":2} or {"a":1,"a":2} is malformed, not "the first object".
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /**
   * Deepest nesting of arrays and objects accepted in a request body. Deeper JSON is refused before
   * it is built into a tree: the validator, the serializer and the steps all recurse over it.
   */
  public static final int MAX_NESTING = 64;

  private Json() {}

  private static ObjectMapper exactNumbers(ObjectMapper mapper) {
    return mapper.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).setNodeFactory(EXACT_NUMBERS);
  }

  /**
   * For the actor system: Akka's {@code jackson-json} serializer, which writes events (step outputs,
   * request bodies) to the journal and messages between nodes, keeps numbers as exactly as
   * {@link #MAPPER} does, so an operation recovered from the journal shows the same numbers.
   */
  public static JacksonObjectMapperProviderSetup serializationSetup() {
    return JacksonObjectMapperProviderSetup.create(new JacksonObjectMapperFactory() {
      @Override
      public ObjectMapper newObjectMapper(String bindingName, JsonFactory jsonFactory) {
        return exactNumbers(super.newObjectMapper(bindingName, jsonFactory));
      }
    });
  }

  /** Parses JSON, refusing (as malformed) nesting deeper than {@code maxDepth} without recursing. */
  public static JsonNode readTreeNoDeeperThan(byte[] json, int maxDepth) throws IOException {
    try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
      int depth = 0;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token.isStructStart() && ++depth > maxDepth) {
          throw new JsonParseException(parser, "nesting deeper than " + maxDepth + " levels");
        } else if (token.isStructEnd()) {
          depth--;
        }
      }
    }
    return MAPPER.readTree(json);
  }

  /**
   * Whether a media type is JSON: {@code application/json} or a JSON-based {@code application/…+json}
   * (RFC 6839), in any case, with or without parameters. The one answer for request bodies and results.
   */
  public static boolean isJsonMediaType(String mediaType) {
    String type = mediaType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  public static String string(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }
}
