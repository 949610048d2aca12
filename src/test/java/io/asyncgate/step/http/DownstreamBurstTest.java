package io.asyncgate.step.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.NullNode;
import com.typesafe.config.ConfigFactory;
import io.asyncgate.support.StubDownstream;
import io.asyncgate.support.TestGate;
import io.asyncgate.template.TemplateScope;
import io.asyncgate.template.TemplateValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When a node resumes many sagas at once — after a crash, or when the database comes back — their
 * calls to one downstream arrive together. They wait for a pooled connection instead of failing:
 * a call that fails at once is retried a few times within seconds, and a burst lasting longer than
 * that would fail operations that nothing was wrong with.
 */
class DownstreamBurstTest {
  /** Over twice what the pool took before (256 waiting + 32 connections). */
  private static final int CALLS = 600;

  @Test
  void aBurstOfCallsFarBeyondThePoolsConnectionsWaitsForThemAndAllSucceed() throws Exception {
    try (StubDownstream downstream = new StubDownstream(); TestGate node = TestGate.start()) {
      downstream.script("POST /work", StubDownstream.Answer.json(200, "{}").after(Duration.ofMillis(50)));
      HttpCall call = HttpCall.fromConfig(ConfigFactory.parseString("url = \"" + downstream.base() + "/work\""), "http",
          new TemplateScope(Set.of(), List.of(), "an earlier step", false), "POST", 1024);
      TemplateValues values = new TemplateValues("burst", "burst", Map.of(), NullNode.getInstance(), Map.of(), null);
      DownstreamHttp client = DownstreamHttp.get(node.gate().system());

      List<CompletableFuture<?>> calls = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        calls.add(client.call(call, values, "burst:" + i, Duration.ofMinutes(1)).toCompletableFuture());
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
      assertEquals(CALLS, downstream.seen("POST", "/work").size());
    }
  }
}
