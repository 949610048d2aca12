package io.asyncgate.operation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The request as accepted: everything the saga needs to do the work, also after a restart. */
public record OperationRequest(
    String id,
    String type,
    String method,
    String path,
    Map<String, String> pathParams,
    JsonNode body,
    String principal,
    Instant acceptedAt,
    List<StepPlan> steps) {}
