package io.asyncgate.operation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import io.asyncgate.operation.OperationEvent.*;
import io.asyncgate.operation.OperationState.Empty;
import io.asyncgate.operation.OperationState.Operation;
import io.asyncgate.operation.StepProgress.StepStatus;
import io.asyncgate.step.FailureKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Progress#apply}: what each event does to the status document. */
class ProgressTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Failure FLAKY = new Failure(FailureKind.TRANSIENT, "Unavailable", "downstream 503", null);
  private static final Failure DECLINED = new Failure(FailureKind.REJECTED, "PaymentDeclined", "no money",
      new OperationError.Detail("card_declined", "insufficient funds"));
  private static final Failure TIMED_OUT = new Failure(FailureKind.TIMEOUT, "StepTimedOut", "too slow", null);

  private static OperationRequest request() {
    return new OperationRequest("op-1", "orders", "POST", "/orders", Map.of(), IntNode.valueOf(1), "anonymous", T0,
        List.of(new StepPlan("a", true), new StepPlan("b", true), new StepPlan("c", false)));
  }

  private static Instant t(int seconds) {
    return T0.plusSeconds(seconds);
  }

  private static Progress fold(OperationEvent... events) {
    Progress p = Progress.accepted(request());
    for (OperationEvent e : events) {
      p = p.apply(e);
    }
    return p;
  }

  @Test
  void acceptedIsNotStartedWithEveryStepPlanned() {
    Progress p = ((Operation) new Empty().apply(new Accepted(request()))).progress();

    assertEquals(OperationStatus.NotStarted, p.status());
    assertEquals(Phase.ACCEPTED, p.phase());
    assertFalse(p.cancelRequested());
    assertEquals(T0, p.createdAt());
    assertEquals(T0, p.updatedAt());
    assertEquals(List.of("a", "b", "c"), p.steps().stream().map(StepProgress::name).toList());
    assertTrue(p.steps().stream().allMatch(s -> s.status() == StepStatus.NotStarted && s.attempts() == 0));
    assertEquals(List.of(true, true, false), p.steps().stream().map(StepProgress::compensable).toList());
    assertEquals(0, p.percentComplete());
    assertNull(p.error());
  }

  @Test
  void stepStartedMakesTheOperationRunning() {
    Progress p = fold(new StepStarted("a", 1, t(1)));

    assertEquals(OperationStatus.Running, p.status());
    assertEquals(Phase.RUNNING, p.phase());
    assertEquals(StepStatus.Running, p.step("a").status());
    assertEquals(1, p.step("a").attempts());
    assertTrue(p.step("a").attemptOpen());
    assertEquals(t(1), p.updatedAt());
    assertEquals(T0, p.createdAt());
  }

  @Test
  void attemptFailedIsRetryingAndKeepsTheStepRunning() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepAttemptFailed("a", 1, FLAKY, t(2)));

    assertEquals(OperationStatus.Running, p.status());
    assertEquals(Phase.RETRYING, p.phase());
    StepProgress a = p.step("a");
    assertEquals(StepStatus.Running, a.status());
    assertEquals(1, a.attempts());
    assertEquals(1, a.failedAttempts());
    assertFalse(a.attemptOpen());
    assertEquals(FLAKY, a.lastFailure());
    assertFalse(a.effectInDoubt());

    Progress again = p.apply(new StepStarted("a", 2, t(3)));
    assertEquals(Phase.RUNNING, again.phase());
    assertEquals(2, again.step("a").attempts());
    assertTrue(again.step("a").attemptOpen());
  }

  @Test
  void aTimedOutAttemptLeavesTheEffectInDoubt() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepAttemptFailed("a", 1, TIMED_OUT, t(2)),
        new StepStarted("a", 2, t(3)), new StepAttemptFailed("a", 2, FLAKY, t(4)));

    assertTrue(p.step("a").effectInDoubt(), "a later transient failure does not clear the doubt");
    assertEquals(FLAKY, p.step("a").lastFailure());
  }

  @Test
  void anAttemptStartedOverOneWithoutOutcomeMarksTheInterruptionAsInDoubt() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepStarted("a", 2, t(2)));
    assertTrue(p.step("a").effectInDoubt());
    assertEquals(2, p.step("a").attempts());

    Progress clean = fold(new StepStarted("a", 1, t(1)), new StepAttemptFailed("a", 1, FLAKY, t(2)), new StepStarted("a", 2, t(3)));
    assertFalse(clean.step("a").effectInDoubt(), "attempt 1 had an outcome");
  }

  @Test
  void stepSucceededCountsTowardsPercentComplete() {
    Progress one = fold(new StepStarted("a", 1, t(1)), new StepSucceeded("a", IntNode.valueOf(7), t(2)));
    assertEquals(StepStatus.Succeeded, one.step("a").status());
    assertEquals(Phase.RUNNING, one.phase());
    assertEquals(OperationStatus.Running, one.status());
    assertEquals(33, one.percentComplete());

    Progress two = one.apply(new StepStarted("b", 1, t(3))).apply(new StepSucceeded("b", IntNode.valueOf(8), t(4)));
    assertEquals(66, two.percentComplete());
  }

  @Test
  void stepFailedStartsCompensatingAndCarriesTheError() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepFailed("a", DECLINED, t(2)));

    assertEquals(OperationStatus.Running, p.status(), "still working: compensation comes first");
    assertEquals(Phase.COMPENSATING, p.phase());
    assertEquals(StepStatus.Failed, p.step("a").status());
    assertEquals(1, p.step("a").failedAttempts());
    assertEquals(DECLINED, p.step("a").lastFailure());
    assertEquals(DECLINED.toError(), p.error());
    assertEquals("card_declined", p.error().innererror().code());
    assertEquals(FailureKind.REJECTED, p.failureKind());
    assertEquals(t(2), p.updatedAt());
  }

  @Test
  void cancelRequestedOfANotStartedOperationStaysNotStarted() {
    Progress p = fold(new CancelRequested(t(1)));

    assertEquals(OperationStatus.NotStarted, p.status());
    assertEquals(Phase.CANCELLING, p.phase());
    assertTrue(p.cancelRequested());
    assertEquals(t(1), p.updatedAt());
  }

  @Test
  void cancelRequestedOfARunningOperationReadsCancellingUntilTheEnd() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new CancelRequested(t(2)));
    assertEquals(OperationStatus.Running, p.status());
    assertEquals(Phase.CANCELLING, p.phase());
    assertTrue(p.cancelRequested());

    // Every working phase reads "cancelling" from now on.
    p = p.apply(new StepSucceeded("a", IntNode.valueOf(1), t(3)));
    assertEquals(Phase.CANCELLING, p.phase());
    p = p.apply(new CompensationStarted("a", 1, t(4)));
    assertEquals(Phase.CANCELLING, p.phase());
    assertEquals(OperationStatus.Running, p.status());
    p = p.apply(new CompensationSucceeded("a", t(5)));
    assertEquals(Phase.CANCELLING, p.phase());
  }

  @Test
  void compensationEventsTrackTheStepsCompensation() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepSucceeded("a", IntNode.valueOf(1), t(2)),
        new StepStarted("b", 1, t(3)), new StepFailed("b", DECLINED, t(4)),
        new CompensationStarted("a", 1, t(5)));
    assertEquals(Phase.COMPENSATING, p.phase());
    assertEquals(OperationStatus.Running, p.status());
    assertEquals(StepStatus.Running, p.step("a").compensation());
    assertEquals(1, p.step("a").compensationAttempts());
    assertNull(p.step("b").compensation(), "nothing to undo on the rejected step");

    p = p.apply(new CompensationAttemptFailed("a", 1, FLAKY, t(6)));
    assertEquals(FLAKY, p.step("a").compensationFailure());
    assertEquals(StepStatus.Running, p.step("a").compensation());
    assertEquals(Phase.COMPENSATING, p.phase());

    p = p.apply(new CompensationStarted("a", 2, t(7)));
    assertEquals(2, p.step("a").compensationAttempts());

    Progress undone = p.apply(new CompensationSucceeded("a", t(8)));
    assertEquals(StepStatus.Succeeded, undone.step("a").compensation());
    assertEquals(StepStatus.Succeeded, undone.step("a").status(), "the step itself stays succeeded");

    Progress givenUp = p.apply(new CompensationFailed("a", FLAKY, t(8)));
    assertEquals(StepStatus.Failed, givenUp.step("a").compensation());
    assertEquals(FLAKY, givenUp.step("a").compensationFailure());
    assertEquals(t(8), givenUp.updatedAt());
  }

  @Test
  void succeededIsTerminalAndComplete() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepSucceeded("a", IntNode.valueOf(1), t(2)),
        new Succeeded(OperationResult.json(1), t(3)));

    assertEquals(OperationStatus.Succeeded, p.status());
    assertEquals(Phase.SUCCEEDED, p.phase());
    assertEquals(100, p.percentComplete());
    assertTrue(p.isTerminal());
    assertNull(p.error());
  }

  @Test
  void failedIsTerminalWithItsError() {
    OperationError error = DECLINED.toError();
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepFailed("a", DECLINED, t(2)),
        new OperationEvent.Failed(error, FailureKind.REJECTED, t(3)));

    assertEquals(OperationStatus.Failed, p.status());
    assertEquals(Phase.FAILED, p.phase());
    assertEquals(error, p.error());
    assertEquals(FailureKind.REJECTED, p.failureKind());
    assertTrue(p.isTerminal());
    assertEquals(t(3), p.updatedAt());
  }

  @Test
  void failedBecauseACompensationKeptFailingHasItsOwnPhase() {
    OperationError error = new OperationError(Progress.COMPENSATION_FAILED_CODE, "gave up",
        new OperationError.Detail("PaymentDeclined", "no money"));
    Progress p = fold(new StepStarted("a", 1, t(1)), new OperationEvent.Failed(error, FailureKind.REJECTED, t(2)));

    assertEquals(OperationStatus.Failed, p.status());
    assertEquals(Phase.COMPENSATION_FAILED, p.phase());
    assertEquals(error, p.error());
  }

  @Test
  void canceledIsTerminalAndCountsTheCompensatedSteps() {
    Progress p = fold(new StepStarted("a", 1, t(1)), new StepSucceeded("a", IntNode.valueOf(1), t(2)),
        new StepStarted("b", 1, t(3)), new StepSucceeded("b", IntNode.valueOf(2), t(4)),
        new CancelRequested(t(5)),
        new CompensationStarted("b", 1, t(6)), new CompensationSucceeded("b", t(7)),
        new CompensationStarted("a", 1, t(8)), new CompensationSucceeded("a", t(9)),
        new Canceled(t(10)));

    assertEquals(OperationStatus.Canceled, p.status());
    assertEquals(Phase.CANCELED, p.phase());
    assertTrue(p.cancelRequested());
    assertTrue(p.isTerminal());
    assertEquals(Progress.CANCELED_CODE, p.error().code());
    assertTrue(p.error().message().contains("2 completed step(s) were compensated"), p.error().message());
    assertNull(p.failureKind());
  }

  @Test
  void purgedKeepsTheOutcome() {
    Progress done = fold(new StepStarted("a", 1, t(1)), new StepFailed("a", DECLINED, t(2)),
        new OperationEvent.Failed(DECLINED.toError(), FailureKind.REJECTED, t(3)));
    Progress p = done.apply(new Purged(t(4)));

    assertTrue(p.purged());
    assertFalse(done.purged());
    assertEquals(OperationStatus.Failed, p.status());
    assertEquals(Phase.FAILED, p.phase());
    assertEquals(done.error(), p.error());
    assertEquals(t(4), p.updatedAt());
  }

  @Test
  void anEventForAnUnknownStepIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> fold(new StepStarted("zzz", 1, t(1))));
  }

  @Test
  void theOperationStateKeepsOutputsAndResult() {
    OperationState s = new Empty().apply(new Accepted(request()));
    s = s.apply(new StepStarted("a", 1, t(1)));
    s = s.apply(new StepSucceeded("a", IntNode.valueOf(7), t(2)));
    s = s.apply(new StepStarted("b", 1, t(3)));
    s = s.apply(new StepSucceeded("b", IntNode.valueOf(8), t(4)));
    OperationResult result = OperationResult.json(8);
    s = s.apply(new Succeeded(result, t(5)));

    Operation op = (Operation) s;
    assertEquals(Map.of("a", IntNode.valueOf(7), "b", IntNode.valueOf(8)), op.outputs());
    assertEquals(result, op.result());
    assertEquals(OperationStatus.Succeeded, op.progress().status());
    assertEquals("op-1", op.id());
  }

  @Test
  void aPurgedOperationHasNoResultInTheStateNorInItsView() {
    OperationState s = new Empty().apply(new Accepted(request()));
    s = s.apply(new StepStarted("a", 1, t(1)));
    s = s.apply(new StepSucceeded("a", IntNode.valueOf(7), t(2)));
    s = s.apply(new StepStarted("b", 1, t(3)));
    s = s.apply(new StepSucceeded("b", IntNode.valueOf(8), t(4)));
    s = s.apply(new Succeeded(OperationResult.json(8), t(5)));
    OperationView viewBefore = OperationView.of((Operation) s);

    Operation purged = (Operation) s.apply(new Purged(t(6)));

    assertNull(purged.result());
    assertEquals(OperationView.of(purged), viewBefore.apply(new Purged(t(6))));
  }

  @Test
  void theFirstEventMustBeAccepted() {
    assertThrows(IllegalStateException.class, () -> new Empty().apply(new CancelRequested(t(1))));
  }
}
