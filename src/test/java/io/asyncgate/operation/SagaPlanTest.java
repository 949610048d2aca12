package io.asyncgate.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import io.asyncgate.operation.Failure;
import io.asyncgate.operation.OperationError;
import io.asyncgate.operation.OperationEvent;
import io.asyncgate.operation.OperationEvent.*;
import io.asyncgate.operation.OperationRequest;
import io.asyncgate.operation.OperationResult;
import io.asyncgate.operation.Progress;
import io.asyncgate.operation.SagaPlan.*;
import io.asyncgate.operation.StepPlan;
import io.asyncgate.step.FailureKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SagaPlan#next}: the saga's decisions, from recorded progress alone. */
class SagaPlanTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant NOW = T0.plusSeconds(60);
  private static final Failure FLAKY = new Failure(FailureKind.TRANSIENT, "Unavailable", "downstream 503", null);
  private static final Failure DECLINED = new Failure(FailureKind.REJECTED, "PaymentDeclined", "no money", null);
  private static final Failure TIMED_OUT = new Failure(FailureKind.TIMEOUT, "StepTimedOut", "too slow", null);

  /** Steps a, b, c are compensable; n is not. */
  private static Progress progress(List<StepPlan> plan, OperationEvent... events) {
    OperationRequest request = new OperationRequest("op-1", "t", "POST", "/t", Map.of(), null, "anonymous", T0, plan);
    Progress p = Progress.accepted(request);
    for (OperationEvent e : events) {
      p = p.apply(e);
    }
    return p;
  }

  private static Progress abc(OperationEvent... events) {
    return progress(List.of(new StepPlan("a", true), new StepPlan("b", true), new StepPlan("c", true)), events);
  }

  private static List<OperationEvent> succeeded(String... steps) {
    List<OperationEvent> events = new ArrayList<>();
    for (String s : steps) {
      events.add(new StepStarted(s, 1, T0));
      events.add(new StepSucceeded(s, IntNode.valueOf(1), T0));
    }
    return events;
  }

  private static OperationEvent[] concat(List<OperationEvent> first, OperationEvent... more) {
    List<OperationEvent> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all.toArray(OperationEvent[]::new);
  }

  private static Action next(Progress p) {
    return SagaPlan.next(p, NOW);
  }

  // ---- forward

  @Test
  void aNewOperationRunsItsFirstStep() {
    assertEquals(new Execute("a", 1), next(abc()));
  }

  @Test
  void afterASucceededStepTheNextOneRuns() {
    assertEquals(new Execute("b", 1), next(abc(succeeded("a").toArray(OperationEvent[]::new))));
    assertEquals(new Execute("c", 1), next(abc(succeeded("a", "b").toArray(OperationEvent[]::new))));
  }

  @Test
  void afterAFailedAttemptTheNextAttemptRuns() {
    assertEquals(new Execute("a", 2), next(abc(new StepStarted("a", 1, T0), new StepAttemptFailed("a", 1, FLAKY, T0))));
    assertEquals(new Execute("a", 3), next(abc(new StepStarted("a", 1, T0), new StepAttemptFailed("a", 1, FLAKY, T0),
        new StepStarted("a", 2, T0), new StepAttemptFailed("a", 2, FLAKY, T0))));
  }

  @Test
  void anInterruptedAttemptCountsAndTheNextAttemptRuns() {
    // StepStarted without an outcome: the node crashed during the attempt.
    assertEquals(new Execute("a", 2), next(abc(new StepStarted("a", 1, T0))));
    assertEquals(new Execute("b", 3), next(abc(concat(succeeded("a"),
        new StepStarted("b", 1, T0), new StepAttemptFailed("b", 1, FLAKY, T0), new StepStarted("b", 2, T0)))));
  }

  @Test
  void whenEveryStepSucceededTheResultIsMade() {
    assertEquals(new Complete(), next(abc(succeeded("a", "b", "c").toArray(OperationEvent[]::new))));
  }

  @Test
  void aTerminalOperationIsDone() {
    OperationEvent[] events = concat(succeeded("a", "b", "c"), new Succeeded(OperationResult.json(1), T0));
    assertInstanceOf(Done.class, next(abc(events)));
    assertInstanceOf(Done.class, next(abc(new CancelRequested(T0), new Canceled(T0))));
  }

  // ---- compensation

  @Test
  void aRejectedStepIsNotCompensatedButEarlierStepsAreInReverseOrder() {
    OperationEvent[] failed = concat(succeeded("a", "b"), new StepStarted("c", 1, T0), new StepFailed("c", DECLINED, T0));
    assertEquals(new Compensate("b", 1), next(abc(failed)));

    OperationEvent[] bUndone = concat(List.of(failed), new CompensationStarted("b", 1, T0), new CompensationSucceeded("b", T0));
    assertEquals(new Compensate("a", 1), next(abc(bUndone)));

    OperationEvent[] allUndone = concat(List.of(bUndone), new CompensationStarted("a", 1, T0), new CompensationSucceeded("a", T0));
    Action finish = next(abc(allUndone));
    assertEquals(new Finish(new OperationEvent.Failed(DECLINED.toError(), FailureKind.REJECTED, NOW)), finish);
  }

  @Test
  void aTimedOutStepIsCompensatedFirst() {
    OperationEvent[] failed = concat(succeeded("a", "b"),
        new StepStarted("c", 1, T0), new StepAttemptFailed("c", 1, TIMED_OUT, T0),
        new StepStarted("c", 2, T0), new StepFailed("c", TIMED_OUT, T0));
    assertEquals(new Compensate("c", 1), next(abc(failed)));
  }

  @Test
  void aStepThatOnceTimedOutStaysInDoubtEvenIfItLastFailedTransiently() {
    OperationEvent[] failed = concat(succeeded("a"),
        new StepStarted("b", 1, T0), new StepAttemptFailed("b", 1, TIMED_OUT, T0),
        new StepStarted("b", 2, T0), new StepFailed("b", FLAKY, T0));
    assertEquals(new Compensate("b", 1), next(abc(failed)));
  }

  @Test
  void aStepThatOnlyFailedTransientlyIsNotCompensated() {
    OperationEvent[] failed = concat(succeeded("a"),
        new StepStarted("b", 1, T0), new StepAttemptFailed("b", 1, FLAKY, T0),
        new StepStarted("b", 2, T0), new StepFailed("b", FLAKY, T0));
    assertEquals(new Compensate("a", 1), next(abc(failed)));
  }

  @Test
  void aStepOnceInterruptedStaysInDoubtAfterLaterAttemptsFailTransiently() {
    OperationEvent[] failed = concat(succeeded("a"),
        new StepStarted("b", 1, T0), // no outcome: cut off by a crash
        new StepStarted("b", 2, T0), new StepAttemptFailed("b", 2, FLAKY, T0),
        new StepStarted("b", 3, T0), new StepFailed("b", FLAKY, T0));
    assertEquals(new Compensate("b", 1), next(abc(failed)));
  }

  @Test
  void aStepGivenUpBecauseItsLastAttemptWasInterruptedIsCompensated() {
    Failure interrupted = new Failure(FailureKind.TRANSIENT, Failure.INTERRUPTED_CODE, "interrupted", null);
    OperationEvent[] failed = concat(succeeded("a"), new StepStarted("b", 1, T0), new StepFailed("b", interrupted, T0));
    assertEquals(new Compensate("b", 1), next(abc(failed)));
  }

  @Test
  void aStepInterruptedDuringACancelIsCompensatedBeforeTheEarlierOnes() {
    OperationEvent[] events = concat(succeeded("a"), new StepStarted("b", 1, T0), new CancelRequested(T0));
    assertEquals(new Compensate("b", 1), next(abc(events)));
  }

  @Test
  void aStepWaitingForItsRetryIsNotCompensatedOnCancel() {
    OperationEvent[] events = concat(succeeded("a"),
        new StepStarted("b", 1, T0), new StepAttemptFailed("b", 1, FLAKY, T0), new CancelRequested(T0));
    assertEquals(new Compensate("a", 1), next(abc(events)));
  }

  @Test
  void aFailedOrInterruptedCompensationAttemptIsRetried() {
    OperationEvent[] failed = concat(succeeded("a"), new StepStarted("b", 1, T0), new StepFailed("b", DECLINED, T0),
        new CompensationStarted("a", 1, T0), new CompensationAttemptFailed("a", 1, FLAKY, T0));
    assertEquals(new Compensate("a", 2), next(abc(failed)));

    OperationEvent[] interrupted = concat(List.of(failed), new CompensationStarted("a", 2, T0));
    assertEquals(new Compensate("a", 3), next(abc(interrupted)));
  }

  @Test
  void aStepWithoutCompensationIsSkipped() {
    List<StepPlan> plan = List.of(new StepPlan("a", true), new StepPlan("n", false), new StepPlan("c", true));
    OperationEvent[] failed = concat(succeeded("a", "n"), new StepStarted("c", 1, T0), new StepFailed("c", DECLINED, T0));
    assertEquals(new Compensate("a", 1), next(progress(plan, failed)));
  }

  @Test
  void aCancelWithNothingToUndoFinishesCanceled() {
    assertEquals(new Finish(new Canceled(NOW)), next(abc(new CancelRequested(T0))));
  }

  @Test
  void aCancelAfterEveryCompensationFinishesCanceled() {
    OperationEvent[] events = concat(succeeded("a"), new CancelRequested(T0),
        new CompensationStarted("a", 1, T0), new CompensationSucceeded("a", T0));
    assertEquals(new Finish(new Canceled(NOW)), next(abc(events)));
  }

  @Test
  void aCompensationGivenUpFinishesFailedNamingTheOriginalCause() {
    OperationEvent[] events = concat(succeeded("a", "b"), new StepStarted("c", 1, T0), new StepFailed("c", DECLINED, T0),
        new CompensationStarted("b", 1, T0), new CompensationFailed("b", FLAKY, T0));
    // The other steps are still undone before the end.
    assertEquals(new Compensate("a", 1), next(abc(events)));

    OperationEvent[] done = concat(List.of(events), new CompensationStarted("a", 1, T0), new CompensationSucceeded("a", T0));
    Finish finish = (Finish) next(abc(done));
    OperationEvent.Failed failed = (OperationEvent.Failed) finish.terminal();
    assertEquals(Progress.COMPENSATION_FAILED_CODE, failed.error().code());
    assertEquals(new OperationError.Detail("PaymentDeclined", "no money"), failed.error().innererror());
    assertTrue(failed.error().message().contains("[b]"), failed.error().message());
    assertEquals(FailureKind.REJECTED, failed.kind());
    assertEquals(NOW, failed.at());
  }

  @Test
  void aCompensationGivenUpAfterACancelNamesTheCancel() {
    OperationEvent[] events = concat(succeeded("a"), new CancelRequested(T0),
        new CompensationStarted("a", 1, T0), new CompensationFailed("a", FLAKY, T0));
    OperationEvent.Failed failed = (OperationEvent.Failed) ((Finish) next(abc(events))).terminal();
    assertEquals(Progress.COMPENSATION_FAILED_CODE, failed.error().code());
    assertEquals(Progress.CANCELED_CODE, failed.error().innererror().code());
    assertEquals(FailureKind.TRANSIENT, failed.kind());
  }

  // ---- what needs compensation

  @Test
  void needsCompensationSaysWhichStepsMayHaveHadAnEffect() {
    Progress p = abc(concat(succeeded("a"),
        new StepStarted("b", 1, T0), new StepFailed("b", DECLINED, T0),
        new StepStarted("c", 1, T0), new StepAttemptFailed("c", 1, TIMED_OUT, T0)));
    assertTrue(p.step("a").needsCompensation(), "succeeded");
    assertFalse(p.step("b").needsCompensation(), "rejected: did nothing");
    assertTrue(p.step("c").needsCompensation(), "timed out: in doubt");

    Progress interrupted = abc(new StepStarted("a", 1, T0));
    assertTrue(interrupted.step("a").needsCompensation(), "interrupted: in doubt");
    assertFalse(interrupted.step("b").needsCompensation(), "never started");

    Progress transientOnly = abc(new StepStarted("a", 1, T0), new StepAttemptFailed("a", 1, FLAKY, T0));
    assertFalse(transientOnly.step("a").needsCompensation(), "failed transiently, not in doubt");
  }

  @Test
  void needsCompensationIsFalseOnceCompensatedOrGivenUpOrWhenNotCompensable() {
    Progress compensated = abc(concat(succeeded("a"), new CompensationStarted("a", 1, T0), new CompensationSucceeded("a", T0)));
    assertFalse(compensated.step("a").needsCompensation());

    Progress givenUp = abc(concat(succeeded("a"), new CompensationStarted("a", 1, T0), new CompensationFailed("a", FLAKY, T0)));
    assertFalse(givenUp.step("a").needsCompensation());

    Progress running = abc(concat(succeeded("a"), new CompensationStarted("a", 1, T0)));
    assertTrue(running.step("a").needsCompensation(), "a compensation under way is not finished");

    Progress notCompensable = progress(List.of(new StepPlan("n", false)), succeeded("n").toArray(OperationEvent[]::new));
    assertFalse(notCompensable.step("n").needsCompensation());
  }
}
