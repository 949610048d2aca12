package io.asyncgate.step.http;

import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import io.asyncgate.step.CompensableStep;
import io.asyncgate.step.FailureKind;
import io.asyncgate.step.Step;
import io.asyncgate.step.StepContext;
import io.asyncgate.step.StepFailure;
import io.asyncgate.step.StepKind;
import io.asyncgate.template.MissingValueException;
import io.asyncgate.template.Template;
import io.asyncgate.template.TemplateValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One downstream call per element of an array, at most {@code parallelism} at a time; the output is
 * the array of their outputs, in the items' order. Item {@code i} is sent with the idempotency key
 * {@code {requestId}:{step}:{i}}, its compensation with {@code {requestId}:{step}:{i}:compensation}.
 *
 * <p>All items run to an outcome. If any is rejected, the items that succeeded (or whose outcome is in
 * doubt) are compensated at once and the step is rejected naming the failed items. If items only
 * failed transiently, the whole step fails transiently and the saga retries it: calling the items that
 * already succeeded again is safe, their keys are the same, and the saga's backoff and attempt limit
 * apply to the step as a whole. A failed attempt that leaves items done (some succeeded, or their
 * clean-up failed) says so, and a step given up after such an attempt is compensated by the saga, item
 * by item, with the compensation's retries; if that keeps failing the operation ends
 * {@code compensation-failed}, visible to an operator.
 *
 * <p>Each item's call has the step's timeout, counted from the moment it leaves its downstream's
 * queue; a timed-out item leaves the attempt in doubt.
 */
public class FanOutStep implements Step {
  public static final String ITEMS_FAILED = "FanOutItemsFailed";
  public static final String ITEMS_NOT_ARRAY = "FanOutItemsNotArray";
  /**
   * Some items were rejected and the others could not all be undone: the attempt is repeated, and if
   * the step is given up the saga compensates it, so no effect is silently left behind.
   */
  public static final String COMPENSATION_INCOMPLETE = "FanOutCompensationIncomplete";

  /**
   * {@code fan-out { items, parallelism, http { … }, compensation { … } }}: {@code items} is one
   * placeholder naming a JSON array; each item's templates may use {@code {item}}.
   */
  public static final StepKind KIND = new StepKind() {
    @Override
    public String key() {
      return BLOCK;
    }

    @Override
    public Step read(Config step, Declaration d) {
      return fromConfig(step.getConfig(BLOCK), d);
    }
  };
  private static final String BLOCK = "fan-out";
  private static final Set<String> KEYS = Set.of("items", "parallelism", "http", "compensation");
  private static final int DEFAULT_PARALLELISM = 4;

  private final Template items;
  private final int parallelism;
  private final HttpCall call;
  private final HttpCall compensation;

  private FanOutStep(Template items, int parallelism, HttpCall call, HttpCall compensation) {
    this.items = items;
    this.parallelism = parallelism;
    this.call = call;
    this.compensation = compensation;
  }

  /**
   * @param items a template that is exactly one placeholder resolving to a JSON array
   * @param compensation the call undoing one item, or null
   */
  public static Step of(Template items, int parallelism, HttpCall call, HttpCall compensation) {
    return compensation == null
        ? new FanOutStep(items, parallelism, call, null)
        : new Compensable(items, parallelism, call, compensation);
  }

