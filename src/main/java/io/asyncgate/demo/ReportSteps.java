package io.asyncgate.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.asyncgate.Json;
import io.asyncgate.saga.Step;
import io.asyncgate.saga.StepContext;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The demo file operation ({@code POST /files}): collect rows, then render them as a CSV file
 * that the result endpoint serves as {@code text/csv} attachment.
 */
public final class ReportSteps {
  private ReportSteps() {}

  public static final class CollectData implements Step {
    private final Duration work;

    public CollectData(Config settings) {
      this.work = SimulatedWork.duration(settings);
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      return ctx.delay(work).thenApply(v -> {
        int rows = ctx.body().path("rows").asInt();
        ObjectNode out = Json.object();
        ArrayNode data = out.putArray("rows");
        for (int i = 1; i <= rows; i++) {
          data.addArray().add(i).add("item-" + i).add(i * 7 % 100);
        }
        return out;
      });
    }
  }

  public static final class RenderCsv implements Step {
    private final Duration work;

    public RenderCsv(Config settings) {
      this.work = SimulatedWork.duration(settings);
    }

    @Override
    public CompletionStage<JsonNode> execute(StepContext ctx) {
      return ctx.delay(work).thenApply(v -> {
        StringBuilder csv = new StringBuilder("row,name,value\r\n");
        for (JsonNode row : ctx.output("collect-data").orElseThrow().path("rows")) {
          csv.append(row.get(0).asInt()).append(',').append(row.get(1).asText()).append(',').append(row.get(2).asInt()).append("\r\n");
        }
        ObjectNode file = Json.object();
        file.put("contentType", "text/csv; charset=UTF-8");
        file.put("fileName", ctx.body().path("name").asText() + ".csv");
        file.put("content", csv.toString());
        return file;
      });
    }
  }
}
