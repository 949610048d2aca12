package io.asyncgate.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncgate.json.Json;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.OperationStatus;
import io.asyncgate.operation.OperationView;
import io.asyncgate.operation.Progress;
import io.asyncgate.operation.StepProgress;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The status document of docs/API.md, rendered from an operation as read. */
final class StatusDocument {
  private StatusDocument() {}

  /**
   * @param inlineResultMax a succeeded JSON result up to this many bytes is included as "result";
   *     0 leaves it out (listings)
   */
  static ObjectNode of(OperationView op, String base, long inlineResultMax) {
    Progress p = op.progress();
    ObjectNode doc = Json.object();
    doc.put("id", op.id());
    doc.put("type", op.type());
    doc.put("status", p.status().name());
    doc.put("phase", p.phase().wire());
    doc.put("percentComplete", p.percentComplete());
    doc.put("createdDateTime", time(p.createdAt()));
    doc.put("lastUpdatedDateTime", time(p.updatedAt()));
    doc.put("cancelRequested", p.cancelRequested());
    if (op.queuePosition() != null) {
      // Waiting for its node to have room for one more saga: 1 means it is next.
      doc.put("queuePosition", op.queuePosition());
    }
    ArrayNode steps = doc.putArray("steps");
    for (StepProgress s : p.steps()) {
      ObjectNode step = steps.addObject();
      step.put("name", s.name());
      step.put("status", s.status().name());
      step.put("attempts", s.attempts());
      if (s.lastFailure() != null) {
        step.set("lastError", Json.tree(s.lastFailure().toError()));
      }
      if (s.compensation() != null) {
        ObjectNode compensation = step.putObject("compensation");
        compensation.put("status", s.compensation().name());
        compensation.put("attempts", s.compensationAttempts());
        if (s.compensationFailure() != null) {
          compensation.set("lastError", Json.tree(s.compensationFailure().toError()));
        }
      }
    }
    if (p.status() == OperationStatus.Succeeded) {
      doc.put("resourceLocation", PublicUrls.result(base, op.id()));
      OperationResult result = op.result();
      if (inlineResultMax > 0 && result != null && result.isJson() && result.body().length <= inlineResultMax) {
        try {
          doc.set("result", Json.MAPPER.readTree(result.body()));
        } catch (IOException e) {
          // Not valid JSON after all: it stays reachable at resourceLocation.
        }
      }
    }
    if ((p.status() == OperationStatus.Failed || p.status() == OperationStatus.Canceled) && p.error() != null) {
      doc.set("error", Json.tree(p.error()));
    }
    return doc;
  }

  private static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