  private static Step fromConfig(Config f, StepKind.Declaration d) {
    for (String key : f.root().keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(BLOCK + ": unknown key '" + key + "'; a fan-out takes " + new TreeSet<>(KEYS));
      }
    }
    Template items = Template.parse(f.getString("items"));
    if (items.whole().isEmpty()) {
      throw new IllegalArgumentException("fan-out.items: '" + items + "' must be exactly one placeholder naming a JSON array,"
          + " e.g. \"{body/devices}\" or \"{steps.list-devices/devices}\"");
    }
    try {
      d.scope().check(items.placeholders());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("fan-out.items: " + e.getMessage(), e);
    }
    int parallelism = f.hasPath("parallelism") ? f.getInt("parallelism") : DEFAULT_PARALLELISM;
    if (parallelism < 1) {
      throw new IllegalArgumentException("fan-out.parallelism: must be at least 1, was " + parallelism);
    }
    HttpCall call = HttpCall.fromConfig(f.getConfig("http"), "fan-out.http", d.scope().withItem(), "POST", d.maxResponseSize());
    HttpCall compensation = f.hasPath("compensation")
        ? HttpCall.fromConfig(f.getConfig("compensation"), "fan-out.compensation", d.compensationScope().withItem(), "POST",
            d.maxResponseSize())
        : null;
    return of(items, parallelism, call, compensation);
  }

  @Override
  public CompletionStage<JsonNode> execute(StepContext context) {
    List<JsonNode> elements = elements(context);
    return runEach(context, elements, call, i -> itemKey(context, i), IntStream.range(0, elements.size()).boxed().toList())
        .thenComposeAsync(outcomes -> {
          List<Outcome> failed = outcomes.stream().filter(Outcome::failed).toList();
          if (failed.isEmpty()) {
            ArrayNode outputs = JsonNodeFactory.instance.arrayNode();
            outcomes.forEach(o -> outputs.add(o.output()));
            return CompletableFuture.completedFuture((JsonNode) outputs);
          }
          String summary = failed.size() + " of " + elements.size() + " item(s) failed: " + describe(failed);
          if (failed.stream().noneMatch(Outcome::rejected)) {
            throw retry(summary, failed, outcomes.size());
          }
          List<Integer> toUndo = outcomes.stream().filter(o -> !o.rejected()).map(Outcome::index).toList();
          return undo(context, elements, toUndo).handle((undone, undoFailure) -> {
            if (undoFailure != null) {
              // Retried as a whole; if it is given up, the saga compensates every item with the
              // compensation's own retries, and a clean-up that never works ends compensation-failed.
              throw StepFailure.transientFailure(COMPENSATION_INCOMPLETE, summary + "; " + unwrap(undoFailure).getMessage())
                  .leavingEffects();
            }
            boolean compensated = compensation != null && !toUndo.isEmpty();
            throw StepFailure.rejected(ITEMS_FAILED, summary + (compensated ? "; items " + toUndo + " were compensated" : ""));
          });
        }, context.executor());
  }

  @Override
  public boolean enforcesOwnTimeout() {
    return true;
  }

  /**
   * The transient failure of an attempt whose items failed only transiently. Items that succeeded stay
   * done while the step waits for its retry, and a timed-out item may have taken effect: if the step
   * is given up, the saga must undo them like those of a step that succeeded. When every failed item
   * was throttled, so is the step, waiting at least as long as the longest Retry-After asked.
   */
  private static StepFailure retry(String summary, List<Outcome> failed, int items) {
    StepFailure retry = StepFailure.transientFailure(ITEMS_FAILED, summary);
    boolean inDoubt = failed.size() < items || failed.stream().anyMatch(Outcome::timedOut);
    retry = inDoubt ? retry.leavingEffects() : retry;
    if (failed.stream().allMatch(Outcome::throttled)) {
      retry = retry.throttled();
    }
    Optional<Duration> retryAfter = failed.stream()
        .flatMap(o -> o.failure() instanceof StepFailure f ? f.retryAfter().stream() : Stream.empty())
        .max(Duration::compareTo);
    return retryAfter.map(retry::retryAfter).orElse(retry);
  }

  /** Compensates the given items; fails transiently, naming them, when any compensation failed. */
  CompletionStage<Void> undo(StepContext context, List<JsonNode> elements, List<Integer> indices) {
    if (compensation == null || indices.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return runEach(context, elements, compensation, i -> HttpCall.compensationKey(itemKey(context, i)), indices).thenApplyAsync(outcomes -> {
      List<Outcome> failed = outcomes.stream().filter(Outcome::failed).toList();
      if (!failed.isEmpty()) {
        throw StepFailure.transientFailure(COMPENSATION_INCOMPLETE,
            "Compensating " + failed.size() + " item(s) failed: " + describe(failed));
      }
      return null;
    }, context.executor());
  }

  List<JsonNode> elements(StepContext context) {
    JsonNode array;
    try {
      array = HttpCall.valuesOf(context).value(items.whole().orElseThrow());
    } catch (MissingValueException e) {
      throw DownstreamHttp.missingValue(e);
    }
    if (!array.isArray()) {
      throw StepFailure.rejected(ITEMS_NOT_ARRAY, "fan-out items " + items + " is " + array.getNodeType() + ", not an array");
    }
    List<JsonNode> elements = new ArrayList<>();
    array.forEach(elements::add);
    return elements;
  }

  private static String itemKey(StepContext context, int index) {
    return context.idempotencyKey() + ":" + index;
  }

  private CompletionStage<List<Outcome>> runEach(StepContext context, List<JsonNode> elements, HttpCall httpCall,
      IntFunction<String> idempotencyKey, List<Integer> indices) {
    DownstreamHttp downstream = DownstreamHttp.get(context.system());
    TemplateValues values = HttpCall.valuesOf(context);
    return Source.from(indices)
        .mapAsync(parallelism, i -> {
          CompletionStage<JsonNode> result;
          try {
            result = downstream.call(httpCall, values.withItem(elements.get(i)), idempotencyKey.apply(i), context.timeout(),
                context.abandoned());
          } catch (StepFailure e) {
            result = CompletableFuture.failedFuture(e);
          }
          return result.handle((output, failure) -> new Outcome(i, output, failure == null ? null : unwrap(failure)));
        })
        .runWith(Sink.seq(), context.system());
  }

  /** Each failed item with the downstream's own error, when it sent one (e.g. 409 DeviceLocked). */
  private static String describe(List<Outcome> failed) {
    return String.join("; ", failed.stream().map(o -> "item " + o.index() + ": " + o.failure().getMessage()
        + (o.failure() instanceof StepFailure f
            ? f.inner().map(inner -> " (" + inner.code() + ": " + inner.message() + ")").orElse("") : "")).toList());
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /** One item's call: its output, or why it failed. */
  private record Outcome(int index, JsonNode output, Throwable failure) {
    boolean failed() {
      return failure != null;
    }

    boolean rejected() {
      return failure instanceof StepFailure sf && sf.kind() == FailureKind.REJECTED;
    }

    boolean timedOut() {
      return failure instanceof StepFailure sf && sf.kind() == FailureKind.TIMEOUT;
    }

    boolean throttled() {
      return failure instanceof StepFailure sf && sf.isThrottled();
    }
  }

  private static final class Compensable extends FanOutStep implements CompensableStep {
    private Compensable(Template items, int parallelism, HttpCall call, HttpCall compensation) {
      super(items, parallelism, call, compensation);
    }

    /** Every item, whatever its outcome was: a compensation tolerates "nothing to undo". */
    @Override
    public CompletionStage<Void> compensate(StepContext context) {
      List<JsonNode> elements = elements(context);
      return undo(context, elements, IntStream.range(0, elements.size()).boxed().toList());
    }
  }
}
